/**
 * The file part of `cairn demo`: alice sends bob a file while he is offline (its chunks sealed and
 * stored at his mailbox replicas, like his mail), and bob, back, saves it: fetched from the
 * replicas, checked against the digest alice sealed into her message, written atomically.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CairnClient } from '../../client.js'
import type { DemoSteps } from './demo-group.js'

const FILE_BYTES = 600 * 1024

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

/** Returns bob's client, started again. */
export async function attachmentDemo (alice: CairnClient, bob: CairnClient, root: string, s: DemoSteps): Promise<CairnClient> {
  const path = join(root, 'hike-route.gpx')
  const bytes = randomBytes(FILE_BYTES)
  await writeFile(path, bytes, { mode: 0o600 })
  await s.stop(bob)
  const [sent] = await alice.sendFiles('bob', [path], 'the route for Saturday')
  if (sent === undefined || sent.error !== undefined) throw new Error(`the file was not sent: ${sent?.error ?? 'no result'}`)
  s.say('alice -> bob a 600 KiB file while bob is offline: chunks encrypted, stored at his replicas', { route: sent.route, replicas: sent.replicas, size: sent.size })
  const again = await s.start(s.cfg('bob'))
  const sync = await again.sync()
  const m = (await again.inbox()).find(x => x.id === sent.id)
  s.say('bob came back and synced: the message names the file', { received: sync.received, file: m?.attachment?.name, state: m?.attachment?.state })
  const out = join(root, 'bob-downloads')
  await mkdir(out, { recursive: true, mode: 0o700 })
  const saved = await again.save(sent.id, out)
  const same = sha256(await readFile(saved.path)) === sha256(bytes)
  if (!same) throw new Error('the saved file differs from the one sent')
  s.say('bob saved it: fetched from the replicas, checked against the digest alice sealed', { name: saved.name, size: saved.size, sameBytes: same })
  return again
}
