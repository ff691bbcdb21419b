/**
 * A child process the bench drives over JSON lines (mailbox-host.ts, recipient-host.ts): started
 * with its arguments as one JSON string, it answers a first line `{ ready }` (or `{ error }`), then
 * one line per request, in order. `CAIRN_BENCH_PROFILE_<…>=DIR` (named by the caller) writes a CPU
 * profile of the child when it stops.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import { reapOnExit } from './reap.js'

export class LineHost<Ready> {
  private queue: Promise<unknown> = Promise.resolve()

  private constructor (
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    private readonly lines: AsyncIterator<string>,
    private readonly what: string,
    readonly ready: Ready
  ) {}

  /** Start `entry` with `args`; resolves once it said it is ready. `what` names it in errors. */
  static async start<Ready>(entry: string, args: unknown, o: { what: string, profileEnv: string }): Promise<LineHost<Ready>> {
    const profileDir = process.env[o.profileEnv]
    const profile = profileDir === undefined || profileDir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]
    const child = reapOnExit(spawn(process.execPath, [...profile, entry, JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'inherit'] }))
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
    const first = await lines.next()
    const hello = JSON.parse(first.done === true ? `{"error":"${o.what} exited before it was ready"}` : first.value) as { ready?: Ready, error?: string }
    if (hello.ready === undefined) {
      child.kill('SIGKILL')
      throw new Error(`${o.what}: ${hello.error ?? 'no answer'}`)
    }
    return new LineHost(child, lines, o.what, hello.ready)
  }

  /** One request, one answer line (an answer `{ error }` throws); requests wait for the one before. */
  async ask (req: unknown): Promise<unknown> {
    const turn = this.queue.then(async () => {
      this.child.stdin.write(JSON.stringify(req) + '\n')
      const next = await this.lines.next()
      if (next.done === true) throw new Error(`${this.what} exited`)
      const answer = JSON.parse(next.value) as { error?: string }
      if (answer.error !== undefined) throw new Error(`${this.what}: ${answer.error}`)
      return answer
    })
    this.queue = turn.catch(() => {})
    return turn
  }

  /** Ask it to stop; killed if it has not exited 30 s later. */
  async stop (): Promise<void> {
    if (this.child.exitCode !== null) return
    const exited = once(this.child, 'exit')
    this.child.stdin.end(JSON.stringify({ op: 'stop' }) + '\n')
    const timer = setTimeout(() => { this.child.kill('SIGKILL') }, 30_000)
    await exited
    clearTimeout(timer)
  }
}
