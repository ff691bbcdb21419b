/**
 * Who lacks which membership changes, and sending them: per peer, the changes of a group's log it
 * is not known to hold (a member who joined after the latest checkpoint is owed that checkpoint and
 * what follows, log-compaction.ts), packed into envelopes within a byte budget and the proto's
 * count limit, and marked as known by that peer in the same transaction as the envelope.
 */
import type { Store } from '../../shared/store.js'
import type { Kv } from '../crypto/kv.js'
import type { Messenger } from '../messenger.js'
import type { VerifiedChange } from './change.js'
import type { GroupChanges } from './group-changes.js'
import { hasAcked, knownBy, markKnownBy, markNoted } from './group-store.js'
import { logFor } from './log-compaction.js'
import type { GroupState } from './state.js'

/** The proto's limit on changes in one GroupUpdate or GroupMessage is 4096; stay well inside it. */
const MAX_CHANGES_PER_ENVELOPE = 1024

/**
 * How many of `changes`, from `from` on, one envelope carries in `budget` bytes and the proto's
 * count limit: at least one, however large, unless the budget is 0 (text fills the envelope).
 */
export function fitting (changes: VerifiedChange[], from: number, budget: number): number {
  let bytes = 0
  for (let i = from; i < changes.length; i++) {
    const size = (changes[i] as VerifiedChange).bytes.length
    if (i - from >= MAX_CHANGES_PER_ENVELOPE || (bytes + size > budget && (i > from || budget === 0))) return i - from
    bytes += size
  }
  return changes.length - from
}

/** How many updates carry all of `changes` (one, even when there are none). */
export function updatesFor (changes: VerifiedChange[], budget: number): number {
  let n = 1
  for (let i = Math.max(1, fitting(changes, 0, budget)); i < changes.length; n++) i += Math.max(1, fitting(changes, i, budget))
  return n
}

export interface ChangeDistributionComponents {
  store: Store
  messenger: Messenger
  /** Each group's changes and state, as of now. */
  groups: GroupChanges
}

export class ChangeDistribution {
  constructor (private readonly c: ChangeDistributionComponents, private readonly envelopeBytes: number) {}

  /**
   * Send each of `peers` the changes it lacks, in as many envelopes as they need: counted first
   * from a read outside the lock, then made and queued together (one bundle fetch per peer) from
   * what the send's own transaction reads.
   */
  async sendUpdates (gid: string, peers: string[]): Promise<void> {
    const budget = this.changesBudget(0)
    const counted = await this.lacking(this.c.store.transaction(), gid, peers)
    const envelopes = peers.flatMap(p => Array<string>(updatesFor(counted.get(p) ?? [], budget)).fill(p))
    let lack: Map<string, VerifiedChange[]> | undefined
    await this.c.messenger.sendEach(envelopes, async (tx, peer) => {
      lack ??= await this.lacking(tx, gid, peers)
      return { groupUpdate: { changes: this.takeChanges(tx, gid, peer, lack.get(peer) ?? [], budget).changes, holds: [] } }
    })
  }

  /**
   * Tell every other member of `state`'s group that we hold its latest checkpoint (or that there is
   * none yet: the note still says which features our client has), for a member that sent the group
   * no message since (a message's heads say the same): the others prune the log before a
   * checkpoint only once every member is known to hold it, and make one only once every member is
   * known to follow them. The note carries the checkpoint itself, so it names nothing the
   * recipient may lack, except to a member sure to hold it: its author, or one that told us it
   * holds it (a hold note or a message's heads: the acked mark). Those get the ~100 bytes that
   * name it, not its hundreds to thousands (a group of n silent members sends n(n-1) notes per
   * checkpoint, and the author's n-1 are among them). Not a member we only sent it to: our note
   * may reach it first, and a note naming a checkpoint the recipient lacks is dropped there.
   * Returns the envelopes queued.
   */
  async sendHoldNote (state: GroupState, me: string): Promise<number> {
    const cp = state.checkpoints.at(-1)
    const others = state.members.filter(m => m !== me)
    if (!state.members.includes(me) || others.length === 0) return 0
    const change = cp === undefined ? undefined : (await this.c.groups.changesOf(state.id)).get(cp)
    if (cp !== undefined && change === undefined) return 0
    const groupId = new Uint8Array(Buffer.from(state.id, 'hex'))
    const checkpoint = new Uint8Array(Buffer.from(cp ?? '', 'hex'))
    await this.c.messenger.sendEach(others, async (tx, peer) => {
      markNoted(tx, state.id, cp ?? '')
      const carried = change !== undefined && change.author !== peer && !await hasAcked(tx, state.id, change.id, peer)
      if (carried) markKnownBy(tx, state.id, peer, change.id)
      return { groupUpdate: { changes: carried ? [new Uint8Array(change.bytes)] : [], holds: [{ groupId, checkpoint }] } }
    })
    return others.length
  }

  /** Bytes of changes one envelope may carry beside `textBytes` of text: half an envelope, less the text. */
  changesBudget (textBytes: number): number {
    return Math.max(0, Math.floor(this.envelopeBytes / 2) - textBytes)
  }

  /**
   * Per peer, the changes it is not known to hold, in fold order. The marks for all peers are read
   * together (a send to many members would otherwise wait on the store once per member and change,
   * under the crypto lock).
   */
  async lacking (kv: Kv, gid: string, peers: string[]): Promise<Map<string, VerifiedChange[]>> {
    const cache = await this.c.groups.changesOf(gid)
    const state = await this.c.groups.state(gid)
    const order = (state?.order ?? []).map(id => cache.get(id)).filter((c): c is VerifiedChange => c !== undefined)
    // a member who joined after the latest checkpoint is sent the create and that checkpoint on
    // (and the changes to it from an older one it holds: it then sees which is newer)
    const cps = state?.checkpoints ?? []
    const heldMarks = await knownBy(kv, gid, peers.flatMap(member => cps.map(changeId => ({ member, changeId }))))
    const logs = peers.map((p, i) => state === undefined ? order : logFor(state, order, p, new Set(cps.filter((_, k) => heldMarks[i * cps.length + k] === true))))
    const known = await knownBy(kv, gid, peers.flatMap((member, i) => (logs[i] as VerifiedChange[]).map(c => ({ member, changeId: c.id }))))
    let at = 0
    return new Map(peers.map((p, i) => [p, (logs[i] as VerifiedChange[]).filter(() => !known[at++])]))
  }

  /**
   * The first of `lacking` (what `lacking()` found for `peer`) that fit in `budget` bytes and the
   * proto's count limit, taken off the list and marked as sent (the marks commit with the
   * envelope). `left`: more remain for later envelopes.
   */
  takeChanges (tx: Kv, gid: string, peer: string, lacking: VerifiedChange[], budget: number): { changes: Uint8Array<ArrayBuffer>[], left: boolean } {
    const taken = lacking.splice(0, fitting(lacking, 0, budget))
    for (const c of taken) markKnownBy(tx, gid, peer, c.id)
    return { changes: taken.map(c => new Uint8Array(c.bytes)), left: lacking.length > 0 }
  }
}
