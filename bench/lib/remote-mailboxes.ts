/**
 * A handle on mailbox nodes running in a child process (mailbox-host.ts): what a suite needs to
 * use them as a client would (their addresses to bootstrap from) and to check on them (who holds
 * a recipient's mail). Running them out of the clients' process is what a deployment looks like and
 * how the peer systems' servers are benched; in one process, their work (fsyncs, acks, handover)
 * and the client's would share one event loop and be timed together.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { createInterface, type Interface } from 'node:readline'
import type { ConfigLayer } from '../../src/shared/config.js'

export class RemoteMailboxes {
  private constructor (
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    private readonly lines: AsyncIterator<string>,
    readonly nodes: Array<{ peerId: string, address: string }>
  ) {}

  static async start (o: { root: string, count: number, overrides: ConfigLayer }): Promise<RemoteMailboxes> {
    const entry = fileURLToPath(new URL('./mailbox-host.js', import.meta.url))
    // CAIRN_BENCH_PROFILE_HOST=DIR: a CPU profile of the mailbox nodes' process, written when it stops
    const profileDir = process.env.CAIRN_BENCH_PROFILE_HOST
    const profile = profileDir === undefined || profileDir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]
    const child = spawn(process.execPath, [...profile, entry, JSON.stringify(o)], { stdio: ['pipe', 'pipe', 'inherit'] })
    const rl: Interface = createInterface({ input: child.stdout })
    const lines = rl[Symbol.asyncIterator]()
    const first = await lines.next()
    const hello = JSON.parse(first.done === true ? '{"error":"mailbox host exited before it was ready"}' : first.value) as { ready?: RemoteMailboxes['nodes'], error?: string }
    if (hello.ready === undefined) {
      child.kill('SIGKILL')
      throw new Error(`mailbox host: ${hello.error ?? 'no answer'}`)
    }
    return new RemoteMailboxes(child, lines, hello.ready)
  }

  /** Bootstrap addresses, as a real list would offer: a few of the nodes. */
  get bootstrap (): string[] {
    return this.nodes.slice(0, 3).map(n => n.address)
  }

  /** The nodes that hold mail for `recipient` now. */
  async holders (recipient: string): Promise<string[]> {
    return (await this.ask({ op: 'holders', recipient }) as { holders: string[] }).holders
  }

  async stop (): Promise<void> {
    if (this.child.exitCode !== null) return
    const exited = once(this.child, 'exit')
    this.child.stdin.end(JSON.stringify({ op: 'stop' }) + '\n')
    const timer = setTimeout(() => { this.child.kill('SIGKILL') }, 30_000)
    await exited
    clearTimeout(timer)
  }

  private async ask (req: unknown): Promise<unknown> {
    this.child.stdin.write(JSON.stringify(req) + '\n')
    const next = await this.lines.next()
    if (next.done === true) throw new Error('mailbox host exited')
    return JSON.parse(next.value)
  }
}
