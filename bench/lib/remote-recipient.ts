/**
 * A handle on an attachment's recipient running in a child process (recipient-host.ts). Sender and
 * recipient in one process share one JS thread: each end's Noise and yamux, the sender's reads and
 * seals, the recipient's opens, writes and syncs all run one after another and are timed together,
 * which no two users' machines do. Here each end has its own process, as the mailbox nodes have
 * (remote-mailboxes.ts), and the bare-stream baseline runs between the same two processes.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import type { ConfigLayer } from '../../src/shared/config.js'
import { reapOnExit } from './reap.js'
import type { RecipientArgs, RecipientRequest, SaveTiming, Usage } from './recipient-host.js'

export class RemoteRecipient {
  private queue: Promise<unknown> = Promise.resolve()

  private constructor (
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    private readonly lines: AsyncIterator<string>,
    readonly peerId: string,
    readonly address: string
  ) {}

  static async start (o: { root: string, overrides?: ConfigLayer }): Promise<RemoteRecipient> {
    const entry = fileURLToPath(new URL('./recipient-host.js', import.meta.url))
    // CAIRN_BENCH_PROFILE_RECIPIENT=DIR: a CPU profile of the recipient's process, written when it stops
    const profileDir = process.env.CAIRN_BENCH_PROFILE_RECIPIENT
    const profile = profileDir === undefined || profileDir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]
    const args: RecipientArgs = { root: o.root, ...(o.overrides === undefined ? {} : { overrides: o.overrides }) }
    const child = reapOnExit(spawn(process.execPath, [...profile, entry, JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'inherit'] }))
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
    const first = await lines.next()
    const hello = JSON.parse(first.done === true ? '{"error":"recipient exited before it was ready"}' : first.value) as { ready?: { peerId: string, address: string }, error?: string }
    if (hello.ready === undefined) {
      child.kill('SIGKILL')
      throw new Error(`recipient: ${hello.error ?? 'no answer'}`)
    }
    return new RemoteRecipient(child, lines, hello.ready.peerId, hello.ready.address)
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

  async stop (): Promise<void> {
    if (this.child.exitCode !== null) return
    const exited = once(this.child, 'exit')
    this.child.stdin.end(JSON.stringify({ op: 'stop' }) + '\n')
    const timer = setTimeout(() => { this.child.kill('SIGKILL') }, 30_000)
    await exited
    clearTimeout(timer)
  }

  /** One request, one answer line; requests wait for the one before. */
  private async ask (req: RecipientRequest): Promise<unknown> {
    const turn = this.queue.then(async () => {
      this.child.stdin.write(JSON.stringify(req) + '\n')
      const next = await this.lines.next()
      if (next.done === true) throw new Error('recipient exited')
      const answer = JSON.parse(next.value) as { error?: string }
      if (answer.error !== undefined) throw new Error(`recipient: ${answer.error}`)
      return answer
    })
    this.queue = turn.catch(() => {})
    return turn
  }
}
