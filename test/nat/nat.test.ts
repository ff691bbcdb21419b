/**
 * NAT traversal end to end, on real Linux NAT: the `cairn` binary in network namespaces
 * (testbed.ts, cairn-bed.ts), one fresh test bed per test. Needs root (network namespaces,
 * iptables); without it every test is skipped with the reason.
 *
 *  - variant a (home router: endpoint-independent NAT + dropping firewall): both users end up
 *    private, the relay public; a send from A to B opens a relayed connection, DCUtR punches a
 *    direct one to B's router, and later messages go over it. B goes offline: the message goes to
 *    the mailbox, and B gets it when it comes back and syncs.
 *  - variant b (the router answers unsolicited SYNs with RST): the punch fails; messages arrive
 *    through the relay.
 *  - variant c (symmetric NAT): the punch fails; messages arrive through the relay until its data
 *    limit is exhausted, then through the mailbox. Nothing is lost, nothing shown twice.
 */
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import type { InboxView, StatusInfo } from '../../src/client/api.js'
import type { SendResult } from '../../src/client/delivery.js'
import { connectionsTo, directConnection, settle, startCairnNat, waitFor, DIAL_PORT, RELAY_PORT, type CairnNat, type CairnNatOptions, type CairnUser } from './cairn-bed.js'
import { natSupport } from './testbed.js'

/** Builds a bed, runs `body`, and always tears it down; on failure the processes' logs go to the report. */
async function onBed (t: TestContext, options: CairnNatOptions, body: (nat: CairnNat) => Promise<void>): Promise<void> {
  const support = natSupport()
  if (!support.ok) {
    t.skip(support.reason)
    return
  }
  const nat = await startCairnNat(options)
  try {
    await Promise.all([nat.alice.startDaemon(), nat.bob.startDaemon()])
    await settle(nat)
    await body(nat)
  } catch (err) {
    t.diagnostic(`test bed ${nat.bed.id} (variant ${nat.variant}) logs:\n${nat.logs()}`)
    throw err
  } finally {
    await nat.destroy()
  }
}

const status = async (u: CairnUser): Promise<StatusInfo> => u.json<StatusInfo>(['status'])
const send = async (from: CairnUser, to: string, text: string): Promise<SendResult> => from.json<SendResult>(['send', to, text])
const inbox = async (u: CairnUser): Promise<InboxView[]> => u.json<InboxView[]>(['inbox'])

/** Every id in `sent` appears in `box` exactly once. */
function assertEachOnce (box: InboxView[], sent: SendResult[]): void {
  for (const s of sent) assert.equal(box.filter(m => m.id === s.id).length, 1, `message ${s.id} must be in the inbox exactly once; inbox: ${JSON.stringify(box.map(m => m.id))}`)
  assert.equal(new Set(box.map(m => m.id)).size, box.length, 'no message is shown twice')
}

/** Both users behind NAT are private, reserved on the relay, and reach the relay directly on its public address. */
async function assertReachability (nat: CairnNat): Promise<void> {
  // The mailbox node has no status command; what it announces (its start-up line) and how the
  // clients reach it show that it is public: a public direct address, dialled without a relay.
  assert.ok(nat.relay.addresses.includes(`/ip4/${nat.relay.host.ip}/tcp/${RELAY_PORT}/p2p/${nat.relay.peerId}`), `the mailbox node announces its public address: ${nat.relay.addresses.join(', ')}`)
  assert.ok(nat.relay.addresses.every(a => !a.includes('/p2p-circuit')), 'the public node needs no relay address')
  for (const u of [nat.alice, nat.bob]) {
    const s = await status(u)
    assert.equal(s.reachability, 'private', `${u.name} is behind NAT, so private; addresses: ${s.addresses.join(', ')}`)
    assert.deepEqual(s.relays, [nat.relay.peerId], `${u.name} holds a reservation on the relay`)
    assert.ok(s.addresses.some(a => a.startsWith(`${nat.relay.addr}/p2p-circuit/p2p/${u.peerId}`)), `${u.name} advertises its relay address: ${s.addresses.join(', ')}`)
    const toRelay = connectionsTo(s, nat.relay.peerId)
    assert.ok(toRelay.some(c => c.remoteAddr.startsWith(`/ip4/${nat.relay.host.ip}/tcp/${RELAY_PORT}`) && !c.relayed && !c.limited),
      `${u.name} reaches the public node directly at its public address: ${JSON.stringify(toRelay)}`)
  }
}

