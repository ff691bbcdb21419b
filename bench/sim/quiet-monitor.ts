import { Socket } from 'node:net'

/**
 * libp2p's liveness pings, switched off in a simulation's processes. The connection monitor pings
 * every open connection every 10 s to measure its round-trip time, and yamux pings every
 * connection every 30 s to keep it alive. Fifty peers in one process hold ~2,000 connection ends,
 * so the monitor's pings alone kept about half a CPU core busy while the simulation idled, and in
 * a profile of 100 peers in one process yamux's keep-alive was 5 % of all CPU time. Neither plays
 * a part in delivery (a stopped peer's loopback connections close at once), so the simulation
 * switches both off in its own processes (`--connection-monitor` keeps them).
 *
 * With no pings, a connection that carries nothing for 2 min hits @libp2p/tcp's socket inactivity
 * timeout and closes, and libp2p's reconnect queue dials every peer kad-dht tagged keep-alive (a
 * node's closest peers) again: a Noise handshake and identify both ways, every 2 min in every
 * peer. That was most of an idle network's CPU (100 peers: 0.36 CPU-s per wall-s, peaks of 0.6–1.2
 * every other minute; docs/BENCHMARKS.md, "The idle network"). In the product the pings keep a
 * connection from ever idling out, so the simulation keeps idle sockets open instead.
 */
export async function disableConnectionMonitor (): Promise<boolean> {
  const url = new URL('./connection-monitor.js', import.meta.resolve('libp2p'))
  const mod = await import(url.href) as { ConnectionMonitor?: { prototype: { start: () => void } } }
  if (mod.ConnectionMonitor === undefined) return false
  mod.ConnectionMonitor.prototype.start = function start () {}
  return true
}

/** Yamux's keep-alive pings off for every muxer created from now on in this process. */
export async function disableKeepAlive (): Promise<boolean> {
  const mod = await import('@chainsafe/libp2p-yamux/config') as { defaultConfig?: { enableKeepAlive?: boolean } }
  if (mod.defaultConfig?.enableKeepAlive === undefined) return false
  mod.defaultConfig.enableKeepAlive = false
  return true
}

/** Sockets with no traffic stay open, as pings keep them in the product: no inactivity timeout for any socket of this process. */
export function keepIdleSockets (): void {
  const proto = Socket.prototype as unknown as { setTimeout: (ms: number, callback?: () => void) => Socket }
  const set = proto.setTimeout
  proto.setTimeout = function (this: Socket, _ms: number, callback?: () => void) { return set.call(this, 0, callback) }
}

/** Both liveness pings off in this process, and idle sockets kept open. */
export async function quietLiveness (): Promise<void> {
  await disableConnectionMonitor()
  await disableKeepAlive()
  keepIdleSockets()
}
