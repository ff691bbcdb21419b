/**
 * Listen ports for nodes that stop and start again on the same address. A port the kernel hands
 * out for listen(0) comes from the ephemeral range, where any process's outgoing connection may
 * take it while the node is stopped (seen in CI: EADDRINUSE on a restart while other suites ran).
 * Ports below that range are never taken implicitly; each is checked free and handed out once.
 * Test files run in parallel processes, so "once" is across processes: a port is reserved by
 * creating a file named after it (exclusive create) that holds the owner's pid, and a reservation
 * whose owner has exited is taken over. Without it, two suites checked the same port free and the
 * second to listen failed with EADDRINUSE (seen in CI).
 */
import { mkdirSync, openSync, readFileSync, closeSync, writeSync, unlinkSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

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

const reservations = join(tmpdir(), 'cairn-test-ports')

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Reserve `port` for this process across every test process on the machine. */
function reserve (port: number): boolean {
  mkdirSync(reservations, { recursive: true })
  const file = join(reservations, String(port))
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return true
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const owner = Number(readFileSync(file, 'utf8'))
      // an empty file is a reservation being written right now
      if (!Number.isInteger(owner) || owner <= 0 || owner === process.pid || alive(owner)) return false
      try { unlinkSync(file) } catch { /* another process took it over first */ } // the owner is gone
    }
  }
  return false
}

/** A free loopback port below the ephemeral range, not handed out before to any test process. */
export async function stablePort (): Promise<number> {
  const high = ephemeralLow()
  for (let i = 0; i < 500; i++) {
    const port = LOWEST + Math.floor(Math.random() * (high - LOWEST))
    if (handedOut.has(port)) continue
    handedOut.add(port)
    if (reserve(port) && await isFree(port)) return port
  }
  throw new Error(`no free port between ${LOWEST} and ${high}`)
}
