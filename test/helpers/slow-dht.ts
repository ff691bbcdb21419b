/**
 * DHT servers that answer slowly but steadily, as on a slow machine: real mailbox nodes whose
 * FIND_NODE handler holds the answers for one key back, one at a time, on a manual clock.
 */
import type { TestContext } from 'node:test'
import type { PeerId } from '@libp2p/interface'
import { MessageType } from '@libp2p/kad-dht'
import type { OperatorNode } from '../../src/mailbox/operator-node.js'
import type { ManualClock } from '../../src/shared/clock.js'

interface FindNodeHandler { handle: (peer: PeerId, msg: { key?: Uint8Array }) => Promise<unknown> }

/**
 * From now on, `servers` answer FIND_NODE for `key` one at a time, `gapMs` of `clock` time after
 * the previous answer (never, with Infinity). Other keys are answered as before. Returns how many
 * answers for `key` went out.
 */
export function answerSlowly (servers: OperatorNode[], key: Uint8Array, clock: ManualClock, gapMs: number): { answered: number } {
  const wanted = Buffer.from(key).toString('hex')
  const count = { answered: 0 }
  let last: Promise<void> = Promise.resolve()
  for (const op of servers) {
    const handlers = (op.node.services.dht as unknown as { rpc: { handlers: Record<string, FindNodeHandler> } }).rpc.handlers
    const honest = handlers[MessageType.FIND_NODE] as FindNodeHandler
    handlers[MessageType.FIND_NODE] = {
      handle: async (peer, msg) => {
        if (Buffer.from(msg.key ?? []).toString('hex') === wanted) {
          const turn = last.then(async () => gapMs === Infinity ? new Promise<void>(() => {}) : clock.sleep(gapMs))
          last = turn
          await turn
          count.answered++
        }
        return honest.handle(peer, msg)
      }
    }
  }
  return count
}

/** Move `clock` on 1 s every 20 ms of real time until the test ends. */
export function tick (t: TestContext, clock: ManualClock): void {
  const timer = setInterval(() => { clock.advance(1000) }, 20)
  t.after(() => { clearInterval(timer) })
}
