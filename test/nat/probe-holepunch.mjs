// Hole-punch probe (an experiment, not part of the test suite): N attempts of TCP DCUtR between
// host A and host B behind two NAT routers, each attempt in a fresh test bed (test/nat/testbed.ts)
// with a relay on the public segment. It uses the recipe of /work/shared/nat-example/peer.mjs, but
// with Cairn's own services (src/shared/node/observed-address.ts and direct-dial-gate.ts) and the
// patched libp2p in node_modules (patches/).
//
// Usage (root, Node 24):  node_modules/.bin/node test/nat/probe-holepunch.mjs [a|b|c] [attempts]
// Env: GATE=0 (no direct-dial gate), CONFIRM=0 (no observed-address service),
//      DEADLINE_MS (how long A waits for a direct connection, default 15000), KEEP_LOGS=1.
// The same file runs the relay and the peers inside the namespaces (ROLE=relay|peer).
import { spawn, execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const BUILD = join(ROOT, 'node_modules/.cache/cairn-nat-probe')
const T0 = Date.now()
const log = (...a) => console.log(`[${process.env.NAME ?? 'probe'} +${Date.now() - T0}ms]`, ...a)

if (process.env.ROLE == null) await orchestrate()
else await runNode()

// ---------------------------------------------------------------- orchestrator (outside the bed)

async function orchestrate () {
  const variant = process.argv[2] ?? 'a'
  const attempts = Number(process.argv[3] ?? 10)
  // compile only the files the probe needs; type stripping cannot run the .js-suffixed imports
  execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['--outDir', BUILD, '--rootDir', ROOT, '--module', 'nodenext',
    '--moduleResolution', 'nodenext', '--target', 'es2023', '--strict', '--skipLibCheck', '--types', 'node',
    'test/nat/testbed.ts', 'test/nat/netns.ts', 'src/shared/node/observed-address.ts', 'src/shared/node/direct-dial-gate.ts'],
  { cwd: ROOT, stdio: 'inherit' })
  const { createTestbed, natSupport, VARIANTS } = await import(pathToFileURL(join(BUILD, 'test/nat/testbed.js')).href)
  const support = natSupport()
  if (!support.ok) { console.log(`SKIP ${support.reason}`); process.exit(77) }

  const logRoot = mkdtempSync(join(tmpdir(), 'cairn-nat-probe-'))
  console.log(`variant ${variant} (${VARIANTS[variant].description}), ${attempts} attempts, gate=${process.env.GATE !== '0'} confirm=${process.env.CONFIRM !== '0'}`)
  const results = []
  for (let i = 1; i <= attempts; i++) {
    const bed = await createTestbed({ variant, publicHosts: 1 })
    const dir = join(logRoot, String(i))
    mkdirSync(dir)
    const lportA = 20000 + Math.floor(Math.random() * 20000)
    const lportB = lportA === 40000 ? 20001 : lportA + 1
    try {
      const start = (ns, env, name) => {
        const child = bed.spawn(ns, process.execPath, [fileURLToPath(import.meta.url)], {
          env: { ...process.env, ...env, NAME: name, PROBE_BUILD: BUILD }, stdio: ['ignore', 'pipe', 'pipe']
        })
        const lines = []
        const rl = createInterface({ input: child.stdout })
        rl.on('line', l => lines.push(l))
        child.stderr.on('data', d => lines.push(String(d).trimEnd()))
        child.once('exit', () => writeFileSync(join(dir, `${name}.log`), lines.join('\n') + '\n'))
        const waitFor = async (prefix, ms) => {
          const end = Date.now() + ms
          for (;;) {
            const hit = lines.find(l => l.startsWith(prefix))
            if (hit != null) return hit.slice(prefix.length).trim()
            if (child.exitCode != null || Date.now() > end) throw new Error(`${name}: no ${prefix.trim()} (see ${dir})`)
            await sleep(25)
          }
        }
        return { child, waitFor }
      }
      const relay = start(bed.hosts.pub[0].ns, { ROLE: 'relay', IP: bed.hosts.pub[0].ip }, 'relay')
      const relayAddr = await relay.waitFor('RELAY ', 15000)
      const b = start(bed.hosts.b.ns, { ROLE: 'peer', RELAY: relayAddr, LPORT: String(lportB) }, 'B')
      const circuit = await b.waitFor('CIRCUIT ', 20000)
      const a = start(bed.hosts.a.ns, { ROLE: 'peer', RELAY: relayAddr, LPORT: String(lportA), TARGET: circuit }, 'A')
      const res = JSON.parse(await a.waitFor('RESULT ', Number(process.env.DEADLINE_MS ?? 15000) + 20000))
      if (a.child.exitCode == null && a.child.signalCode == null) await once(a.child, 'exit') // A exits right after RESULT
      results.push(res)
      console.log(`${i} ${res.direct ? 'DIRECT' : 'relayed'} ${res.direct ? `${res.msToDirect} ms ${res.directAddr} ping ${res.pingMs} ms` : ''} conns=${JSON.stringify(res.aConnectionsToB)}`)
    } catch (err) {
      results.push({ direct: false, error: err.message })
      console.log(`${i} ERROR ${err.message}`)
    } finally {
      await bed.destroy()
    }
  }
  const ok = results.filter(r => r.direct)
  const ms = ok.map(r => r.msToDirect).sort((x, y) => x - y)
  const median = ms.length === 0 ? null : ms.length % 2 === 1 ? ms[(ms.length - 1) / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2
  console.log(`SUMMARY variant=${variant} direct ${ok.length}/${results.length}` +
    (ms.length > 0 ? `, ms to direct: median ${median} (min ${ms[0]}, max ${ms[ms.length - 1]})` : ''))
  if (process.env.KEEP_LOGS === '1') console.log(`logs in ${logRoot}`)
  else rmSync(logRoot, { recursive: true, force: true })
}

// ---------------------------------------------------------------- relay / peer (inside the bed)

async function runNode () {
  const { createLibp2p } = await import('libp2p')
  const { tcp } = await import('@libp2p/tcp')
  const { noise } = await import('@chainsafe/libp2p-noise')
  const { yamux } = await import('@chainsafe/libp2p-yamux')
  const { identify } = await import('@libp2p/identify')
  const { ping } = await import('@libp2p/ping')
  const { circuitRelayServer, circuitRelayTransport } = await import('@libp2p/circuit-relay-v2')
  const { dcutr } = await import('@libp2p/dcutr')
  const { multiaddr } = await import('@multiformats/multiaddr')
  const base = { connectionEncrypters: [noise()], streamMuxers: [yamux()] }
  const stopOnTerm = node => process.once('SIGTERM', () => { node.stop().finally(() => process.exit(0)) })

  if (process.env.ROLE === 'relay') {
    const announce = `/ip4/${process.env.IP}/tcp/4001`
    const node = await createLibp2p({
      ...base,
      // the relay's 0.0.0.0 transport addresses count as unverified; announce the public one
      addresses: { listen: ['/ip4/0.0.0.0/tcp/4001'], announce: [announce] },
      transports: [tcp()],
      services: {
        identify: identify(),
        ping: ping(),
        relay: circuitRelayServer({ reservations: { maxReservations: 128, defaultDataLimit: 1n << 24n, defaultDurationLimit: 120_000 } })
      }
    })
    stopOnTerm(node)
    console.log(`RELAY ${announce}/p2p/${node.peerId}`)
    return
  }

  const build = process.env.PROBE_BUILD
  const { confirmObservedAddresses } = await import(pathToFileURL(join(build, 'src/shared/node/observed-address.js')).href)
  const { directDialGate } = await import(pathToFileURL(join(build, 'src/shared/node/direct-dial-gate.js')).href)
  const relayAddr = multiaddr(process.env.RELAY)
  const trusted = new Set([process.env.RELAY.split('/p2p/').pop()])
  const trustedPeers = () => trusted
  const node = await createLibp2p({
    ...base,
    addresses: { listen: ['/p2p-circuit'] },
    transports: [
      // one fixed local port for every outbound TCP dial: the mapping the relay observes is the
      // mapping the punch uses (MASQUERADE keeps the source port when it can)
      tcp({ dialOpts: { localPort: Number(process.env.LPORT) } }),
      circuitRelayTransport({ reservationCompletionTimeout: 10_000 })
    ],
    ...(process.env.GATE === '0' ? {} : { connectionGater: { filterMultiaddrForPeer: directDialGate({ trustedPeers }) } }),
    services: {
      identify: identify(),
      ping: ping(),
      dcutr: dcutr(),
      ...(process.env.CONFIRM === '0' ? {} : { observed: confirmObservedAddresses({ trustedPeers }) })
    }
  })
  stopOnTerm(node)
  const isDirect = c => !c.remoteAddr.toString().includes('/p2p-circuit')
  let tDial = 0
  const result = { name: process.env.NAME, direct: false }
  node.addEventListener('connection:open', ({ detail: c }) => {
    log('connection:open', c.direction, c.remoteAddr.toString(), 'limited', c.limits != null)
    if (isDirect(c) && !trusted.has(c.remotePeer.toString()) && !result.direct) {
      Object.assign(result, { direct: true, directAddr: c.remoteAddr.toString(), directDir: c.direction, msToDirect: tDial === 0 ? null : Date.now() - tDial })
    }
  })
  node.addEventListener('connection:close', ({ detail: c }) => log('connection:close', c.remoteAddr.toString()))

  await node.dial(relayAddr)
  let circuit
  const end = Date.now() + 15000
  while ((circuit = node.getMultiaddrs().find(m => m.toString().includes('/p2p-circuit'))) == null) {
    if (Date.now() > end) { log('no circuit address; addrs', node.getMultiaddrs().map(String)); process.exit(3) }
    await sleep(50)
  }
  log('addrs', node.getMultiaddrs().map(String))
  if (process.env.TARGET == null) { console.log(`CIRCUIT ${circuit}`); return } // B: wait for A

  const target = multiaddr(process.env.TARGET)
  tDial = Date.now()
  const relayed = await node.dial(target)
  log('relayed connection', relayed.remoteAddr.toString(), 'in', Date.now() - tDial, 'ms')
  const stop = Date.now() + Number(process.env.DEADLINE_MS ?? 15000)
  while (!result.direct && Date.now() < stop) await sleep(25)
  await sleep(1500) // DCUtR closes the relayed connection after the punch
  result.aConnectionsToB = node.getConnections(relayed.remotePeer).map(c => `${c.remoteAddr}${c.limits != null ? ' (limited)' : ''} ${c.status}`)
  if (result.direct) {
    try { result.pingMs = await node.services.ping.ping(relayed.remotePeer) } catch (err) { result.pingErr = err.message }
  }
  console.log(`RESULT ${JSON.stringify(result)}`)
  await node.stop()
  process.exit(0)
}
