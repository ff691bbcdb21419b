/**
 * A `send --file` killed outright part-way through its chunks, stored at the recipient's mailbox
 * replicas or streamed to it directly (SIGKILL: no handler, no cleanup runs), as a user's process
 * killed by the OOM killer or a power loss would be. Run as a child process:
 * `node send-and-die.js CONFIG_JSON CONTACT FILE CHUNKS`; it dies by its own SIGKILL once CHUNKS
 * chunks are reported sent (and exits 3 if the send ends first).
 */
import { readFile } from 'node:fs/promises'
import { CairnClient } from '../../src/client/client.js'
import type { CairnConfig } from '../../src/shared/config.js'
import { silentLogger } from '../../src/shared/logger.js'

const [configPath, contact, file, chunks] = process.argv.slice(2) as [string, string, string, string]
const config = JSON.parse(await readFile(configPath, 'utf8')) as CairnConfig
const client = await CairnClient.open({ config, log: silentLogger() })
let sent = 0
await client.sendFiles(contact, [file], '', { onProgress: (p) => { if (p.stage === 'sending' && ++sent === Number(chunks)) process.kill(process.pid, 'SIGKILL') } })
process.exit(3)
