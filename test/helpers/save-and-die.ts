/**
 * A `save` killed outright part-way through writing the file (SIGKILL: no handler, no cleanup
 * runs), as a user's process killed by the OOM killer or a power loss would be. Run as a child
 * process: `node save-and-die.js CONFIG_JSON MESSAGE_ID OUT_DIR`; it dies by its own SIGKILL once
 * the first bytes of the file are written (and exits 3 if the save ends first).
 */
import { readFile } from 'node:fs/promises'
import { CairnClient } from '../../src/client/client.js'
import type { CairnConfig } from '../../src/shared/config.js'
import { silentLogger } from '../../src/shared/logger.js'

const [configPath, messageId, outDir] = process.argv.slice(2) as [string, string, string]
const config = JSON.parse(await readFile(configPath, 'utf8')) as CairnConfig
const client = await CairnClient.open({ config, log: silentLogger(), network: false })
await client.save(messageId, outDir, { onProgress: (p) => { if (p.stage === 'saving' && p.done > 0) process.kill(process.pid, 'SIGKILL') } })
process.exit(3)
