/**
 * The pass that keeps a long-lived client's group records bounded (docs/DECISIONS.md, "Group
 * records are pruned"). Marks that only de-duplicate or recognise a late copy (seen, seq, gossiped)
 * go once no copy can still arrive: older than the horizon (the mail TTL and a day). A former
 * member's "sent" marks go with its membership; a group we are no longer in loses our chain and
 * its notes; another sender's rotated-out or abandoned chain goes a horizon after it was last used
 * (a later 1:1 copy carries its distribution message and brings it back: only gossip, and parts
 * waiting at mailboxes, need it kept), and a departed sender's not before a horizon after it went.
 */
import type { Store } from '../../shared/store.js'
import { enc, type Kv } from '../crypto/kv.js'
import { distributionNote, getSenderState, gossipedMark, groupKeys, markTime, putSenderState, seqFloor, type DistributionNote } from './group-store.js'
import { forget } from './sender-keys.js'

export interface PruneCounts {
  seen: number
  seq: number
  gossiped: number
  known: number
  holds: number
  chains: number
  /** Lost numbers' records (lost-seqs.ts; counted by the service, which prunes them with the rest). */
  lost: number
}

export interface GroupPruneInput {
  store: Store
  me: string
  /** Marks older than this (clock ms) go. */
  cutoff: number
  /** The clock now (the pass's; a test may look ahead): default, the clock's. */
  now?: number
}

const empty = (): PruneCounts => ({ seen: 0, seq: 0, gossiped: 0, known: 0, holds: 0, chains: 0, lost: 0 })

/** One group's marks; `members` its members now (undefined: a group we never learned). Deletes in `tx`. */
export async function pruneGroup (input: GroupPruneInput, tx: Kv, gid: string, members: string[] | undefined): Promise<PruneCounts> {
  const { store, me, cutoff } = input
  const n = empty()
  for await (const { key, value } of store.list(groupKeys.seenPrefix(gid))) {
    if (markTime(value) < cutoff) { tx.delete(key); n.seen++ }
  }
  for await (const { key, value } of store.list(groupKeys.gossipedPrefix(gid))) {
    if (gossipedMark(value).at < cutoff) { tx.delete(key); n.gossiped++ }
  }
  // per sender: the highest number stays (a removal names it); older marks below it go, and a floor
  // says that every number up to the highest pruned counts as shown (a former member cannot re-use one)
  const seqPrefix = groupKeys.seqAllPrefix(gid)
  const bySender = new Map<string, Array<{ key: string, seq: number, at: number }>>()
  for await (const { key, value } of store.list(seqPrefix)) {
    const [sender, seq] = key.slice(seqPrefix.length).split('/') as [string, string]
    const list = bySender.get(sender) ?? []
    list.push({ key, seq: Number(seq), at: markTime(value) })
    bySender.set(sender, list)
  }
  for (const [sender, marks] of bySender) {
    const top = Math.max(...marks.map(m => m.seq))
    let floor = 0
    for (const m of marks) {
      if (m.seq === top || m.at >= cutoff) continue
      tx.delete(m.key)
      n.seq++
      floor = Math.max(floor, m.seq)
    }
    if (floor > await seqFloor(tx, gid, sender)) tx.put(groupKeys.seqFloor(gid, sender), enc.encode(String(floor)))
  }
  if (members === undefined) return n
  const member = members.includes(me)
  // who holds which change: only members are sent changes; none when we are not one
  const knownPrefix = groupKeys.knownPrefix(gid)
  for await (const key of store.listKeys(knownPrefix)) {
    const who = key.slice(knownPrefix.length).split('/')[0] as string
    if (!member || (who !== me && !members.includes(who))) { tx.delete(key); n.known++ }
  }
  // who holds our chain: a former member is sent nothing more
  const holdsPrefix = groupKeys.holdsPrefix(gid)
  for await (const key of store.listKeys(holdsPrefix)) {
    const who = key.slice(holdsPrefix.length).split('/')[1] as string
    if (!member || !members.includes(who)) { tx.delete(key); n.holds++ }
  }
  if (!member) {
    // a group we left or were removed from: our chain and who held it go; the sequence number stays
    // (were we added again, our numbers go on from it), and a new chain starts with the next send
    const s = await getSenderState(tx, gid)
    if (s !== undefined && s.distributionId !== '') {
      forget(tx, me, s.distributionId)
      putSenderState(tx, gid, { distributionId: '', given: {}, seq: s.seq })
      n.chains++
    }
  }
  return n
}

/** What pruneChains asks of a group: its members now, and when a former member was removed or left. */
export interface ChainGroups {
  membersOf: (gid: string) => Promise<string[] | undefined>
  /** The author's time on the change that removed `sender` (or its leave); 0 when none says. */
  departedAt: (gid: string, sender: string) => Promise<number>
}

/**
 * Other senders' chains (the `dist/` notes and libsignal's sender-key records): a chain goes when
 * it was last carried by a 1:1 copy before the cutoff and either its sender started a newer one in
 * the group before the cutoff, or its sender left or was removed before the cutoff, or we are no
 * longer a member, or the group is unknown. (A departed sender's parts sealed before it went may
 * still wait at our mailboxes, up to the mail TTL: they open only while the chain is kept.)
 */
export async function pruneChains (input: GroupPruneInput, tx: Kv, groups: ChainGroups): Promise<number> {
  const { store, me, cutoff } = input
  const prefix = groupKeys.distributionAllPrefix
  const notes: Array<{ key: string, distributionId: string, sender: string, note: DistributionNote }> = []
  for await (const { key, value } of store.list(prefix)) {
    const [distributionId, sender] = key.slice(prefix.length).split('/') as [string, string]
    notes.push({ key, distributionId, sender, note: distributionNote(value) })
  }
  // per group and sender, when its newest chain was first seen
  const newest = new Map<string, number>()
  for (const { sender, note } of notes) newest.set(`${note.gid}/${sender}`, Math.max(newest.get(`${note.gid}/${sender}`) ?? 0, note.first))
  let n = 0
  for (const { key, distributionId, sender, note } of notes) {
    if (note.at >= cutoff) continue
    const latest = newest.get(`${note.gid}/${sender}`) ?? 0
    const members = await groups.membersOf(note.gid)
    const rotatedOut = latest > note.first && latest < cutoff
    const gone = members === undefined || !members.includes(me) || (!members.includes(sender) && await groups.departedAt(note.gid, sender) < cutoff)
    if (!rotatedOut && !gone) continue
    tx.delete(key)
    forget(tx, sender, distributionId)
    n++
  }
  return n
}
