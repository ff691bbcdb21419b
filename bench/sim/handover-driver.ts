/**
 * The hourly handover, driven by the simulation instead of the timer. Two modes:
 * - `hourly`: every online peer runs its full pass (Handover.runOnce), as the timer would.
 * - `changed` (default): a pass runs only where it would move something. Per recipient held by an
 *   online peer, the harness compares what its holders have with what the k online peers closest
 *   to its mailbox key have (envelopes, tombstones, the bundle); where they differ, holders run
 *   their pass for that recipient (Handover.forRecipient) one after another until nothing differs
 *   (on a real network their timers fire at different moments, so the first one to notice does
 *   the copying). Skipped passes would have found nothing to copy; skipping them changes no
 *   outcome and saves the DHT lookups that dominate a simulation of many peers.
 * The harness's replica set is ranked among the online peers some online peer's routing table
 * holds: no lookup can find the others (SimNetwork.unfindable), so no pass can copy to them, and
 * counting them would keep asking for passes that move nothing (issue 16: 49 of 183 online peers
 * in no routing table after hour 1 at 200 peers, and 32 recipients "lacking the bundle").
 * A recipient whose passes left the replica set as it was (the holders' DHT lookups did not find
 * the peer the harness counts in the set, e.g. one just back online) is not tried again while
 * the set and what its peers hold stay the same: the same passes would find the same answer.
 * What a peer holds is read from its host as plain data (SimNetwork.held and views), so the
 * peers may live in other processes.
 */
import type { PeerId } from '@libp2p/interface'
import { parsePeerId } from '../../src/shared/peer-id.js'
import { mailboxKey, rankByDistance } from '../../src/shared/placement.js'
import { inParallel } from '../../src/shared/in-parallel.js'
import type { HeldView, SimNetwork } from './network.js'

export type HandoverMode = 'hourly' | 'changed'

export interface HourStats { recipients: number, passes: number, reasons: Record<string, number> }

export class HandoverDriver {
  private readonly lastSet = new Map<string, string>()
  private readonly parsed = new Map<string, { id: PeerId, key: Uint8Array }>()
  /** Per recipient whose passes changed nothing: the set and views they left. */
  private readonly stuck = new Map<string, string>()

  constructor (private readonly net: SimNetwork, private readonly replicas: number, private readonly mode: HandoverMode, private readonly concurrency = 4) {}

  private peer (s: string): { id: PeerId, key: Uint8Array } {
    let p = this.parsed.get(s)
    if (p === undefined) { const id = parsePeerId(s); p = { id, key: mailboxKey(id) }; this.parsed.set(s, p) }
    return p
  }

  async hour (): Promise<HourStats> {
    const online = this.net.online()
    if (this.mode === 'hourly') {
      await inParallel(online, this.concurrency, async i => this.net.runOnce(i))
      return { recipients: 0, passes: online.length, reasons: {} }
    }
    const index = new Map(online.map(i => [this.net.peerIds[i] as string, i]))
    const holders = new Map<string, number[]>()
    for (const [i, rs] of await this.net.held()) for (const r of Object.keys(rs)) holders.set(r, [...holders.get(r) ?? [], i])
    // a peer in no online peer's routing table is in no lookup's answer: no holder's pass can reach
    // it, and the replica set the holders find is the closest peers the lookups can reach
    const unfindable = new Set(await this.net.unfindable())
    const ids = online.filter(i => !unfindable.has(i)).map(i => this.peer(this.net.peerIds[i] as string).id)
    const sets = new Map<string, number[]>()
    const reasons: Record<string, number> = {}
    for (const r of holders.keys()) {
      const set = rankByDistance(this.peer(r).key, ids).slice(0, this.replicas).map(String).filter(p => p !== r)
      const key = set.join(',')
      if (this.lastSet.has(r) && this.lastSet.get(r) !== key) reasons['replica set changed (seen)'] = (reasons['replica set changed (seen)'] ?? 0) + 1
      this.lastSet.set(r, key)
      sets.set(r, set.map(p => index.get(p) as number))
    }
    const views = await this.viewsOf([...holders].map(([r, hs]) => ({ r, peers: [...new Set([...hs, ...sets.get(r) ?? []])] })))
    const work: Array<{ r: string, hs: number[], set: number[], reason: string }> = []
    for (const [r, hs] of holders) {
      const set = sets.get(r) ?? []
      const reason = this.inconsistent(hs, set, views.get(r) ?? new Map())
      if (reason === undefined) { this.stuck.delete(r); continue }
      if (this.stuck.get(r) === fingerprint(set, views.get(r))) { reasons['no change since passes found nothing (skipped)'] = (reasons['no change since passes found nothing (skipped)'] ?? 0) + 1; continue }
      reasons[reason] = (reasons[reason] ?? 0) + 1
      work.push({ r, hs, set, reason })
    }
    let passes = 0
    await inParallel(work, this.concurrency, async ({ r, hs, set, reason }) => {
      for (const h of hs) {
        await this.net.forRecipient(h, r)
        passes++
        const again = (await this.viewsOf([{ r, peers: [...new Set([...hs, ...set])] }])).get(r)
        if (this.inconsistent(hs, set, again ?? new Map()) === undefined) { this.stuck.delete(r); break }
        const after = fingerprint(set, again)
        // a bundle pass that moved nothing: the holders' lookups disagree with the harness's set,
        // and every holder has the same bundle to offer the same peers (mail differs by holder:
        // each holder still gets its pass)
        const unchanged = after === this.stuck.get(r) || after === fingerprint(set, views.get(r))
        this.stuck.set(r, after)
        if (unchanged && reason === 'a replica lacks the bundle') {
          if (process.env.CAIRN_SIM_DIAG !== undefined) await this.diagnose(r, h, set, again)
          break
        }
      }
    })
    return { recipients: work.length, passes, reasons }
  }

