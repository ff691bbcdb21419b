/**
 * Where a group's records live in the store (NAMESPACES.group): its signed changes, our own
 * sender-key state for it, which changes each member is known to hold, the (group, sender, id)
 * de-duplication marks and messages parked until the membership they name is known. Writes go
 * through a Kv (a Transaction), so they commit with the message or the send they belong to.
 */
import { NAMESPACES } from '../../shared/namespaces.js'
import type { Store } from '../../shared/store.js'
import { dec, enc, type Kv } from '../crypto/kv.js'
import type { Route } from '../inbox.js'

const G = NAMESPACES.group
const ONE = new Uint8Array([1])

export const groupKeys = {
  index: (gid: string) => `${G}index/${gid}`,
  indexPrefix: `${G}index/`,
  change: (gid: string, changeId: string) => `${G}${gid}/change/${changeId}`,
  changePrefix: (gid: string) => `${G}${gid}/change/`,
  sender: (gid: string) => `${G}${gid}/sender`,
  known: (gid: string, member: string, changeId: string) => `${G}${gid}/known/${member}/${changeId}`,
  seen: (gid: string, sender: string, messageId: string) => `${G}${gid}/seen/${sender}/${messageId}`,
  seenPrefix: (gid: string) => `${G}${gid}/seen/`,
  knownPrefix: (gid: string) => `${G}${gid}/known/`,
  /** A sender's sequence numbers shown here, zero-padded so that they list in order. */
  seq: (gid: string, sender: string, seq: number) => `${G}${gid}/seq/${sender}/${String(seq).padStart(16, '0')}`,
  seqPrefix: (gid: string, sender: string) => `${G}${gid}/seq/${sender}/`,
  seqAllPrefix: (gid: string) => `${G}${gid}/seq/`,
  /** Every sequence number of `sender`'s up to this one counts as shown: the marks below it were pruned (group-prune.ts). */
  seqFloor: (gid: string, sender: string) => `${G}${gid}/seq-floor/${sender}`,
  /** A group message shown from gossip, by the hash of its sender-key ciphertext: its 1:1 copy (the same ciphertext) is then known for what it is. */
  gossiped: (gid: string, ciphertextHash: string) => `${G}${gid}/gossiped/${ciphertextHash}`,
  gossipedPrefix: (gid: string) => `${G}${gid}/gossiped/`,
  parked: (gid: string, sender: string, messageId: string) => `${G}${gid}/parked/${sender}/${messageId}`,
  parkedPrefix: (gid: string) => `${G}${gid}/parked/`,
  /** The lowest of `sender`'s numbers whose message was parked here and dropped unshown (parking.ts): the reader's gap count starts there. */
  lostSeq: (gid: string, sender: string) => `${G}lost-seq/${gid}/${sender}`,
  lostSeqPrefix: `${G}lost-seq/`,
  /** Who was seen handing out a sender-key chain (a distribution id), and for which group: how gossip finds a sender. */
  distribution: (distributionId: string, sender: string) => `${G}dist/${distributionId}/${sender}`,
  distributionPrefix: (distributionId: string) => `${G}dist/${distributionId}/`,
  distributionAllPrefix: `${G}dist/`,
  /** A member known to hold our chain `distributionId` (it acknowledged a message on it). */
  holds: (gid: string, distributionId: string, member: string) => `${G}${gid}/holds/${distributionId}/${member}`,
  holdsPrefix: (gid: string) => `${G}${gid}/holds/`,
  /** The checkpoint this member folds from (group-checkpoints.ts): its ancestry was pruned here, or we joined after it. */
  base: (gid: string) => `${G}${gid}/base`,
  /**
   * The ids of the changes pruned here, one record per batch pruned together (a log compaction, or
   * one late stale change), named by the batch's first id: its ids, 32 bytes each, concatenated.
   * A change naming one is stale.
   */
  prunedBatch: (gid: string, firstId: string) => `${G}${gid}/pruned/${firstId}`,
  prunedPrefix: (gid: string) => `${G}${gid}/pruned/`,
  /** Before wip-groups, every pruned id in one record, rewritten whole at each prune: read, and moved into a batch by the next write. */
  prunedList: (gid: string) => `${G}${gid}/pruned`,
  /** Our stale change `original` was made again (log-compaction.ts toReissue): never again for it. Value: the new change's id. */
  remade: (gid: string, original: string) => `${G}${gid}/remade/${original}`,
  remadePrefix: (gid: string) => `${G}${gid}/remade/`,
  /** `member` named membership that follows `checkpoint` (a group message's heads): it holds the checkpoint. */
  acked: (gid: string, checkpoint: string, member: string) => `${G}${gid}/acked/${checkpoint}/${member}`,
  ackedPrefix: (gid: string) => `${G}${gid}/acked/`,
  /** The latest checkpoint we told the members we hold ('' when there was none): by a message's heads or a hold note. */
  noted: (gid: string) => `${G}${gid}/noted`,
  /** A message of ours sent to some members by gossip alone, until each acknowledged it or got its 1:1 copy. */
  byGossip: (messageId: string) => `${G}by-gossip/${messageId}`,
  byGossipPrefix: `${G}by-gossip/`
}