test('variant a (home router): private peers, DCUtR upgrades to a direct connection, mailbox while B is offline', async t => {
  await onBed(t, { variant: 'a' }, async nat => {
    const { alice, bob } = nat
    await assertReachability(nat)

    const sent: SendResult[] = []
    sent.push(await send(alice, 'bob', 'first: opens a relayed connection, which DCUtR upgrades'))
    assert.equal(sent[0]?.route, 'direct', 'bob is online: delivered by the direct route')

    // the punch: an unlimited, unrelayed connection to bob's router, from his fixed dial port
    const direct = await waitFor(async () => directConnection(await status(alice), bob), 15_000, 200)
    assert.ok(direct !== undefined, `alice has a direct connection to bob's router ${bob.wanIp}: ${JSON.stringify(connectionsTo(await status(alice), bob.peerId))}`)
    assert.equal(direct.remoteAddr, `/ip4/${bob.wanIp}/tcp/${DIAL_PORT}/p2p/${bob.peerId}`)
    assert.equal(direct.limited, false)
    // DCUtR closes the relayed connection once the direct one is up: from here on, only the
    // direct connection to bob is left for the messages to travel over
    const onlyDirect = await waitFor(async () => {
      const conns = connectionsTo(await status(alice), bob.peerId)
      return conns.length > 0 && conns.every(c => !c.relayed && !c.limited) ? conns : undefined
    }, 10_000, 200)
    assert.ok(onlyDirect !== undefined, `the relayed connection to bob is closed after the upgrade: ${JSON.stringify(connectionsTo(await status(alice), bob.peerId))}`)
    const bobSide = directConnection(await status(bob), alice)
    assert.ok(bobSide !== undefined, 'bob sees the same direct connection, to alice\'s router')

    for (const text of ['second, over the punched connection', 'third, over the punched connection']) {
      const r = await send(alice, 'bob', text)
      assert.equal(r.route, 'direct')
      sent.push(r)
      const conns = connectionsTo(await status(alice), bob.peerId)
      assert.ok(conns.length > 0 && conns.every(c => !c.relayed && !c.limited && c.remoteAddr.startsWith(`/ip4/${bob.wanIp}/`)),
        `the message went over the direct connection, the only one to bob: ${JSON.stringify(conns)}`)
    }
    assertEachOnce(await inbox(bob), sent)

    // bob goes offline behind his NAT: the mailbox takes the message
    await bob.stopDaemon()
    const offline = await send(alice, 'bob', 'while you were away')
    assert.equal(offline.route, 'mailbox', 'bob is offline: the message waits at his mailbox')
    assert.equal(offline.replicas, 1)
    sent.push(offline)
    // bob comes back (no daemon: `cairn sync` runs its own node behind the NAT) and collects it
    const synced = await bob.json<{ received: number }>(['sync'])
    assert.equal(synced.received, 1, 'bob collects the waiting message')
    assertEachOnce(await inbox(bob), sent)
  })
})

test('variant b (router RSTs unsolicited SYNs): the punch fails, messages arrive through the relay', async t => {
  await onBed(t, { variant: 'b' }, async nat => {
    const { alice, bob } = nat
    for (const u of [alice, bob]) assert.equal((await status(u)).reachability, 'private', `${u.name} is private`)
    const sent: SendResult[] = []
    for (const text of ['one, through the relay', 'two, through the relay']) {
      const r = await send(alice, 'bob', text)
      assert.equal(r.route, 'direct', 'delivered to bob himself, over the relayed connection')
      sent.push(r)
    }
    const conns = connectionsTo(await status(alice), bob.peerId)
    assert.ok(conns.some(c => c.relayed && c.limited && c.remoteAddr.startsWith(`${nat.relay.addr}/p2p-circuit`)), `a relayed, limited connection to bob: ${JSON.stringify(conns)}`)
    assert.equal(directConnection(await status(alice), bob), undefined, 'no direct connection: the first punch SYN meets a RST')
    assertEachOnce(await inbox(bob), sent)
  })
})

test('variant c (symmetric NAT): messages arrive through the relay, then through the mailbox once its limit is exhausted', async t => {
  // 64 KiB per relayed connection (both directions): two 20 KB messages fit, the third cannot
  const limit = 64 * 1024
  await onBed(t, { variant: 'c', relayEnv: { CAIRN_RELAY_DATA_LIMIT_BYTES: String(limit) } }, async nat => {
    const { alice, bob } = nat
    for (const u of [alice, bob]) assert.equal((await status(u)).reachability, 'private', `${u.name} is private`)
    const body = 'x'.repeat(20_000)
    const sent: SendResult[] = []
    const first = await send(alice, 'bob', `0 ${body}`)
    assert.equal(first.route, 'direct', 'the first message reaches bob through the relay')
    sent.push(first)
    const conns = connectionsTo(await status(alice), bob.peerId)
    assert.ok(conns.some(c => c.relayed && c.limited), `over a relayed, limited connection: ${JSON.stringify(conns)}`)
    assert.equal(directConnection(await status(alice), bob), undefined, 'symmetric NAT: no punched connection')

    // keep writing until the relay's data limit cuts the circuit and a message takes the mailbox
    for (let i = 1; i <= 6 && !sent.some(s => s.route === 'mailbox'); i++) sent.push(await send(alice, 'bob', `${i} ${body}`))
    const routes = sent.map(s => s.route)
    assert.ok(routes.includes('mailbox'), `the relay's ${limit}-byte limit sends a message to the mailbox: ${routes.join(', ')}`)
    assert.ok(!routes.includes('outbox'), `every message left alice: ${routes.join(', ')}`)

    await bob.json(['sync'])
    assertEachOnce(await inbox(bob), sent)
  })
})
