/**
 * A user's Cairn node: the store, the identity, the libp2p host with the direct protocol, the
 * messenger and the contact book, started together and stopped together. Implements ClientApi,
 * which the CLI calls in-process and the daemon serves to other processes.
 */
import { gossipsub, StrictNoSign } from '@libp2p/gossipsub'
import type { PrivateKey } from '@libp2p/interface'
import { isPrivate } from '@libp2p/utils'
import { CODE_P2P, multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { PublicKey } from '@signalapp/libsignal-client'
import { systemClock, type Clock } from '../shared/clock.js'
import type { CairnConfig } from '../shared/config.js'
import { ensureDataDir, paths } from '../shared/data-dir.js'
import { InvalidInputError, describeError } from '../shared/errors.js'
import type { Logger } from '../shared/logger.js'
import { createNode, type CairnNode } from '../shared/node/create-node.js'
import type { ConfirmObservedAddresses } from '../shared/node/observed-address.js'
import { parsePeerId } from '../shared/peer-id.js'
import { joinDht } from '../shared/placement.js'
import { Store } from '../shared/store.js'
import type { ClientApi, IdInfo, InboxView, StatusInfo, SyncProgress, SyncResult, VerifyInfo } from './api.js'
import { Contacts, type BlockChange, type BlockedPeer, type ContactView } from './contacts.js'
import { availablePreKeys } from './crypto/prekeys.js'
import { keyFingerprint, safetyNumber } from './crypto/safety-number.js'
import type { SendResult } from './delivery.js'
import { DirectRoute } from './direct/direct-route.js'
import { DirectService } from './direct/direct-service.js'
import { Groups, type GroupView } from './groups/index.js'
import { withGaps } from './groups/gaps.js'
import { GroupTopics, type TopicPubSub } from './groups/group-gossip.js'
import { createIdentity, loadIdentity, type LocalIdentity } from './identity.js'
import { Messenger } from './messenger.js'
import { publishBundles, type PublishResult } from './mailbox/bundle-publisher.js'
import { collectMail } from './mailbox/mailbox-collect.js'
import { MailboxRoute } from './mailbox/mailbox-route.js'
import { senderPolicy } from './senders/index.js'
import { todaysCounts } from './senders/stranger-quota.js'
import { Mailbox } from '../mailbox/index.js'

export interface ClientOptions {
  config: CairnConfig
  log: Logger
  clock?: Clock
  /** Start the libp2p host (false: store-only commands such as `inbox` and `contact`). */
  network?: boolean
}

export class CairnClient implements ClientApi {
  node?: CairnNode
  /** Set when this peer also serves as a mailbox (config mailbox.enabled). */
  mailbox?: Mailbox
  private direct?: DirectService
  private groupTopics?: GroupTopics
  /**
   * The DHT join runs behind start-up: a message to a contact whose address we know needs none of
   * it, and a one-shot `cairn send` must not wait ~15 s for a Kademlia server that is not there.
   * Whatever looks up replicas waits for it (dhtReady).
   */
  private joining: Promise<void> = Promise.resolve()
  private readonly stopping = new AbortController()
  readonly groups: Groups

  private constructor (
    readonly config: CairnConfig,
    readonly store: Store,
    readonly identity: LocalIdentity,
    readonly contacts: Contacts,
    readonly messenger: Messenger,
    private readonly log: Logger,
    private readonly clock: Clock
  ) {
    this.groups = new Groups({ identity, store, contacts, messenger, config, clock, log })
    messenger.contentHandler = this.groups
  }

  /** Create a new identity in the configured data dir. */
  static async init (config: CairnConfig, clock: Clock = systemClock, peerKey?: PrivateKey): Promise<LocalIdentity> {
    ensureDataDir(config.dataDir)
    const store = await Store.open(paths.store(config.dataDir))
    try {
      return await createIdentity(config.dataDir, store, config, clock.now(), peerKey)
    } finally {
      await store.close()
    }
  }

  static async open (options: ClientOptions): Promise<CairnClient> {
    const { config, log } = options
    const clock = options.clock ?? systemClock
    ensureDataDir(config.dataDir)
    const store = await Store.open(paths.store(config.dataDir))
    try {
      const identity = await loadIdentity(config.dataDir, store)
      const contacts = new Contacts(store)
      const messenger = new Messenger({ identity, store, contacts, config, clock, log, senders: senderPolicy(config, { contacts, store, log }) })
      const client = new CairnClient(config, store, identity, contacts, messenger, log, clock)
      if (options.network !== false) await client.startNetwork()
      return client
    } catch (err) {
      await store.close()
      throw err
    }
  }

  private async startNetwork (): Promise<void> {
    const serveMailbox = this.config.mailbox.enabled
    // group messages live: unsigned (the sender is inside the ciphertext), published even before
    // any member's subscription is known (the 1:1 copies are what is guaranteed)
    const pubsub = gossipsub({ globalSignaturePolicy: StrictNoSign, allowPublishToZeroTopicPeers: true })
    const node = await createNode({ privateKey: this.identity.peerKey, datastore: this.store.datastore, config: this.config, dhtServer: serveMailbox, services: { pubsub } })
    this.node = node
    this.groupTopics = new GroupTopics(node.services.pubsub as unknown as TopicPubSub, this.groups, this.identity.peerId.toString(), this.log)
    await this.groupTopics.start()
    this.messenger.routes = [new DirectRoute(node, this.config), new MailboxRoute(node, this.config, this.log, async () => this.dhtReady())]
    this.direct = new DirectService(node, this.messenger, this.config, this.log)
    await this.direct.start()
    if (serveMailbox) await this.startMailbox()
    else if (this.config.network.serveWhenReachable) node.addEventListener('self:peer:update', this.onSelfUpdate)
    for (const c of await this.contacts.list()) {
      if (c.addresses.length > 0) await node.peerStore.merge(parsePeerId(c.peerId), { multiaddrs: c.addresses.map(a => multiaddr(a)) }).catch(() => {})
    }
    await this.connectBootstrap()
    this.log.info({ peerId: node.peerId.toString(), addresses: node.getMultiaddrs().map(String) }, 'node started')
  }

  private async startMailbox (): Promise<void> {
    const node = this.requireNode()
    this.mailbox = new Mailbox({ node, store: this.store, config: this.config, clock: this.clock, log: this.log })
    await this.mailbox.start()
  }

  /**
   * Our addresses changed: if AutoNAT has now verified a public address, this peer can serve
   * others, so it becomes a DHT server and a mailbox (DESIGN: ordinary peers double as mailboxes).
   */
  private readonly onSelfUpdate = (): void => {
    const node = this.node
    if (node === undefined || this.mailbox !== undefined || reachabilityOf(node) !== 'public') return
    node.removeEventListener('self:peer:update', this.onSelfUpdate)
    this.log.info({ addresses: node.getMultiaddrs().map(String) }, 'publicly reachable: serving the DHT and mailboxes')
    void node.services.dht.setMode('server').then(async () => this.startMailbox()).catch((err: unknown) => {
      this.log.warn({ err: describeError(err) }, 'could not start serving')
    })
  }

  /**
   * Dial the bootstrap peers and start joining the DHT (in the background: see `joining`).
   * Returns how many bootstrap peers answered.
   */
  async connectBootstrap (): Promise<number> {
    const node = this.requireNode()
    const ok = await Promise.all(this.config.bootstrap.map(async addr => node.dial(multiaddr(addr), { signal: AbortSignal.timeout(this.config.network.dialTimeoutMs) })
      .then(() => true, (err: unknown) => { this.log.warn({ addr, err: describeError(err) }, 'bootstrap peer unreachable'); return false })))
    const connected = ok.filter(Boolean).length
    if (connected > 0) {
      const signal = AbortSignal.any([AbortSignal.timeout(this.config.limits.requestTimeoutMs), this.stopping.signal])
      const join = joinDht(node, signal).then(() => {}, (err: unknown) => { this.log.info({ err: describeError(err) }, 'DHT join incomplete') })
      const before = this.joining
      this.joining = Promise.all([before, join]).then(() => {})
    }
    return connected
  }

  /** Resolves once the DHT join that start-up (or a reconnect) began has finished or given up. */
  async dhtReady (): Promise<void> {
    await this.joining
  }

  /** Cut off from the network (no connections)? Dial the bootstrap peers again. */
  async reconnectIfIsolated (): Promise<boolean> {
    const node = this.requireNode()
    if (node.getConnections().length > 0 || this.config.bootstrap.length === 0) return false
    return (await this.connectBootstrap()) > 0
  }

  async stop (): Promise<void> {
    this.stopping.abort()
    this.node?.removeEventListener('self:peer:update', this.onSelfUpdate)
    await this.mailbox?.stop().catch(() => {})
    await this.direct?.stop().catch(() => {})
    this.groupTopics?.stop()
    await this.node?.stop()
    await this.store.close()
  }

  async id (): Promise<IdInfo> {
    return {
      peerId: this.identity.peerId.toString(),
      addresses: this.node?.getMultiaddrs().map(String) ?? [],
      fingerprint: keyFingerprint(this.identity.signal.publicKey)
    }
  }

  /** `peer` is a PeerId, or a multiaddr ending in /p2p/<PeerId> (its address is remembered). */
  async contactAdd (name: string, peer: string): Promise<ContactView> {
    let peerId = peer
    const addresses: string[] = []
    if (peer.startsWith('/')) {
      let ma
      try { ma = multiaddr(peer) } catch { throw new InvalidInputError(`malformed multiaddr: ${peer}`) }
      const id = peer.split('/p2p/').pop()
      if (id === undefined || id === peer) throw new InvalidInputError(`multiaddr ${peer} has no /p2p/<PeerId>`)
      peerId = id
      addresses.push(ma.toString())
    }
    const c = await this.contacts.add(name, peerId, addresses, this.clock.now())
    if (this.node !== undefined && addresses.length > 0) await this.node.peerStore.merge(parsePeerId(c.peerId), { multiaddrs: addresses.map(a => multiaddr(a)) })
    return this.contacts.view(c)
  }

  async contactList (): Promise<ContactView[]> { return this.contacts.list() }
  async contactRemove (name: string): Promise<void> { await this.contacts.remove(name) }

  async contactVerify (name: string, confirm: boolean): Promise<VerifyInfo> {
    const c = await this.contacts.get(name)
    const { accepted, seen } = await this.contacts.identityKeys(c.peerId)
    const key: PublicKey | undefined = seen ?? accepted
    if (key === undefined) throw new InvalidInputError(`no identity key known for "${name}" yet: send or receive a message first`)
    if (confirm) await this.contacts.confirm(name)
    return {
      name,
      peerId: c.peerId,
      safetyNumber: safetyNumber({ peerId: this.identity.peerId.toString(), key: this.identity.signal.publicKey }, { peerId: c.peerId, key }),
      trust: await this.contacts.trust(await this.contacts.get(name))
    }
  }

  async contactAccept (name: string): Promise<VerifyInfo> {
    await this.contacts.accept(name)
    return this.contactVerify(name, false)
  }

  async contactBlock (target: string): Promise<BlockChange> {
    const change = await this.contacts.block(target, this.clock.now())
    if (change.changed) this.log.info({ peer: change.peerId }, 'peer blocked')
    return change
  }

  async contactUnblock (target: string): Promise<BlockChange> {
    const change = await this.contacts.unblock(target)
    if (change.changed) this.log.info({ peer: change.peerId }, 'peer unblocked')
    return change
  }

  async blockList (): Promise<BlockedPeer[]> { return this.contacts.blocked() }

  /** `to` is a contact name or PeerId, or `@GROUP` for a group. */
  async send (to: string, text: string): Promise<SendResult> {
    if (to.startsWith('@')) return this.groups.send(to.slice(1), text)
    return this.messenger.send(to, text)
  }

  async groupCreate (name: string, members: string[]): Promise<GroupView> { return this.groups.create(name, members) }
  async groupAdd (group: string, members: string[]): Promise<GroupView> { return this.groups.add(group, members) }
  async groupRemove (group: string, members: string[]): Promise<GroupView> { return this.groups.remove(group, members) }
  async groupPromote (group: string, members: string[]): Promise<GroupView> { return this.groups.promote(group, members) }
  async groupLeave (group: string): Promise<GroupView> { return this.groups.leave(group) }
  async groupList (): Promise<GroupView[]> { return this.groups.list() }
  async groupInfo (group: string): Promise<GroupView> { return this.groups.info(group) }

  /** Collect waiting mail, send what the outbox holds, and top up our published bundles. */
  async sync (options: { onProgress?: (p: SyncProgress) => void } = {}): Promise<SyncResult> {
    const node = this.requireNode()
    const progress = options.onProgress ?? (() => {})
    progress({ stage: 'finding' })
    await this.dhtReady()
    const collected = await collectMail(node, this.identity.peerKey, this.messenger, this.config, this.log, { onProgress: progress })
    const outbox = (await this.messenger.pending()).length
    if (outbox > 0) progress({ stage: 'sending', outbox })
    const sent = await this.messenger.flushOutbox()
    progress({ stage: 'publishing' })
    await this.publishBundles()
    return { received: collected.received, sent }
  }

  /** Rotate the signed prekey when due, and make sure every replica holds a current bundle. */
  async publishBundles (options: { force?: boolean } = {}): Promise<PublishResult> {
    await this.dhtReady()
    const rotated = await this.messenger.rotatePreKeysIfDue()
    return publishBundles(this.requireNode(), this.messenger, this.config, this.log, { ...options, force: options.force === true || rotated })
  }

  private requireNode (): CairnNode {
    if (this.node === undefined) throw new Error('this command needs the network; the client was opened without it')
    return this.node
  }

  async inbox (): Promise<InboxView[]> {
    const names = new Map((await this.contacts.list()).map(c => [c.peerId, c.name]))
    return withGaps(await this.messenger.inbox()).map(m => ({ ...m, fromName: names.get(m.from) ?? null, contact: names.has(m.from) }))
  }

  async status (): Promise<StatusInfo> {
    const tx = this.store.transaction()
    const addresses = this.node?.getMultiaddrs().map(String) ?? []
    const relayed = addresses.filter(a => a.includes('/p2p-circuit'))
    const conns = this.node?.getConnections() ?? []
    return {
      peerId: this.identity.peerId.toString(),
      reachability: reachabilityOf(this.node),
      addresses,
      relays: [...new Set(relayed.map(a => a.split('/p2p-circuit')[0]?.split('/p2p/').pop() ?? ''))],
      connections: conns.length,
      connectionList: conns.map(c => ({
        peerId: c.remotePeer.toString(),
        remoteAddr: c.remoteAddr.toString(),
        direction: c.direction,
        limited: c.limits !== undefined,
        relayed: c.remoteAddr.toString().includes('/p2p-circuit')
      })),
      routingTable: (this.node?.services.dht as { routingTable?: { size: number } } | undefined)?.routingTable?.size ?? 0,
      outbox: (await this.messenger.pending()).length,
      preKeysLeft: (await availablePreKeys(tx)).preKeys,
      droppedToday: await todaysCounts(tx, this.clock.now()).then(c => ({ blocked: c.blocked, strangerCap: c.strangerCap }))
    }
  }
}

/**
 * Public when the address manager holds a verified, public, direct address (AutoNAT confirmed it,
 * or an operator announced it); private when we are reachable only through relay reservations.
 */
export function reachabilityOf (node: CairnNode | undefined): StatusInfo['reachability'] {
  if (node === undefined) return 'unknown'
  const addrs = node.getMultiaddrs()
  // A NAT mapping that our relays observed (and observed-address.ts confirmed so DCUtR can punch to
  // it) is public but not dialable unsolicited: it does not make us reachable.
  const observed = (node.services as { observedAddress?: ConfirmObservedAddresses }).observedAddress
  const natMappings = new Set((observed?.confirmedAddresses() ?? []).map(a => a.decapsulateCode(CODE_P2P).toString()))
  const reachable = (a: Multiaddr): boolean => !natMappings.has(a.decapsulateCode(CODE_P2P).toString())
  if (addrs.some(a => !a.toString().includes('/p2p-circuit') && !isPrivate(a) && reachable(a))) return 'public'
  if (addrs.some(a => a.toString().includes('/p2p-circuit'))) return 'private'
  return 'unknown'
}