/** A group message sent to some members by gossip alone: what their 1:1 copies need if no receipt comes. */
export interface GossipOnly {
  /** The group message's id (its delivery-log record). */
  id: string
  gid: string
  /** The sender-key ciphertext (base64): the 1:1 copies carry the same bytes. */
  ciphertext: string
  /** Per member sent by gossip alone: the distribution message (base64) its copy carries. */
  members: Record<string, string>
  /** When the 1:1 copies go to members who have not acknowledged it (clock ms). */
  due: number
}

/** Our sending state in one group. */
export interface SenderState {
  /** libsignal distribution id of our current sender-key chain; a new one after anyone leaves. */
  distributionId: string
  /** Per member, the distribution message (base64) it was given for this chain: the same bytes every time. */
  given: Record<string, string>
  /** Our per-group sequence number: the last one used. */
  seq: number
}

/** A decrypted group message waiting for membership changes it names (heads) to arrive. */
export interface ParkedMessage {
  sender: string
  id: string
  seq: number
  sentAt: number
  heads: string[]
  text: string
  route: Route
  /** When it was parked (clock ms); it expires a mail TTL and a day later (parking.ts). None: parked before parking expired, stamped by the next pass. */
  parkedAt?: number
}

/** A group message dropped unshown from the parking (expired, or crowded out): the reader sees its number missing (gaps.ts). */
export interface LostSeq { group: string, from: string, seq: number }

export function putChange (kv: Kv, gid: string, changeId: string, bytes: Uint8Array): void {
  kv.put(groupKeys.index(gid), ONE)
  kv.put(groupKeys.change(gid, changeId), bytes)
}

export function deleteChange (kv: Kv, gid: string, changeId: string): void {
  kv.delete(groupKeys.change(gid, changeId))
}

export async function getBase (kv: Pick<Kv, 'get'>, gid: string): Promise<string | undefined> {
  const b = await kv.get(groupKeys.base(gid))
  return b === undefined ? undefined : dec.decode(b)
}

export function putBase (kv: Kv, gid: string, checkpoint: string): void {
  kv.put(groupKeys.base(gid), enc.encode(checkpoint))
}

const idsOf = (b: Uint8Array): string[] => {
  const out: string[] = []
  for (let i = 0; i + 32 <= b.length; i += 32) out.push(Buffer.from(b.subarray(i, i + 32)).toString('hex'))
  return out
}

/** The ids pruned here: the batches, and `legacy`, those still in the record of the layout before them (moved by the next addPruned). */
export async function getPruned (store: Store, gid: string): Promise<{ ids: Set<string>, legacy: string[] }> {
  const legacyBytes = await store.get(groupKeys.prunedList(gid))
  const legacy = legacyBytes === undefined ? [] : idsOf(legacyBytes)
  const ids = new Set(legacy)
  for await (const { value } of store.list(groupKeys.prunedPrefix(gid))) for (const id of idsOf(value)) ids.add(id)
  return { ids, legacy }
}

/**
 * Record `ids`, none of them recorded yet, as pruned: one record for the batch, whatever was
 * pruned before. `legacy` (getPruned's): the list of the old layout, moved into a batch of its own
 * in the same write and deleted.
 */
