/**
 * The group part of `cairn demo`: alice makes a group with bob and carol (whom bob has never
 * met), carol goes offline, both write to the group and alice shares a file with it, and carol
 * collects the group's messages and the file from her mailboxes when she is back.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CairnConfig } from '../../../shared/config.js'
import type { CairnClient } from '../../client.js'

export interface DemoSteps {
  cfg: (name: string) => CairnConfig
  init: (c: CairnConfig) => Promise<unknown>
  start: (c: CairnConfig) => Promise<CairnClient>
  stop: (c: CairnClient) => Promise<void>
  say: (step: string, detail?: Record<string, unknown>) => void
}

/** The demo checks what it shows: a message missing, doubled or out of order fails it (exit 1). */
export function expectSame (got: string[], want: string[], what: string): void {
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${what}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`)
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

export async function groupDemo (alice: CairnClient, bob: CairnClient, root: string, s: DemoSteps): Promise<void> {
  await s.init(s.cfg('carol'))
  let carol = await s.start(s.cfg('carol'))
  await carol.publishBundles()
  await alice.contactAdd('carol', carol.identity.peerId.toString())
  s.say('carol joined and published her bundles; alice added her (bob has never met her)', { carol: carol.identity.peerId.toString() })
  const group = await alice.groupCreate('hikers', ['bob', 'carol'])
  s.say('alice created group "hikers" (a signed change, sent to each member over its 1:1 session)', { id: group.id, members: group.members.length })
  await s.stop(carol)
  s.say('carol went offline')
  const r1 = await alice.send('@hikers', 'Hike on Saturday?')
  s.say('alice -> @hikers: encrypted once with her sender key, handed to each member', { members: (r1 as { members?: unknown }).members })
  const r2 = await bob.send('@hikers', 'I am in!')
  s.say('bob -> @hikers (his session with carol starts from her bundle at the mailboxes)', { members: (r2 as { members?: unknown }).members })
  const path = join(root, 'trail-map.png')
  const bytes = randomBytes(200 * 1024)
  await writeFile(path, bytes, { mode: 0o600 })
  const [file] = await alice.sendFiles('@hikers', [path], 'The trail map')
  if (file === undefined || file.error !== undefined) throw new Error(`the group file was not sent: ${file?.error ?? 'no result'}`)
  s.say('alice -> @hikers a file: each member its own copy (own key, own chunks), carol\'s at her replicas', { members: Object.fromEntries(Object.entries(file.members ?? {}).map(([p, m]) => [p, m.route])) })
  carol = await s.start(s.cfg('carol'))
  const sync = await carol.sync()
  const inbox = await carol.inbox()
  const shown = inbox.map(m => `@${m.group?.name ?? '-'} ${m.from === alice.identity.peerId.toString() ? 'alice' : 'bob'}: ${m.attachment === undefined ? '' : `[${m.attachment.name}] `}${m.text}`)
  s.say('carol came back and synced', { received: sync.received, messages: inbox.map((m, i) => `${shown[i] ?? ''} [${m.route}]`) })
  expectSame(shown, ['@hikers alice: Hike on Saturday?', '@hikers bob: I am in!', '@hikers alice: [trail-map.png] The trail map'], 'carol\'s inbox')
  const out = join(root, 'carol-downloads')
  await mkdir(out, { recursive: true, mode: 0o700 })
  // her copy has an id of its own (no member learns another's); alice's record is under file.id
  const copy = inbox.find(m => m.attachment?.name === 'trail-map.png')
  if (copy === undefined) throw new Error('carol has no copy of the group file')
  const saved = await carol.save(copy.id, out)
  if (sha256(await readFile(saved.path)) !== sha256(bytes)) throw new Error('carol\'s copy of the group file differs from the one sent')
  s.say('carol saved the group file: fetched from her replicas, checked against the digest in her copy', { name: saved.name, size: saved.size, sameBytes: true })
}
