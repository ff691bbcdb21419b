/**
 * Diagnostics for the table census (bench/micro/table-census.ts): per simulated peer, how many
 * connections it had when its start returned (its bootstrap dials), how many it opened since, and
 * who ended those that closed: its own connection trimmer, or something else (the remote peer's
 * trimmer, which that peer's host counts as one of its trims, a stop or an error). Counted from
 * libp2p's connection events, so a census can say why a peer ended up cut off.
 */
import type { Connection } from '@libp2p/interface'
import type { CairnNode } from '../../src/shared/node/create-node.js'

/** One peer's connections since it started. */
export interface ConnectionLife {
  /** Open when its start returned (the bootstrap dials, and whoever dialled in meanwhile). */
  atStart: number
  /** Opened since, inbound / outbound. */
  inbound: number
  outbound: number
  /** Closed by this peer's own trimmer. */
  ownTrim: number
  /** Closed otherwise (the remote peer's trimmer among them), and how old each was then, ms. */
  other: number
  otherAgeMs: number[]
}

interface Trimmer { closedByTrim: (c: Connection) => boolean }

export class ConnectionLives {
  private readonly lives = new Map<number, ConnectionLife>()
  /** Connections each remote peer (by PeerId) lost to a trimmer of a peer here. */
  private readonly trimmed = new Map<string, number>()

  /** Follow `node`'s connections from now on as peer `index`'s (again, after a rejoin: counts go on). */
  attach (index: number, node: CairnNode): void {
    const life = this.lives.get(index) ?? { atStart: node.getConnections().length, inbound: 0, outbound: 0, ownTrim: 0, other: 0, otherAgeMs: [] }
    this.lives.set(index, life)
    const trimmer = (node.services as { connectionTrimmer?: Trimmer }).connectionTrimmer
    node.addEventListener('connection:open', ({ detail: c }) => { if (c.direction === 'inbound') life.inbound++; else life.outbound++ })
    node.addEventListener('connection:close', ({ detail: c }) => {
      if (trimmer?.closedByTrim(c) === true) {
        life.ownTrim++
        const remote = c.remotePeer.toString()
        this.trimmed.set(remote, (this.trimmed.get(remote) ?? 0) + 1)
        return
      }
      life.other++
      life.otherAgeMs.push((c.timeline.close ?? Date.now()) - c.timeline.open)
    })
  }

  life (index: number): ConnectionLife | undefined { return this.lives.get(index) }

  /** How many connections trimmers here closed, by the remote peer's id. */
  trims (): Record<string, number> { return Object.fromEntries(this.trimmed) }
}