export function addPruned (kv: Kv, gid: string, ids: string[], legacy: string[] = []): void {
  const put = (batch: string[]): void => {
    const sorted = [...batch].sort()
    if (sorted.length > 0) kv.put(groupKeys.prunedBatch(gid, sorted[0] as string), new Uint8Array(Buffer.concat(sorted.map(id => Buffer.from(id, 'hex')))))
  }
  put(ids)
  if (legacy.length > 0) {
    put(legacy)
    kv.delete(groupKeys.prunedList(gid))
  }
}

export function markRemade (kv: Kv, gid: string, original: string, remake: string): void {
  kv.put(groupKeys.remade(gid, original), enc.encode(remake))
}

/** Our stale changes already made again in `gid`. */
export async function listRemade (store: Store, gid: string): Promise<Set<string>> {
  const prefix = groupKeys.remadePrefix(gid)
  const out = new Set<string>()
  for await (const key of store.listKeys(prefix)) out.add(key.slice(prefix.length))
  return out
}

export function markAcked (kv: Kv, gid: string, checkpoint: string, member: string): void {
  kv.put(groupKeys.acked(gid, checkpoint, member), ONE)
}

/** Whether `member` is known to hold `checkpoint` (its hold note or a message's heads said so). */
export async function hasAcked (kv: Pick<Kv, 'get'>, gid: string, checkpoint: string, member: string): Promise<boolean> {
  return await kv.get(groupKeys.acked(gid, checkpoint, member)) !== undefined
}

/** The checkpoint we last told the group's members we hold ('' for none yet); undefined: we never told them anything. */
export async function getNoted (kv: Pick<Kv, 'get'>, gid: string): Promise<string | undefined> {
  const b = await kv.get(groupKeys.noted(gid))
  return b === undefined ? undefined : dec.decode(b)
}

export function markNoted (kv: Kv, gid: string, checkpoint: string): void {
  kv.put(groupKeys.noted(gid), enc.encode(checkpoint))
}

/** Per checkpoint, the members known to hold it: their group messages named membership that follows it, or they sent a hold note. */
export async function listAcked (store: Store, gid: string): Promise<Map<string, Set<string>>> {
  const prefix = groupKeys.ackedPrefix(gid)
  const out = new Map<string, Set<string>>()
  for await (const key of store.listKeys(prefix)) {
    const [cp, member] = key.slice(prefix.length).split('/') as [string, string]
    const set = out.get(cp) ?? new Set<string>()
    set.add(member)
    out.set(cp, set)
  }
  return out
}

export async function listGroupIds (store: Store): Promise<string[]> {
  const out: string[] = []
  for await (const key of store.listKeys(groupKeys.indexPrefix)) out.push(key.slice(groupKeys.indexPrefix.length))
  return out
}

export async function listChangeBytes (store: Store, gid: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const { value } of store.list(groupKeys.changePrefix(gid))) out.push(value)
  return out
}

export async function getSenderState (kv: Kv, gid: string): Promise<SenderState | undefined> {
  const b = await kv.get(groupKeys.sender(gid))
  return b === undefined ? undefined : JSON.parse(dec.decode(b)) as SenderState
}

export function putSenderState (kv: Kv, gid: string, s: SenderState): void {
  kv.put(groupKeys.sender(gid), enc.encode(JSON.stringify(s)))
}

/** Keys per read in `knownBy`: a big group's long history is read in slices, not all at once. */
const KNOWN_PER_READ = 4096

/** Which of `pairs` (member, change) are known to be held: a read of the store per few thousand, not one per pair. */
export async function knownBy (kv: Kv, gid: string, pairs: Array<{ member: string, changeId: string }>): Promise<boolean[]> {
  const out: boolean[] = []
  for (let i = 0; i < pairs.length; i += KNOWN_PER_READ) {
    const values = await kv.getMany(pairs.slice(i, i + KNOWN_PER_READ).map(p => groupKeys.known(gid, p.member, p.changeId)))
    for (const v of values) out.push(v !== undefined)
  }
  return out
}

export function markKnownBy (kv: Kv, gid: string, member: string, changeId: string): void {
  kv.put(groupKeys.known(gid, member, changeId), ONE)
}