  /** Diagnostics (CAIRN_SIM_DIAG): why a bundle pass moved nothing, as one JSON line on stderr. */
  private async diagnose (r: string, h: number, set: number[], views: Map<number, HeldView> | undefined): Promise<void> {
    const name = (i: number): string => this.net.peerIds[i] as string
    const indexOf = new Map(this.net.peerIds.map((p, i) => [p as string, i]))
    const { picked, inTable } = await this.net.replicaSetOf(h, r, set.map(name))
    const lacking = set.filter(m => views?.get(m)?.bundle === false)
    const online = this.net.online().length
    const knownBy = await Promise.all(lacking.map(async m => `${m}:${(await this.net.knownBy(m)).length}/${online}`))
    const pickedKnownBy = await Promise.all(set.filter(m => !lacking.includes(m)).map(async m => `${m}:${(await this.net.knownBy(m)).length}/${online}`))
    process.stderr.write(JSON.stringify({
      diag: 'bundle-stuck', recipient: indexOf.get(r), recipientOnline: this.net.online().includes(indexOf.get(r) ?? -1), holder: h, harnessSet: set, holderPicked: picked.map(p => indexOf.get(p)), lacking, lackingInHolderTable: lacking.filter(m => inTable.includes(name(m))), lackingKnownBy: knownBy, othersKnownBy: pickedKnownBy
    }) + '\n')
  }

  /** What each peer asked holds for its recipient, in one round of calls to the hosts. */
  private async viewsOf (asks: Array<{ r: string, peers: number[] }>): Promise<Map<string, Map<number, HeldView>>> {
    const pairs = asks.flatMap(({ r, peers }) => peers.map(p => [p, r] as [number, string]))
    const got = await this.net.views(pairs)
    const out = new Map<string, Map<number, HeldView>>()
    pairs.forEach(([p, r], n) => {
      const v = got[n]
      if (v === undefined) return
      let m = out.get(r)
      if (m === undefined) { m = new Map(); out.set(r, m) }
      m.set(p, v)
    })
    return out
  }

  /** Would a pass move anything: a copy, a tombstone or the bundle that the replica set lacks? */
  private inconsistent (hs: number[], set: number[], raw: Map<number, HeldView>): string | undefined {
    const view = new Map([...raw].map(([p, v]) => [p, { ids: new Set(v.ids), tombs: new Set(v.tombs), bundle: v.bundle }]))
    const of = (p: number): { ids: Set<string>, tombs: Set<string>, bundle: boolean } | undefined => view.get(p)
    const held = new Set(hs.flatMap(h => [...of(h)?.ids ?? []]))
    // only what a holder has can travel in its pass (a pass sends the holder's own tombstones)
    const tombs = new Set(hs.flatMap(h => [...of(h)?.tombs ?? []]))
    const bundle = hs.some(h => of(h)?.bundle === true)
    for (const m of set) {
      const v = of(m)
      if (v === undefined) continue
      if ([...held].some(id => !v.ids.has(id) && !v.tombs.has(id))) return 'a replica lacks mail'
      if ([...tombs].some(id => !v.tombs.has(id))) return 'a replica lacks a tombstone'
      if (bundle && !v.bundle) return 'a replica lacks the bundle'
    }
    const anyTomb = new Set([...view.values()].flatMap(v => [...v.tombs]))
    return hs.some(h => [...of(h)?.ids ?? []].some(id => anyTomb.has(id))) ? 'a copy outlived its tombstone' : undefined
  }
}

/** The replica set and what each peer asked holds, as one string. */
function fingerprint (set: number[], views: Map<number, HeldView> | undefined): string {
  const peers = [...views ?? new Map<number, HeldView>()].sort(([a], [b]) => a - b)
  return JSON.stringify([set, peers.map(([p, v]) => [p, [...v.ids].sort(), [...v.tombs].sort(), v.bundle])])
}
