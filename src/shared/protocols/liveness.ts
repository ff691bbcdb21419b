/**
 * Whether the peer at the other end of a connection is still there: a ping of the connection's
 * multiplexer (yamux's own ping frame, answered by the peer's muxer as soon as its event loop reads
 * it: no stream, no protocol negotiation, no stream limit). A request's idle deadline asks it
 * before giving up (idle-deadline.ts): a peer that is busy on our request (a slow disk, a small
 * CPU) sends nothing on the stream until its answer is ready, but still answers this; a peer that
 * stalled (hung, frozen, gone) does not.
 */
import type { Connection } from '@libp2p/interface'

/** A check that resolves if the peer answered, and rejects otherwise (or when `signal` aborts). */
export type Probe = (signal: AbortSignal) => Promise<void>

/** What libp2p's Connection holds and its interface does not export: the muxer, yamux here. */
interface MuxedConnection { muxer?: { ping?: (options?: { signal?: AbortSignal }) => Promise<number> } }

/**
 * A probe of `connection`'s peer, or undefined when its muxer has no ping (another muxer than
 * yamux; the deadline then fires on silence alone, as before).
 */
export function connectionProbe (connection: Connection): Probe | undefined {
  const muxer = (connection as unknown as MuxedConnection).muxer
  if (typeof muxer?.ping !== 'function') return undefined
  const ping = muxer.ping.bind(muxer)
  return async (signal) => {
    if (connection.status !== 'open') throw new Error('connection closed')
    // the ping itself is never aborted: yamux forgets an aborted ping, and its answer arriving
    // later is a protocol error that closes the whole connection (@chainsafe/libp2p-yamux 8);
    // a ping left waiting is shared by the next (yamux keeps one in flight), or ends with the muxer
    const answered = ping()
    answered.catch(() => {})
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => { reject(signal.reason) }
      if (signal.aborted) { onAbort(); return }
      signal.addEventListener('abort', onAbort, { once: true })
      answered.then(() => { signal.removeEventListener('abort', onAbort); resolve() }, (err: unknown) => { signal.removeEventListener('abort', onAbort); reject(err) })
    })
  }
}
