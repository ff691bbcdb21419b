/**
 * A handle on an attachment's recipient running in a child process (recipient-host.ts). Sender and
 * recipient in one process share one JS thread: each end's Noise and yamux, the sender's reads and
 * seals, the recipient's opens, writes and syncs all run one after another and are timed together,
 * which no two users' machines do. Here each end has its own process, as the mailbox nodes have
 * (remote-mailboxes.ts), and the bare-stream baseline runs between the same two processes.
 */
import { fileURLToPath } from 'node:url'
import type { ConfigLayer } from '../../src/shared/config.js'
import { LineHost } from './line-host.js'
import type { RecipientArgs, RecipientRequest, SaveTiming, Usage } from './recipient-host.js'

export class RemoteRecipient {
  private constructor (private readonly host: LineHost<{ peerId: string, address: string }>) {}

  get peerId (): string { return this.host.ready.peerId }
  get address (): string { return this.host.ready.address }

  static async start (o: { root: string, overrides?: ConfigLayer }): Promise<RemoteRecipient> {
    const entry = fileURLToPath(new URL('./recipient-host.js', import.meta.url))
    const args: RecipientArgs = { root: o.root, ...(o.overrides === undefined ? {} : { overrides: o.overrides }) }
    // CAIRN_BENCH_PROFILE_RECIPIENT=DIR: a CPU profile of the recipient's process, written when it stops
    return new RemoteRecipient(await LineHost.start(entry, args, { what: 'recipient', profileEnv: 'CAIRN_BENCH_PROFILE_RECIPIENT' }))
  }

  async contactAdd (name: string, address: string): Promise<void> {
    await this.ask({ op: 'contact', name, address })
  }

  /** The recipient process's CPU so far, and its peak RSS since the last call. */
  async usage (): Promise<Usage> {
    return await this.ask({ op: 'usage' }) as Usage
  }

  /** `save` of message `id` into `out`, in the recipient's process. */
  async save (id: string, out: string): Promise<SaveTiming> {
    return await this.ask({ op: 'save', id, out }) as SaveTiming
  }

  /** From now on every file announced to the recipient is saved ahead into `out` (recipient-host.ts); undefined: no longer. */
  async saveAhead (out: string | undefined): Promise<void> {
    await this.ask({ op: 'saveAhead', ...(out === undefined ? {} : { out }) })
  }

  async stop (): Promise<void> { await this.host.stop() }

  private async ask (req: RecipientRequest): Promise<unknown> { return this.host.ask(req) }
}
