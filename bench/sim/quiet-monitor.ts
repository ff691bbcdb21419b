/**
 * libp2p's connection monitor pings every open connection every 10 s to measure its round-trip
 * time. Fifty peers in one process hold ~2,000 connection ends, so those pings alone kept about
 * half a CPU core busy while the simulation idled. They play no part in delivery (a stopped peer's
 * loopback connections close at once), so the simulation switches them off in its own process.
 */
export async function disableConnectionMonitor (): Promise<boolean> {
  const url = new URL('./connection-monitor.js', import.meta.resolve('libp2p'))
  const mod = await import(url.href) as { ConnectionMonitor?: { prototype: { start: () => void } } }
  if (mod.ConnectionMonitor === undefined) return false
  mod.ConnectionMonitor.prototype.start = function start () {}
  return true
}