export async function groupMessageSeen (kv: Kv, gid: string, sender: string, id: string): Promise<boolean> {
  return (await kv.get(groupKeys.seen(gid, sender, id))) !== undefined
}

/** A mark's time (clock ms); 0 for a mark written before marks had one (session 11): the first pass prunes it. */
export function markTime (value: Uint8Array): number {
  const t = Number(dec.decode(value))
  return Number.isFinite(t) && value.length > 1 ? t : 0
}

/** `at`: when (clock ms), so that the mark is pruned once no copy of the message can still arrive (group-prune.ts). */
export function markGroupMessageSeen (kv: Kv, gid: string, sender: string, id: string, at: number): void {
  kv.put(groupKeys.seen(gid, sender, id), enc.encode(String(at)))
}

export function markSeqShown (kv: Kv, gid: string, sender: string, seq: number, at: number): void {
  kv.put(groupKeys.seq(gid, sender, seq), enc.encode(String(at)))
}

/** The highest of `sender`'s numbers whose marks were pruned (0: none): it and all below count as shown. */
export async function seqFloor (kv: Pick<Kv, 'get'>, gid: string, sender: string): Promise<number> {
  const b = await kv.get(groupKeys.seqFloor(gid, sender))
  return b === undefined ? 0 : Number(dec.decode(b))
}

export async function seqShown (kv: Kv, gid: string, sender: string, seq: number): Promise<boolean> {
  return seq <= await seqFloor(kv, gid, sender) || (await kv.get(groupKeys.seq(gid, sender, seq))) !== undefined
}

/** The highest sequence number shown here from `sender` in the group (0: none). */
export async function lastSeqShown (store: Store, gid: string, sender: string): Promise<number> {
  const prefix = groupKeys.seqPrefix(gid, sender)
  let last = await seqFloor(store.transaction(), gid, sender)
  for await (const key of store.listKeys(prefix)) last = Math.max(last, Number(key.slice(prefix.length)))
  return last
}

export function markGossiped (kv: Kv, gid: string, ciphertextHash: string, messageId: string, at: number): void {
  kv.put(groupKeys.gossiped(gid, ciphertextHash), enc.encode(JSON.stringify({ id: messageId, at })))
}

/** A gossiped mark's message id and time (a mark from before session 11 holds the bare id: time 0). */
export function gossipedMark (value: Uint8Array): { id: string, at: number } {
  const s = dec.decode(value)
  if (!s.startsWith('{')) return { id: s, at: 0 }
  return JSON.parse(s) as { id: string, at: number }
}

export async function gossipedId (kv: Kv, gid: string, ciphertextHash: string): Promise<string | undefined> {
  const b = await kv.get(groupKeys.gossiped(gid, ciphertextHash))
  return b === undefined ? undefined : gossipedMark(b).id
}

export function park (kv: Kv, gid: string, m: ParkedMessage): void {
  kv.put(groupKeys.parked(gid, m.sender, m.id), enc.encode(JSON.stringify(m)))
}

export function unpark (kv: Kv, gid: string, m: ParkedMessage): void {
  kv.delete(groupKeys.parked(gid, m.sender, m.id))
}

export async function listParked (store: Store, gid: string): Promise<ParkedMessage[]> {
  const out: ParkedMessage[] = []
  for await (const { value } of store.list(groupKeys.parkedPrefix(gid))) out.push(JSON.parse(dec.decode(value)) as ParkedMessage)
  return out
}

/** A lost number's record: the number, when it was lost (0: written before records had a time), and when its gap was first found shown (lost-seqs.ts). */
export interface LostSeqRecord { seq: number, at: number, shownAt?: number }

/** A record's fields (one from before records had a time holds the bare number). */
export function lostSeqRecord (value: Uint8Array): LostSeqRecord {
  const s = dec.decode(value)
  if (!s.startsWith('{')) return { seq: Number(s), at: 0 }
  return JSON.parse(s) as LostSeqRecord
}

export function putLostSeq (kv: Kv, gid: string, sender: string, r: LostSeqRecord): void {
  kv.put(groupKeys.lostSeq(gid, sender), enc.encode(JSON.stringify(r)))
}

