/**
 * A user's Cairn node: the store, the identity, the libp2p host with the direct protocol, the
 * messenger and the contact book, started together and stopped together. Implements ClientApi,
 * which the CLI calls in-process and the daemon serves to other processes.
 */
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { isPrivate } from '@libp2p/utils'
import { CODE_P2P, multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { PublicKey } from '@signalapp/libsignal-client'
import { settleWithin, systemClock, type Clock } from '../shared/clock.js'
import type { CairnConfig } from '../shared/config.js'
import { ensureDataDir, paths } from '../shared/data-dir.js'
import { CairnError, InvalidInputError, describeError } from '../shared/errors.js'
import { forComponent, libp2pLoggerFor, type Logger } from '../shared/logger.js'
import type { CairnNode } from '../shared/node/create-node.js'
import type { ConfirmObservedAddresses } from '../shared/node/observed-address.js'
import { parsePeerId, peersOf } from '../shared/peer-id.js'
import { joinDht, routingTableSize } from '../shared/placement.js'
import { decodeNumber, encodeNumber, keys } from './crypto/kv.js'
import { Lifecycle } from '../shared/startable.js'
import { Store } from '../shared/store.js'
import type { ValueCipher } from '../shared/at-rest/value-cipher.js'
import type { ClientApi, IdInfo, InboxView, StatusInfo, SyncProgress, SyncResult, VerifyInfo } from './api.js'
import { Attachments, type FileSendResult, type SaveResult, type TransferProgress } from './attachments/index.js'
import { Contacts, type BlockChange, type BlockedPeer, type ContactView } from './contacts.js'
import { availablePreKeys } from './crypto/prekeys.js'
import { keyFingerprint, safetyNumber } from './crypto/safety-number.js'
import type { SendResult } from './delivery.js'
import type { SentView } from './messaging/delivery-log.js'
import { DirectRoute } from './direct/direct-route.js'
import { DirectService } from './direct/direct-service.js'
import { Groups, type GroupView } from './groups/index.js'
import { withGaps } from './groups/gaps.js'
import { listLostSeqs } from './groups/group-store.js'
import { GroupTopics, type TopicPubSub } from './groups/group-gossip.js'
import { createIdentity, loadIdentity, type LocalIdentity } from './identity.js'
import { indexInbox, listDeletedSeqs, pruneSeen, SEEN_KEPT_MS, type InboxMessage } from './inbox.js'
import { pruneDeletedSeqs } from './deleted-seqs.js'
import { MessageDeletion, type DeleteResult, type TrimResult } from './message-deletion.js'
import { Messenger } from './messenger.js'
import { waitReason } from './outbox.js'
import { countReasons } from './messaging/waiting.js'
import { publishBundles, type PublishResult } from './mailbox/bundle-publisher.js'
import { PublishRetry } from './mailbox/publish-retry.js'
import { MailboxCollector } from './mailbox/mailbox-collect.js'
import type { StageClock } from './mailbox/collect-stages.js'
import { MailboxRoute } from './mailbox/mailbox-route.js'
import { OwnReplicas, type ReplicaSetChoice } from './mailbox/own-replicas.js'
import { senderPolicy } from './senders/index.js'
import { todaysCounts } from './senders/stranger-quota.js'
import type { Mailbox } from '../mailbox/index.js'
import type { EphemeralHosts } from './anonymous/index.js'

export interface ClientOptions {
  config: CairnConfig
  log: Logger
  clock?: Clock
  /** Start the libp2p host (false: store-only commands such as `inbox` and `contact`). */
  network?: boolean
  /** The data dir is encrypted at rest: its unlocked data key (shared/at-rest). */
  cipher?: ValueCipher
}

/** When the last prune pass (groups and read marks; at most every groups.pruneEveryMs) ran (clock ms). */
const PRUNED_AT = keys.meta('pruned-at')
/** When the seen records were last pruned (clock ms): a pass reads them all, so at most daily. */
const SEEN_PRUNED_AT = keys.meta('seen-pruned-at')
const SEEN_PRUNE_EVERY_MS = 24 * 3600_000
/**
 * How long `stop` waits for what the start-up flush is still sending (flushAtStart): it is on disk
 * and goes with the next flush; a one-shot command whose outbox holds a backlog for contacts who
 * cannot be reached exits without waiting out their routes.
 */
const START_FLUSH_GRACE_MS = 1000
/**
 * The longest wait between joins of a peer connected to its bootstrap peers whose joins find
 * nobody: the daemon's retry asks every 30 s, and each join is a DHT lookup (kad-dht's own
 * self-query runs every 5 minutes meanwhile). A dial of a missing bootstrap peer is not held back.
 */
const REJOIN_MAX_MS = 3600_000

export class CairnClient implements ClientApi {
  node?: CairnNode
  /** Set when this peer also serves as a mailbox (config mailbox.enabled). */
  mailbox?: Mailbox
  private direct?: DirectService
  private collector?: MailboxCollector
  /** Our mailbox's replica set, remembered between syncs (the collect's and the bundle top-up's). */
  private ownReplicas?: OwnReplicas
  private lastReplicaSet?: ReplicaSetChoice
  /** Where deposits for others go out from (delivery.anonymousDeposits). */
  anonymous?: EphemeralHosts
  private groupTopics?: GroupTopics
  /**
   * The DHT join runs behind start-up: a message to a contact whose address we know needs none of
   * it, and a one-shot `cairn send` must not wait ~15 s for a Kademlia server that is not there.
   * Whatever looks up replicas waits for it (dhtReady).
   */
  private joining: Promise<void> = Promise.resolve()
  /**
   * What the last sync left running after it returned (the delivery receipts its collect queued,
   * the bundle top-up): the next sync and `stop` wait for it (syncSettled).
   */
  private syncTail: Promise<void> = Promise.resolve()
  /** A bootstrap redial under way (reconnectIfIsolated): callers meanwhile share it. */
  private reconnecting?: Promise<boolean>
  /** A DHT join has found peers: the DHT knows this node (until then, it may not, see reconnectIfIsolated). */
  private dhtJoined = false
  /** DHT joins under way (start-up's, a reconnect's). */
  private joinsRunning = 0
  /** Each bootstrap address whose last dial failed, and why (the simulation's census reads them: dhtJoinState). */
  private readonly bootstrapErrors = new Map<string, string>()
  /** DHT joins begun, and what the last one to end found (peers; 0: nobody, or it failed). */
  private joinsBegun = 0
  private lastJoinFound: number | undefined
  /**
   * A join that found nobody is not run again before this (clock ms), and the wait doubles with
   * each such join (rejoinBackoffMs, from delivery.retryIntervalMs up to REJOIN_MAX_MS): see
   * reconnectIfIsolated.
   */
  private rejoinAt = Number.NEGATIVE_INFINITY
  private rejoinBackoffMs = 0
  /** The start-up flush (flushAtStart), which stop waits for only so long. */
  private startFlush?: { done: Promise<void>, abort: AbortController }
  /** Messages the start-up flush sent that no sync has reported yet (SyncResult.sent). */
  private sentAtStart = 0
  private readonly publishRetry: PublishRetry
  /** The bundle publish in flight, if any. */
  private publishing: Promise<PublishResult> | undefined
  private readonly stopping = new AbortController()
  private readonly life: Lifecycle
  /** Files sent and received with messages (attachments/). */
  readonly attachments: Attachments
  readonly groups: Groups
  private readonly deletion: MessageDeletion

  private constructor (
    readonly config: CairnConfig,
    readonly store: Store,
    readonly identity: LocalIdentity,
    readonly contacts: Contacts,
    readonly messenger: Messenger,
    private readonly log: Logger,
    private readonly clock: Clock
  ) {
    this.life = new Lifecycle(log)
    this.groups = new Groups({ identity, store, contacts, messenger, clock, log: forComponent(log, 'groups') }, config)
    this.attachments = new Attachments({ store, messenger, contacts, clock, log: forComponent(log, 'attachments'), groups: this.groups }, config)
    messenger.handleContentWith(this.groups)
    this.deletion = new MessageDeletion({ store, messenger, contacts, groups: this.groups, attachments: this.attachments, clock, log: forComponent(log, 'deletion') })
    this.publishRetry = new PublishRetry(config.delivery)
  }

  /** Create a new identity in the configured data dir. */
  static async init (config: CairnConfig, clock: Clock = systemClock, peerKey?: PrivateKey, cipher?: ValueCipher): Promise<LocalIdentity> {
    ensureDataDir(config.dataDir)
    const store = await Store.open(paths.store(config.dataDir), { cipher })
    try {
      return await createIdentity(config.dataDir, store, config, clock.now(), peerKey, cipher)
    } finally {
      await store.close()
    }
  }

  static async open (options: ClientOptions): Promise<CairnClient> {
    const { config, log } = options
    const clock = options.clock ?? systemClock
    ensureDataDir(config.dataDir)
    const store = await Store.open(paths.store(config.dataDir), { cipher: options.cipher })
    try {
      const identity = await loadIdentity(config.dataDir, store, options.cipher)
      const indexed = await indexInbox(store)
      if (indexed > 0) log.info({ messages: indexed }, 'inbox indexed by message id')
      const contacts = new Contacts(store)
      const messenger = new Messenger({ identity, store, contacts, config, clock, log, senders: senderPolicy(config, { contacts, store, log }) })
      const client = new CairnClient(config, store, identity, contacts, messenger, log, clock)
      await client.life.start('store', { start: () => {}, stop: async () => store.close() })
      if (options.network !== false) {
        // whatever started before a failure is stopped (the store last), and the failure thrown
        await client.startNetwork().catch(async (err: unknown) => {
          await client.life.stop().catch(() => {})
          throw err
        })
        await client.flushAtStart()
      }
      return client
    } catch (err) {
      await store.close()
      throw err
    }
  }

  /**
   * Start the network for a client opened without it (`chat` opens the store, shows the prompt,
   * and connects behind it), then send what the outbox holds. Once only; a failure leaves the
   * client store-only (what was sent waits in the outbox) and is thrown.
   */
  async connect (): Promise<void> {
    if (this.node !== undefined) return
    try {
      await this.startNetwork()
    } catch (err) {
      this.messenger.useRoutes([])
      throw err
    }
    await this.messenger.flushOutbox({ signal: this.stopping.signal })
  }

  /**
   * What the outbox held when the network came up (a receipt or message queued when the client
   * last stopped) is sent behind start-up: the command's own work does not wait for it; a sync
   * and `stop` do (it is the sync tail). Only the entries listed now: what the command queues
   * goes its own way. A failure leaves them for the next flush. `stop` waits for it at most
   * START_FLUSH_GRACE_MS.
   */
  private async flushAtStart (): Promise<void> {
    const waiting = await this.messenger.pending().catch((err: unknown) => {
      this.log.warn({ err: describeError(err) }, 'outbox unreadable at start')
      return []
    })
    if (waiting.length === 0) return
    const only = new Set(waiting.map(e => e.id))
    const abort = new AbortController()
    const done = this.messenger.flushOutbox({ signal: AbortSignal.any([this.stopping.signal, abort.signal]), only }).then(sent => {
      this.sentAtStart += sent
      this.log.info({ waiting: only.size, sent }, 'outbox sent at start')
    }, (err: unknown) => { this.log.info({ err: describeError(err) }, 'outbox at start: not all sent; the next flush tries again') })
    this.startFlush = { done, abort }
    this.syncTail = done
  }

  private async startNetwork (): Promise<void> {
    // loaded here, not with the client: a command that never goes online (inbox, contact add) does
    // not load libp2p (its bundle chunk was 0.23 of such a command's ~0.39 CPU-s)
    const { anonymousDepositHosts, createNode, gossipsub, libp2pDatastore, StrictNoSign } = await import('./network-parts.js')
    const serveMailbox = this.config.mailbox.enabled
    // group messages live: unsigned (the sender is inside the ciphertext), published even before
    // any member's subscription is known (the 1:1 copies are what is guaranteed)
    const pubsub = gossipsub({ globalSignaturePolicy: StrictNoSign, allowPublishToZeroTopicPeers: true })
    const node = await createNode({ privateKey: this.identity.peerKey, datastore: libp2pDatastore(this.store, this.config), config: this.config, clock: this.clock, dhtServer: serveMailbox, services: { pubsub }, logger: libp2pLoggerFor(this.log) })
    this.node = node
    await this.life.start('libp2p', { start: () => {}, stop: async () => node.stop() })
    const topics = new GroupTopics({ pubsub: node.services.pubsub as unknown as TopicPubSub, groups: this.groups, me: this.identity.peerId.toString(), log: forComponent(this.log, 'group topics') })
    this.groupTopics = topics
    await this.life.start('group topics', topics)
    this.anonymous = anonymousDepositHosts(node, this.config, this.clock, forComponent(this.log, 'anonymous'))
    if (this.anonymous !== undefined) await this.life.start('anonymous deposit hosts', this.anonymous)
    this.messenger.useRoutes([
      new DirectRoute({ node, clock: this.clock, ...(this.anonymous === undefined ? {} : { finder: this.anonymous }) }, this.config),
      new MailboxRoute({ node, clock: this.clock, log: forComponent(this.log, 'mailbox route'), ready: async () => this.networkReady(), depositHost: this.anonymous }, this.config)
    ])
    this.direct = new DirectService({ node, inbox: this.messenger, clock: this.clock, log: forComponent(this.log, 'direct service') }, this.config)
    await this.life.start('direct service', this.direct)
    // after the routes: copies due while we were away go out now
    await this.life.start('group gossip fallback', this.groups.fallback)
    const savedSet = keys.meta('own-replicas')
    const saved = { load: async () => this.store.get(savedSet), save: async (bytes: Uint8Array) => this.store.write([{ type: 'put', key: savedSet, value: bytes }], { durable: false }) }
    this.ownReplicas = new OwnReplicas({ node, clock: this.clock, log: forComponent(this.log, 'own replicas'), saved }, this.config)
    this.collector = new MailboxCollector({ node, peerKey: this.identity.peerKey, inbox: this.messenger.receiver, clock: this.clock, log: forComponent(this.log, 'mailbox collector'), replicas: this.ownReplicas }, this.config)
    await this.life.start('mailbox collector', this.collector)
    await this.life.start('attachments', { start: async () => this.attachments.startNetwork(node, async () => this.networkReady(), this.anonymous), stop: async () => this.attachments.stop() })
    if (serveMailbox) await this.startMailbox()
    else if (this.config.network.serveWhenReachable) node.addEventListener('self:peer:update', this.onSelfUpdate)
    for (const c of await this.contacts.list()) {
      if (c.addresses.length > 0) await node.peerStore.merge(parsePeerId(c.peerId), { multiaddrs: c.addresses.map(a => multiaddr(a)) }).catch(() => {})
    }
    await this.connectBootstrap()
    this.log.info({ peerId: node.peerId.toString(), addresses: node.getMultiaddrs().map(String) }, 'node started')
  }

  /**
   * The mailbox's code (store, service, handover, metrics) is imported here, not with the client:
   * a client that never serves never loads it (idle RSS, issue 12 memory); one that turns out to be
   * publicly reachable (onSelfUpdate) loads it then, once.
   */
  private async startMailbox (): Promise<void> {
    const node = this.requireNode()
    const { Mailbox } = await import('../mailbox/index.js')
    this.mailbox = new Mailbox({ node, store: this.store, config: this.config, clock: this.clock, log: forComponent(this.log, 'mailbox') })
    await this.life.start('mailbox', this.mailbox)
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
    const ok = await Promise.all(this.config.bootstrap.map(async addr => node.dial(multiaddr(addr), { signal: this.clock.timeout(this.config.network.dialTimeoutMs) })
      .then(() => { this.bootstrapErrors.delete(addr); return true }, (err: unknown) => {
        this.bootstrapErrors.set(addr, describeError(err))
        this.log.warn({ addr, err: describeError(err) }, 'bootstrap peer unreachable')
        return false
      })))
    const connected = ok.filter(Boolean).length
    if (connected > 0) this.startJoin()
    return connected
  }

  /** Start a DHT join in the background (dhtReady waits for it); `dhtJoined` once it finds peers. */
  private startJoin (): void {
    const node = this.requireNode()
    // the join's deadline is an idle one (a server's answer starts it again), capped: on a slow
    // machine a join that is being answered outlasts requestTimeoutMs in all
    this.joinsRunning++
    this.joinsBegun++
    const join = joinDht(node, this.clock, this.stopping.signal, this.config.limits.requestTimeoutMs, this.log)
      .then(found => found, (err: unknown) => { this.log.info({ err: describeError(err) }, 'DHT join incomplete'); return 0 })
      .then(found => {
        this.lastJoinFound = found
        if (found > 0) {
          this.dhtJoined = true
          this.rejoinBackoffMs = 0
          return
        }
        this.rejoinBackoffMs = Math.min(REJOIN_MAX_MS, Math.max(this.config.delivery.retryIntervalMs, 2 * this.rejoinBackoffMs))
        this.rejoinAt = this.clock.now() + this.rejoinBackoffMs
      })
      .finally(() => { this.joinsRunning-- })
    const before = this.joining
    this.joining = Promise.all([before, join]).then(() => {})
  }

  /** Where the last sync's replica set came from (the simulation counts them); undefined before the first. */
  lastReplicaSetChoice (): ReplicaSetChoice | undefined {
    return this.lastReplicaSet
  }

  /** The DHT joins so far and the bootstrap dials that last failed (the simulation's census tells cut-off peers from the rest by them). */
  dhtJoinState (): { joined: boolean, begun: number, running: number, lastFound?: number, bootstrapErrors: Record<string, string> } {
    return { joined: this.dhtJoined, begun: this.joinsBegun, running: this.joinsRunning, ...(this.lastJoinFound === undefined ? {} : { lastFound: this.lastJoinFound }), bootstrapErrors: Object.fromEntries(this.bootstrapErrors) }
  }

  /** Resolves once the DHT join that start-up (or a reconnect) began has finished or given up. */
  async dhtReady (): Promise<void> {
    await this.joining
  }

  /**
   * Before anything that looks up the DHT (replicas, bundles): a node cut off from the network
   * dials its bootstrap peers again, then the DHT join finishes or gives up. Start-up's bootstrap
   * dials have a deadline; on a busy machine they can all miss it (20 clients starting in one
   * process on a loaded machine did), and a `send` made later would find no replicas and leave
   * its message in the outbox although the network is there.
   */
  async networkReady (): Promise<void> {
    await this.reconnectIfIsolated().catch((err: unknown) => { this.log.info({ err: describeError(err) }, 'reconnect failed') })
    await this.dhtReady()
  }

  /**
   * Cut off from the network? Dial the bootstrap peers again (one attempt at a time, whoever asks)
   * and join the DHT. Cut off means no connection at all, or never joined the DHT while a bootstrap
   * peer is not connected: start-up's dials all missed their deadline (a busy machine, a network
   * not up yet) and only a contact has dialled in since. Such a node is in no routing table, so
   * nobody's lookup finds it: its mailbox is never chosen as a replica, its own lookups see only
   * what its one contact knows. The daemon's retry timer asks (flush), as does every lookup.
   * A node connected to its bootstrap peers that never joined (the dial that missed its deadline
   * completed anyway, or the bootstrap peer dialled in; or the join found nobody) joins again
   * without dialling: the bootstrap peer's full bucket may hold no room for it, and only a join's
   * lookup introduces it to the servers near its id (200 simulated peers: 54 of 183 online were in
   * no routing table, docs/BENCHMARKS.md). A join that found nobody is not run again at once: the
   * next waits the retry interval, then twice as long each time, up to an hour (REJOIN_MAX_MS),
   * where the daemon's 30 s retry ran a lookup every time. Returns whether it dialled or joined again.
   */
  async reconnectIfIsolated (): Promise<boolean> {
    const node = this.requireNode()
    if (this.config.bootstrap.length === 0) return false
    const connected = node.getConnections().length > 0
    if (connected && (this.dhtJoined || this.joinsRunning > 0)) return false
    if (this.reconnecting !== undefined) return this.reconnecting
    if (connected && !this.bootstrapMissing()) {
      if (this.clock.now() < this.rejoinAt) return false
      this.startJoin()
      return true
    }
    this.reconnecting ??= this.connectBootstrap().then(n => n > 0).finally(() => { this.reconnecting = undefined })
    return this.reconnecting
  }

  /** Whether some bootstrap peer (named by its /p2p/ id) has no open connection. */
  private bootstrapMissing (): boolean {
    const node = this.requireNode()
    const connected = new Set(node.getConnections().map(c => c.remotePeer.toString()))
    return [...peersOf(this.config.bootstrap)].some(id => !connected.has(id))
  }

  async stop (): Promise<void> {
    if (this.startFlush !== undefined) {
      const { done, abort } = this.startFlush
      await settleWithin(this.clock, done, START_FLUSH_GRACE_MS)
      abort.abort(new Error('stopping: the outbox waits for the next start'))
    }
    // what a sync left running goes first: the receipts it queued leave before the process does
    await this.syncTail
    // our stale group changes a receive started making again are stored and sent (or queued)
    await this.groups.stop()
    // receipts still batching go to the outbox, and out if the sender answers within a direct
    // delivery's time: a group message's sender must not resend what the member has
    const receipts = await this.messenger.receipts.flush().catch((err: unknown) => {
      this.log.warn({ err: describeError(err) }, 'receipts for gossiped group messages not queued at stop')
      return []
    })
    await this.messenger.sender.settleBackground(receipts, this.config.delivery.directTimeoutMs)
    this.stopping.abort()
    this.messenger.sender.stopBackground()
    // what sends returned before is recorded (delivered, out of the outbox) before the store closes
    await this.messenger.deliveries.settled()
    this.node?.removeEventListener('self:peer:update', this.onSelfUpdate)
    // every component is stopped, last started first, whatever fails; then each failure is reported
    await this.life.stop()
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

  /** Send files, each in its own message (the text goes with the first); see attachments/. */
  async sendFiles (to: string, paths: string[], text: string, options: { onProgress?: (p: TransferProgress) => void } = {}): Promise<FileSendResult[]> {
    return this.attachments.send(to, paths, text, options)
  }

  /** Ask ahead for the save into `outDir` of a received attachment still arriving: its chunks are written there as they come (attachments/save-ahead.ts). */
  async saveAhead (messageId: string, outDir: string): Promise<void> {
    return this.attachments.saveAhead(messageId, outDir)
  }

  /** Fetch what is missing of a received attachment and write it into `outDir`. */
  async save (messageId: string, outDir: string, options: { onProgress?: (p: TransferProgress) => void } = {}): Promise<SaveResult> {
    return this.attachments.save(messageId, outDir, options)
  }

  async groupCreate (name: string, members: string[]): Promise<GroupView> { return this.groups.create(name, members) }
  async groupAdd (group: string, members: string[]): Promise<GroupView> { return this.groups.add(group, members) }
  async groupRemove (group: string, members: string[]): Promise<GroupView> { return this.groups.remove(group, members) }
  async groupPromote (group: string, members: string[]): Promise<GroupView> { return this.groups.promote(group, members) }
  async groupLeave (group: string): Promise<GroupView> {
    const view = await this.groups.leave(group)
    // nothing more comes from the group: only the deleted numbers its held messages need stay
    await this.pruneDeletedSeqs(view.id)
    return view
  }

  /**
   * Drop the deleted group messages' numbers no gap count can read (deleted-seqs.ts): in `group`,
   * or in all; given `inbox`, the inbox as just read (the daily pass reads it once for this and the
   * retention cap), or read now.
   */
  async pruneDeletedSeqs (group?: string, inbox?: InboxMessage[]): Promise<number> {
    return pruneDeletedSeqs(this.store, inbox ?? await this.messenger.inbox(), async gid => this.groups.isMember(gid), group)
  }

  /**
   * Delete the received messages past the newest `delivery.receivedPerConversation` in each
   * conversation, as `cairn delete` deletes them (0: none): the daily pass does it (pruneIfDue);
   * tests and callers that cannot wait a day call it here. Returns how many went.
   */
  async trimReceived (): Promise<number> {
    return (await this.trimInbox(await this.messenger.inbox())).count
  }

  private async trimInbox (inbox: InboxMessage[]): Promise<TrimResult> {
    const trimmed = await this.deletion.trimReceived(inbox, this.config.delivery.receivedPerConversation)
    // counts only: which conversations, and what was in them, stay out of the log
    if (trimmed.count > 0) this.log.info({ received: trimmed.count, conversations: trimmed.conversations }, 'received messages past delivery.receivedPerConversation deleted')
    return trimmed
  }
  async groupList (): Promise<GroupView[]> { return this.groups.list() }
  async groupInfo (group: string): Promise<GroupView> { return this.groups.info(group) }

  /**
   * Collect waiting mail and send the messages (and files) the outbox holds; returns once both are
   * done. The delivery receipts the collect queued and the bundle top-up go on after
   * it returns (syncSettled; `stop` and the next sync wait for them): every message collected is
   * on disk and acknowledged before this resolves, and each receipt is in the durable outbox, so
   * nothing a caller may rely on is left for later (docs/DECISIONS.md, "the sync returns after the
   * collect"). `reuseReplicas` (the daemon's periodic sync): collect at the replica set the last
   * lookup found while it is plausible (mailbox/own-replicas.ts); otherwise the set is looked up.
   */
  async sync (options: { onProgress?: (p: SyncProgress) => void, stages?: StageClock, reuseReplicas?: boolean } = {}): Promise<SyncResult> {
    const collector = this.requireCollector()
    const progress = options.onProgress ?? (() => {})
    progress({ stage: 'finding' })
    // not the start-up join: our replicas' lookup starts from the same routing table (lookupClosest
    // waits for a first DHT server, and asks again when a cold table ended its query early), and
    // the join only makes us known to others. A one-shot `cairn sync` would otherwise look up twice
    // in a row (docs/DECISIONS.md, "a sync's lookup does not wait for the join"). The sends after
    // the collect still wait for it (their routes' `ready`).
    await this.reconnectIfIsolated().catch((err: unknown) => { this.log.info({ err: describeError(err) }, 'reconnect failed') })
    await this.syncTail // one sync's sending at a time: two flushes would race for the same entries
    // delivery receipts queued while collecting wait for a flush, batched
    const collected = await this.messenger.sender.holdingBackground(async () => collector.collect({ onProgress: progress, reuseReplicas: options.reuseReplicas === true, ...(options.stages === undefined ? {} : { stages: options.stages }) }))
    this.lastReplicaSet = collected.replicaSet
    // messages the user wrote are sent before the sync returns (its `sent`); receipts only, after
    const outbox = (await this.messenger.pending()).filter(e => e.receipt !== true).length
    // what the start-up flush sent counts as this sync's: the user asked a freshly started client to send
    let sent = this.sentAtStart
    this.sentAtStart = 0
    if (outbox > 0) {
      progress({ stage: 'sending', outbox })
      sent += await this.messenger.flushOutbox()
    }
    await this.attachments.resume()
    this.syncTail = this.afterSync(collected.reached, collected.acked)
    return { received: collected.received, sent, mailboxes: { found: collected.replicas, collected: collected.replicas - collected.unreachable } }
  }

  /** Resolves once what the last sync left running (its receipts, the bundle top-up) is done. */
  async syncSettled (): Promise<void> {
    await this.syncTail
  }

  /**
   * A sync's tail: the acks its collect sent answered (`acked`: the mail they delete at the
   * replicas is in the inbox already), the receipts it queued, saved attachments released at the
   * `replicas` it collected from, then the bundle top-up, our group changes a checkpoint made
   * stale made again, and the prune pass when due. Never rejects: what fails waits for the next sync.
   */
  private async afterSync (replicas: PeerId[], acked: Promise<void>): Promise<void> {
    try {
      const flushed = this.messenger.flushOutbox({ signal: this.stopping.signal })
      await Promise.allSettled([acked, flushed])
      await flushed
      await this.attachments.releaseSaved(replicas)
      await this.publishBundles()
      await this.groups.remakeStale()
      await this.pruneIfDue()
    } catch (err) {
      this.log.info({ err: describeError(err) }, 'after a sync: receipts or bundles not all sent; the next sync tries again')
    }
  }

  /**
   * The records that only grow (group marks and chains, read marks) are pruned by a sync at most
   * every `groups.pruneEveryMs` (the daemon syncs every few minutes). When the last pass ran is kept in the
   * store, so one-shot `cairn sync` commands do not each pay a pass. What needs the whole inbox or
   * every seen record read (the retention cap, delivery.receivedPerConversation, among them) runs
   * at most daily.
   */
  private async pruneIfDue (): Promise<void> {
    const now = this.clock.now()
    if (!await this.due(PRUNED_AT, now, this.config.groups.pruneEveryMs)) return
    await this.groups.prune(now)
    const readMarks = await this.messenger.receipts.pruneReadMarks()
    if (readMarks > 0) this.log.info({ readMarks }, 'read marks pruned')
    // the seen records are read whole (two per message ever received): once a day is enough
    const seenDue = await this.due(SEEN_PRUNED_AT, now, SEEN_PRUNE_EVERY_MS)
    if (seenDue) {
      const seen = await pruneSeen(this.store, now - SEEN_KEPT_MS)
      if (seen > 0) this.log.info({ seen }, 'seen records past their use pruned')
      // a streamed file's second message whose announcement never came since, as long ago
      const unannounced = await this.attachments.pruneUnannounced(now - SEEN_KEPT_MS)
      if (unannounced > 0) this.log.info({ unannounced }, 'files whose announcement never came forgotten')
      // the inbox, read whole once a day (with the seen records' pass): the oldest past the
      // retention cap go, then the deleted numbers no gap count reads, given what is left
      const { kept } = await this.trimInbox(await this.messenger.inbox())
      const deletedSeqs = await this.pruneDeletedSeqs(undefined, kept)
      if (deletedSeqs > 0) this.log.info({ deletedSeqs }, 'deleted messages\' numbers no gap count reads pruned')
    }
    const tx = this.store.transaction()
    if (seenDue) tx.put(SEEN_PRUNED_AT, encodeNumber(now))
    tx.put(PRUNED_AT, encodeNumber(now))
    await tx.commit()
  }

  /** Whether a job whose last run `key` records (none: never) is due at `now`; a record ahead of the clock (set back since) counts as due. */
  private async due (key: string, now: number, everyMs: number): Promise<boolean> {
    const last = decodeNumber(await this.store.get(key), Number.NEGATIVE_INFINITY)
    return last > now || now - last >= everyMs
  }

  /** Rotate the signed prekey when due, and make sure every replica holds a current bundle. */
  async publishBundles (options: { force?: boolean, lookUpAgain?: boolean } = {}): Promise<PublishResult> {
    const run = (async () => {
      try {
        await this.networkReady()
        const rotated = await this.messenger.rotatePreKeysIfDue()
        const result = await publishBundles(this.requireNetwork(this.ownReplicas), this.messenger, this.config, this.log, { ...options, force: options.force === true || rotated })
        this.publishRetry.record(this.clock.now(), result)
        if (this.publishRetry.isShort) this.log.info({ replicas: result.replicas, published: result.published, failures: result.failures }, 'bundle publish fell short; trying again soon')
        return result
      } catch (err) {
        this.publishRetry.record(this.clock.now(), undefined)
        throw err
      }
    })()
    this.publishing = run
    return run.finally(() => { if (this.publishing === run) this.publishing = undefined })
  }

  /** Whether the last bundle publish (none yet counts) left replicas without our bundle (mailbox/publish-retry.ts). */
  get bundlesShort (): boolean { return this.publishRetry.isShort }

  /**
   * Publish again if the last publish fell short and its wait is over (the daemon asks at each
   * outbox retry); undefined when not due. A sender who finds us offline needs a bundle at a replica.
   */
  async retryShortPublish (): Promise<PublishResult | undefined> {
    // one in flight (a sync's top-up) settles it either way; two at once would each hand out a share of prekeys
    if (this.publishing !== undefined || !this.publishRetry.due(this.clock.now())) return undefined
    // the set that refused or was not reached may be the cause: look it up afresh
    return this.publishBundles({ lookUpAgain: true })
  }

  private requireNode (): CairnNode {
    return this.requireNetwork(this.node)
  }

  /** `part` of the network side (set at start with the network), or a clear error when the client was opened without it. */
  private requireNetwork<T> (part: T | undefined): T {
    if (part === undefined) throw new CairnError('INTERNAL', 'this command needs the network; the client was opened without it')
    return part
  }

  private requireCollector (): MailboxCollector {
    if (this.collector === undefined) throw new CairnError('INTERNAL', 'collecting mail needs the network; the client was opened without it')
    return this.collector
  }

  async inbox (): Promise<InboxView[]> {
    const names = new Map((await this.contacts.list()).map(c => [c.peerId, c.name]))
    return Promise.all(withGaps(await this.messenger.inbox(), await listDeletedSeqs(this.store), await listLostSeqs(this.store)).map(async m => {
      const view: InboxView = { ...m, fromName: names.get(m.from) ?? null, contact: names.has(m.from) }
      if (m.attachment !== undefined) view.attachment = { ...m.attachment, ...await this.attachments.stateOf(m.from, m.attachment.fileId) }
      return view
    }))
  }

  async deleteMessages (ids: string[]): Promise<DeleteResult> {
    return this.deletion.byIds(ids)
  }

  async deleteConversation (target: string, dryRun: boolean): Promise<DeleteResult> {
    return this.deletion.conversation(target, { dryRun })
  }

  async sent (): Promise<SentView[]> {
    return this.messenger.sent()
  }

  async sentOne (id: string): Promise<SentView | null> {
    return await this.messenger.sentOne(id) ?? null
  }

  async markRead (messages: Array<{ from: string, id: string }>): Promise<number> {
    if (!this.config.delivery.readReceipts || messages.length === 0) return 0
    const wanted = new Set(messages.map(m => `${m.from}/${m.id}`))
    return this.messenger.receipts.read((await this.messenger.inbox()).filter(m => wanted.has(`${m.from}/${m.id}`)))
  }

  async status (): Promise<StatusInfo> {
    const tx = this.store.transaction()
    const outbox = await this.messenger.pending()
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
      routingTable: this.node === undefined ? 0 : routingTableSize(this.node),
      outbox: outbox.length,
      outboxWaiting: countReasons(outbox.map(waitReason)),
      preKeysLeft: (await availablePreKeys(tx)).preKeys,
      droppedToday: await todaysCounts(tx, this.clock.now()).then(c => ({ blocked: c.blocked, strangerCap: c.strangerCap })),
      ...(this.config.attachments.downloadDir === '' ? {} : { downloads: { dir: this.config.attachments.downloadDir, waiting: this.attachments.autoFetch.downloadsWaiting.length } })
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
