/**
 * A handle on mailbox nodes running in a child process (mailbox-host.ts): what a suite needs to
 * use them as a client would (their addresses to bootstrap from) and to check on them (who holds
 * a recipient's mail). Running them out of the clients' process is what a deployment looks like and
 * how the peer systems' servers are benched; in one process, their work (fsyncs, acks, handover)
 * and the client's would share one event loop and be timed together.
 */
import { fileURLToPath } from 'node:url'
import type { ConfigLayer } from '../../src/shared/config.js'
import { LineHost } from './line-host.js'

export class RemoteMailboxes {
  private constructor (private readonly host: LineHost<Array<{ peerId: string, address: string }>>) {}

  get nodes (): Array<{ peerId: string, address: string }> { return this.host.ready }

  static async start (o: { root: string, count: number, overrides: ConfigLayer }): Promise<RemoteMailboxes> {
    const entry = fileURLToPath(new URL('./mailbox-host.js', import.meta.url))
    // CAIRN_BENCH_PROFILE_HOST=DIR: a CPU profile of the mailbox nodes' process, written when it stops
    return new RemoteMailboxes(await LineHost.start(entry, o, { what: 'mailbox host', profileEnv: 'CAIRN_BENCH_PROFILE_HOST' }))
  }

  /** Bootstrap addresses, as a real list would offer: a few of the nodes. */
  get bootstrap (): string[] {
    return this.nodes.slice(0, 3).map(n => n.address)
  }

  /** The nodes that hold mail for `recipient` now. */
  async holders (recipient: string): Promise<string[]> {
    return (await this.ask({ op: 'holders', recipient }) as { holders: string[] }).holders
  }

  async stop (): Promise<void> { await this.host.stop() }

  private async ask (req: unknown): Promise<unknown> { return this.host.ask(req) }
}
