/** Waiting in loopback tests: for what a user would see, never for a fixed time (test/README.md). */
import { setTimeout as sleep } from 'node:timers/promises'

/** Poll `ok` every 25 ms until it holds; throws naming `what` after `ms` (a generous bound, for slow machines). */
export async function waitFor (what: string, ok: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!await ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}
