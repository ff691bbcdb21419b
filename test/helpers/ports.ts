/**
 * Listen ports for nodes that stop and start again on the same address. A port the kernel hands
 * out for listen(0) comes from the ephemeral range, where any process's outgoing connection may
 * take it while the node is stopped (seen in CI: EADDRINUSE on a restart while other suites ran).
 * Ports below that range are never taken implicitly; each is checked free and handed out once per
 * process.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'

const handedOut = new Set<number>()
const LOWEST = 10_000

function ephemeralLow (): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])
    return Number.isInteger(low) && low > LOWEST + 1000 ? low : 32_768
  } catch {
    return 32_768
  }
}

async function isFree (port: number): Promise<boolean> {
  return new Promise(resolve => {
    const server = createServer()
    server.once('error', () => { resolve(false) })
    server.listen(port, '127.0.0.1', () => { server.close(() => { resolve(true) }) })
  })
}

/** A free loopback port below the ephemeral range, not handed out before in this process. */
export async function stablePort (): Promise<number> {
  const high = ephemeralLow()
  for (let i = 0; i < 500; i++) {
    const port = LOWEST + Math.floor(Math.random() * (high - LOWEST))
    if (handedOut.has(port)) continue
    handedOut.add(port)
    if (await isFree(port)) return port
  }
  throw new Error(`no free port between ${LOWEST} and ${high}`)
}