/** `seq` of `sender`'s was dropped unshown at `now`: kept if it is the lowest such number (only the lowest is read: gaps.ts). */
export async function markLost (kv: Kv, gid: string, sender: string, seq: number, now: number): Promise<void> {
  const old = await kv.get(groupKeys.lostSeq(gid, sender))
  // a lower number is a gap not shown yet: judged again from now
  if (old === undefined || seq < lostSeqRecord(old).seq) putLostSeq(kv, gid, sender, { seq, at: now })
}

/** Every (group, sender)'s lowest number dropped unshown. */
export async function listLostSeqs (store: Store): Promise<LostSeq[]> {
  const out: LostSeq[] = []
  for await (const { key, value } of store.list(groupKeys.lostSeqPrefix)) {
    const [group, from] = key.slice(groupKeys.lostSeqPrefix.length).split('/') as [string, string]
    out.push({ group, from, seq: lostSeqRecord(value).seq })
  }
  return out
}

/** A distribution note: its group, when it was first seen and last seen (a 1:1 copy carried it). */
export interface DistributionNote { gid: string, first: number, at: number }

/** A note's fields (a note from before session 11 holds the bare group id: times 0). */
export function distributionNote (value: Uint8Array): DistributionNote {
  const s = dec.decode(value)
  if (!s.startsWith('{')) return { gid: s, first: 0, at: 0 }
  return JSON.parse(s) as DistributionNote
}

export async function putDistribution (kv: Kv, distributionId: string, sender: string, gid: string, at: number): Promise<void> {
  const key = groupKeys.distribution(distributionId, sender)
  const old = await kv.get(key)
  const first = old === undefined ? at : distributionNote(old).first
  kv.put(key, enc.encode(JSON.stringify({ gid, first, at })))
}

/** Everyone who handed us a chain under this distribution id (a member could copy another's id), with the group. */
export async function distributionSenders (store: Store, distributionId: string): Promise<Array<{ sender: string, gid: string }>> {
  const prefix = groupKeys.distributionPrefix(distributionId)
  const out: Array<{ sender: string, gid: string }> = []
  for await (const { key, value } of store.list(prefix)) out.push({ sender: key.slice(prefix.length), gid: distributionNote(value).gid })
  return out
}

/** Which of `members` are known to hold our chain `distributionId` in the group. */
export async function holdChain (kv: Kv, gid: string, distributionId: string, members: string[]): Promise<boolean[]> {
  return (await kv.getMany(members.map(m => groupKeys.holds(gid, distributionId, m)))).map(v => v !== undefined)
}

export function markHoldsChain (kv: Kv, gid: string, distributionId: string, member: string): void {
  kv.put(groupKeys.holds(gid, distributionId, member), ONE)
}

/**
 * Our chain in the group is now `current` (a rotation): the notes of who held any other chain of
 * ours there are deleted in `kv` (a rotated-out chain is never sent on again; the removed members
 * who held it hold nothing of ours that matters). Returns how many.
 */
export async function pruneHolds (store: Store, kv: Kv, gid: string, current: string): Promise<number> {
  const prefix = groupKeys.holdsPrefix(gid)
  let n = 0
  for await (const key of store.listKeys(prefix)) {
    if (key.startsWith(`${prefix}${current}/`)) continue
    kv.delete(key)
    n++
  }
  return n
}

export function putGossipOnly (kv: Kv, g: GossipOnly): void {
  if (Object.keys(g.members).length === 0) kv.delete(groupKeys.byGossip(g.id))
  else kv.put(groupKeys.byGossip(g.id), enc.encode(JSON.stringify(g)))
}

export async function getGossipOnly (kv: Kv, messageId: string): Promise<GossipOnly | undefined> {
  const b = await kv.get(groupKeys.byGossip(messageId))
  return b === undefined ? undefined : JSON.parse(dec.decode(b)) as GossipOnly
}

export async function listGossipOnly (store: Store): Promise<GossipOnly[]> {
  const out: GossipOnly[] = []
  for await (const { value } of store.list(groupKeys.byGossipPrefix)) out.push(JSON.parse(dec.decode(value)) as GossipOnly)
  return out
}
