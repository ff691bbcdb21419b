/**
 * What group checkpoints save (docs/DECISIONS.md, "Group checkpoints"): a group of MEMBERS members
 * whose admin makes CHANGES membership changes (adds and removes from a pool), signed and folded
 * as the client does, once without checkpoints and once with one every EVERY changes (the admin's
 * client, checkpoint.ts) and the log pruned at the latest (every member known to hold it). Prints
 * the bytes of changes a member stores (the change records' values, plus the pruned-ids record)
 * and the bytes of changes a member added at the end is sent (log-compaction.ts logFor).
 *   node dist/bench/micro/group-log.js [--changes 200] [--members 20] [--every 64]
 */
import { parseArgs } from 'node:util'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { GroupChange } from '../../proto/cairn.js'
import { signChange, verifyChange, type VerifiedChange } from '../../src/client/groups/change.js'
import { checkpointDue } from '../../src/client/groups/checkpoint.js'
import { changesSinceCheckpoint, checkpointOp, logFor, prunable } from '../../src/client/groups/log-compaction.js'
import { foldGroup, type FoldOptions, type GroupState } from '../../src/client/groups/state.js'
import { peerIdBytes, parsePeerId } from '../../src/shared/peer-id.js'

const bytesOf = (h: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(h, 'hex'))
const sum = (cs: VerifiedChange[]): number => cs.reduce((n, c) => n + c.bytes.length, 0)

async function run (changes: number, members: number, every: number): Promise<{ stored: number, storedChanges: number, sent: number, sentChanges: number, checkpoints: number }> {
  const adminKey = await generateKeyPair('Ed25519')
  const admin = peerIdFromPrivateKey(adminKey)
  const me = admin.toString()
  const pool = await Promise.all(Array.from({ length: members * 2 }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
  const newcomer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  const root = await verifyChange(await signChange(adminKey, admin, {
    groupId: new Uint8Array(0), parents: [], madeAt: 0,
    create: { name: 'bench', secret: new Uint8Array(32).fill(1), members: pool.slice(0, members - 1).map(p => peerIdBytes(parsePeerId(p))) }
  }))
  const gid = root.groupId
  const held = new Map([[root.id, root]])
  let opts: FoldOptions = { verdicts: new Map() }
  const fold = (): GroupState => foldGroup(gid, held.values(), 256, opts) as GroupState
  const make = async (state: GroupState, op: Partial<GroupChange>): Promise<void> => {
    const c = await verifyChange(await signChange(adminKey, admin, { groupId: bytesOf(gid), parents: state.heads.map(bytesOf), madeAt: held.size, ...op }))
    held.set(c.id, c)
  }
  for (let i = 0; i < changes; i++) {
    const state = fold()
    const out = pool.filter(p => !state.members.includes(p))
    const inside = state.members.filter(p => p !== me)
    const who = i % 2 === 0 ? out[i % out.length] : inside[i % inside.length]
    await make(state, i % 2 === 0 ? { add: { members: [peerIdBytes(parsePeerId(who as string))] } } : { remove: { members: [peerIdBytes(parsePeerId(who as string))], lastSeqs: [0] } })
    const after = fold()
    if (checkpointDue(me, after.admins, changesSinceCheckpoint(after, held), every)) await make(after, checkpointOp(after))
  }
  let state = fold()
  let prunedIds = 0
  // every member known to hold the latest checkpoint: the acknowledgements all given
  const acked = new Map(state.checkpoints.map(cp => [cp, new Set(state.members)]))
  const cut = prunable(state, held, acked, me)
  if (cut !== undefined) {
    for (const id of cut.ids) held.delete(id)
    prunedIds = cut.ids.length
    opts = { base: cut.checkpoint, pruned: new Set(cut.ids), verdicts: new Map() }
    state = fold()
  }
  const order = state.order.map(id => held.get(id) as VerifiedChange)
  const sent = logFor(state, order, newcomer)
  return { stored: sum([...held.values()]) + 32 * prunedIds, storedChanges: held.size, sent: sum(sent), sentChanges: sent.length, checkpoints: state.checkpoints.length }
}

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { changes: { type: 'string', default: '200' }, members: { type: 'string', default: '20' }, every: { type: 'string', default: '64' } } })
  const [changes, members, every] = [Number(values.changes), Number(values.members), Number(values.every)]
  const without = await run(changes, members, 0)
  const withCp = await run(changes, members, every)
  console.log(JSON.stringify({ changes, members, every, without, with: withCp }))
  console.log(`stored: ${without.stored} B (${without.storedChanges} changes) -> ${withCp.stored} B (${withCp.storedChanges} changes, ids of the pruned included); ` +
    `sent to a new member: ${without.sent} B (${without.sentChanges} changes) -> ${withCp.sent} B (${withCp.sentChanges} changes)`)
}

await main()
