/**
 * What the anonymous lookup costs the direct route (issue 15): a cold direct send, i.e. to an
 * online recipient the sender has no connection to and no address for, so the send includes the
 * lookup of the recipient's addresses. From a sender with anonymous deposits on (a FIND_NODE walk
 * for the recipient's peer-id key from its ephemeral host, client/anonymous/dht-walk.ts) against
 * one with them off (kad-dht's findPeer, which the dial runs under the sender's PeerId); the two
 * alternate. Before each send the sender hangs up on the recipient and forgets its addresses (and
 * that an earlier attempt failed); only sends that went direct are timed.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CairnClient } from '../../src/client/client.js'
import type { ConfigLayer } from '../../src/shared/config.js'
import { silentLogger } from '../../src/shared/logger.js'
import { parsePeerId } from '../../src/shared/peer-id.js'
import { Cluster, addressOf, peerConfig } from '../lib/cluster.js'
import { row, type Row } from '../lib/report.js'
import { now, quantile } from '../lib/stats.js'
import { stablePort } from '../../test/helpers/ports.js'

export interface PrivacyDirectOptions { sends: number, mailboxNodes: number, textBytes: number }

/** A client (no mailbox) joined through `bootstrap`, with `delivery` overrides. */
async function client (root: string, name: string, bootstrap: string[], delivery: Record<string, unknown>): Promise<CairnClient> {
  const overrides: ConfigLayer = { delivery }
  const config = peerConfig(join(root, name), await stablePort(), { mailbox: false, bootstrap, overrides })
  await CairnClient.init(config)
  const c = await CairnClient.open({ config, log: silentLogger() })
  await c.networkReady()
  return c
}

export async function privacyDirectSuite (o: PrivacyDirectOptions): Promise<Row[]> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-privacy-direct-'))
  const cluster = new Cluster({ root: join(root, 'cluster'), mailbox: true })
  const clients: CairnClient[] = []
  try {
    await cluster.addMany('mbx', o.mailboxNodes)
    await cluster.warm()
    const bootstrap = cluster.online().slice(0, 3).map(addressOf)
    const make = async (name: string, delivery: Record<string, unknown>): Promise<CairnClient> => {
      const c = await client(root, name, bootstrap, delivery)
      clients.push(c)
      return c
    }
    const bob = await make('bob', {})
    const senders = { own: await make('sender-own', { anonymousDeposits: false }), anonymous: await make('sender-anonymous', { anonymousDeposits: true }) }
    const bobId = parsePeerId(bob.identity.peerId.toString())
    const text = 'x'.repeat(o.textBytes)
    const samples: Record<keyof typeof senders, number[]> = { own: [], anonymous: [] }
    const fellBack: Record<string, number> = {}
    for (const s of Object.values(senders)) {
      await s.contactAdd('bob', bobId.toString()) // the PeerId only
      await s.send('bob', 'warm-up') // the session, and the ephemeral host's connections of this window
    }
    for (let i = 0; i < o.sends; i++) {
      for (const [k, s] of Object.entries(senders) as Array<[keyof typeof senders, CairnClient]>) {
        const node = s.node
        if (node === undefined) throw new Error('a sender is offline')
        await node.hangUp(bobId)
        await node.peerStore.delete(bobId)
        // one failed attempt would send the next 30 s of sends straight to the mailbox
        ;(s.messenger.routes[0] as unknown as { unreachable: Map<string, number> }).unreachable.clear()
        const t0 = now()
        const sent = await s.send('bob', `${i}:${text}`.slice(0, o.textBytes))
        // a send that did not go direct is counted, not timed: it measured a failure, not a lookup
        if (sent.route === 'direct') samples[k].push(now() - t0)
        else fellBack[k] = (fellBack[k] ?? 0) + 1
      }
    }
    const base = 'the same from a sender with anonymous deposits off (the dial\'s kad-dht findPeer)'
    const notes = `${o.mailboxNodes} DHT servers; hang-up and peer-store delete before each send; sends that did not go direct: ${JSON.stringify(fellBack)}`
    return [
      row({ name: 'anon.directCold.p50', label: 'direct send to an online recipient with no connection or address, its lookup from an ephemeral identity, p50', unit: 'ms', value: quantile(samples.anonymous, 0.5), baseline: base, baselineValue: quantile(samples.own, 0.5), better: 'lower', samples: samples.anonymous.length, stat: 'p50', notes }),
      row({ name: 'anon.directCold.p99', label: 'direct send to an online recipient with no connection or address, its lookup from an ephemeral identity, p99', unit: 'ms', value: quantile(samples.anonymous, 0.99), baseline: base, baselineValue: quantile(samples.own, 0.99), better: 'lower', samples: samples.anonymous.length, stat: 'p99' })
    ]
  } finally {
    for (const c of clients) await c.stop().catch(() => {})
    await cluster.stopAll()
    await rm(root, { recursive: true, force: true })
  }
}
