/**
 * Attachments: files sent with a message, end to end encrypted, chunked, resumable. The sender
 * describes a file (fresh key, chunk addresses, digest), announces it in a ratchet message, then
 * streams the chunks straight to an online recipient (/cairn/chunks/1.0.0) or stores them at the
 * recipient's mailbox replicas. To a connected recipient that takes it, the file is announced
 * streamed instead (key and size only) and each chunk goes as soon as it is sealed; the stream ends
 * with what completes it (session 21: docs/DECISIONS.md). The recipient checks every chunk, keeps its progress on disk, and
 * saves the file atomically once its digest matches. Holders see sizes and addresses only.
 */
import type { Connection, PeerId } from '@libp2p/interface'
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { deadline, type Clock } from '../../shared/clock.js'
import type { CairnConfig } from '../../shared/config.js'
import { CairnError, describeError, loggableError, MessageTooLargeError } from '../../shared/errors.js'
import { forComponent, type Logger } from '../../shared/logger.js'
import type { CairnNode } from '../../shared/node/create-node.js'
import { parsePeerId } from '../../shared/peer-id.js'
import { CHUNKS_STREAMED_PROTOCOL, CONTENT_FEATURES } from '../../shared/protocols/ids.js'
import type { Store, StoreOp } from '../../shared/store.js'
import type { Contacts } from '../contacts.js'
import type { DepositHost, PeerFinder } from '../anonymous/ephemeral-hosts.js'
import { lookUpAddresses } from '../direct/address-lookup.js'
import type { InboxMessage, Route } from '../inbox.js'
import type { Messenger } from '../messenger.js'
import { peersWith } from '../messaging/peer-features.js'
import { tagsDigest } from './chunk-cipher.js'
import { pushChunks } from './chunk-push.js'
import { AutoFetch } from './auto-fetch.js'
import { ChunkService } from './chunk-service.js'
import { isStreamed, safeFileName } from './descriptor.js'
import { AttachmentStateError, BadFileError, FileChangedError } from './errors.js'
import { checkFiles, type CheckedFile } from './file-check.js'
import { describeFileWithTags, FileChunks } from './file-chunks.js'
import type { Attachment } from '../../../proto/cairn.js'
import type { GroupRecipients } from '../groups/group-service.js'
import { Inbound } from './inbound.js'
import { refusedError, removeReceivedFile, type IncomingFile } from './incoming-file.js'
import { descriptorOf, forgetIncomingOps, getIncoming, stillUnannounced, unannouncedBefore, type AttachmentState } from './incoming-store.js'
import { releaseOp, releaseSavedChunks, type ReleaseOutcome } from './chunk-release.js'
import { fetchChunks, type FetchConfig } from './mailbox-fetch.js'
import { uploadChunks, type UploadConfig } from './mailbox-upload.js'
import { encodeDescriptor, listOutgoing, outgoingDescriptor, outgoingTags, putNewOutgoing, putOutgoing, putUploaded, type OutgoingRecord } from './outgoing-store.js'
import type { TransferProgress } from './progress.js'
import { Saves, type SaveOptions, type SaveResult } from './saves.js'
import { SealingChunks } from './sealing-chunks.js'

export type { AttachmentState } from './incoming-store.js'
export type { AttachmentSummary } from './descriptor.js'
export type { TransferProgress } from './progress.js'
export type { SaveOptions, SaveResult } from './saves.js'

export interface FileSendResult {
  /** The message that announced the file. */
  id: string
  name: string
  size: number
  /**
   * How the chunks went: straight to the recipient, to its mailboxes, or still waiting (outbox).
   * To a group: direct when every member's went directly, outbox when any member's waits, else mailbox.
   */
  route: Route | 'outbox'
  replicas?: number
  /**
   * Why its chunks did not go (the message did): a DELIVERY_FAILED, retried at the next sync, or
   * a file that changed since it was sent, never retried. The other files of the send still go.
   * To a group: how many members' did not go, and the first one's why.
   */
  error?: string
  /** A file sent to a group: per member's PeerId, how its copy went. */
  members?: Record<string, MemberFileResult>
}

/** How one member's copy of a file sent to a group went. */
export interface MemberFileResult { route: Route | 'outbox', replicas?: number, error?: string }

/** Who a file sent to `@GROUP` goes to (Groups.fileRecipients); whether a file's sender is a fellow member of the group it names. */
export interface GroupDirectory {
  fileRecipients: (group: string) => Promise<GroupRecipients>
  fellowGroup: (sender: string, gid: string) => Promise<{ id: string, name: string } | undefined>
}

export interface AttachmentsComponents {
  store: Store
  /** A file's descriptor travels in an ordinary sealed message. */
  messenger: Messenger
  contacts: Contacts
  clock: Clock
  log: Logger
  /** Files sent to a group (`@NAME`) go to its members. */
  groups: GroupDirectory
}

/**
 * The attachments' slice of the configuration (defaults applied in config.ts): the data dir (where
 * files arrive), the attachments section, and what their routes read (fetch, upload, push).
 */
export interface AttachmentsInit extends FetchConfig, UploadConfig {
  dataDir: string
  attachments: CairnConfig['attachments']
  mailbox: FetchConfig['mailbox'] & UploadConfig['mailbox']
  /** natTraversal (@default false): a push's address lookup runs even with addresses known (direct/address-lookup.ts). */
  network: Pick<CairnConfig['network'], 'natTraversal'>
  /** requestTimeoutMs (@default 15,000): a push's address lookup and each of its steps; textBytes: the caption's limit. */
  limits: Pick<CairnConfig['limits'], 'requestTimeoutMs' | 'textBytes'>
  /** ttlMs (@default 14 days): how long a file's chunks are held at mailboxes; mailboxTimeoutMs (@default 15,000). */
  delivery: Pick<CairnConfig['delivery'], 'ttlMs' | 'mailboxTimeoutMs' | 'syncIntervalMs'>
}

export class Attachments {
  readonly inbound: Inbound
  private node?: CairnNode
  private ready: () => Promise<void> = async () => {}
  /**
   * Anonymous deposits: where uploads to an offline recipient's replicas go out from, and where a
   * recipient's addresses are looked up before a push; undefined: the node, under the user's PeerId.
   */
  private depositHost?: DepositHost & PeerFinder
  private service?: ChunkService
  private readonly stopping = new AbortController()
  /** The daemon's downloads and fetches, once it starts them. */
  readonly autoFetch: AutoFetch
  private readonly saves: Saves

  constructor (private readonly components: AttachmentsComponents, private readonly init: AttachmentsInit) {
    this.inbound = new Inbound(components.store, init.dataDir)
    const files = { save: async (id: string, dir: string, o: SaveOptions) => this.save(id, dir, o), fetch: async (id: string, o: SaveOptions) => this.fetch(id, o), incoming: async (id: string) => this.incoming(id) }
    this.autoFetch = new AutoFetch({ ...components, files }, init, components.clock.now())
    this.saves = new Saves({ ...components, inbound: this.inbound, files }, init)
  }

  /**
   * Serve /cairn/chunks/1.0.0 on `node`; `ready` resolves once DHT lookups can work; uploads to
   * others' replicas, and lookups of a recipient's addresses, go out from `depositHost` when there
   * is one (anonymous deposits).
   */
  async startNetwork (node: CairnNode, ready: () => Promise<void>, depositHost?: DepositHost & PeerFinder): Promise<void> {
    this.node = node
    this.ready = ready
    if (depositHost !== undefined) this.depositHost = depositHost
    // a contact's files are taken whatever their size, and a fellow member's sent to our group; a
    // stranger's only up to what the daemon would fetch by itself (anything larger waits at
    // mailboxes, counted in quotas, until `save`)
    const admits = async (from: string, file: IncomingFile): Promise<boolean> => {
      const { size, groupId } = file.descriptor
      if (size <= this.init.attachments.autoFetchBytes || (await this.components.contacts.byPeerId(from)) !== undefined) return true
      return groupId !== undefined && await this.components.groups.fellowGroup(from, Buffer.from(groupId).toString('hex')) !== undefined
    }
    this.service = new ChunkService({ node, inbound: this.inbound, clock: this.components.clock, log: forComponent(this.components.log, 'chunk service'), admits }, this.init)
    await this.service.start()
  }

  async stop (): Promise<void> {
    this.stopping.abort()
    await this.autoFetch.stop()
    await this.service?.stop().catch(() => {})
    await this.inbound.close()
  }

  /**
   * Send each file in its own message (the text is the first one's caption), to a contact, or to
   * every other member of a group (`@NAME`: sendToGroup). Every file is checked first: one that is
   * missing, a directory, unreadable or too large sends nothing (exit 2).
   */
  async send (to: string, paths: string[], text: string, options: { onProgress?: (p: TransferProgress) => void } = {}): Promise<FileSendResult[]> {
    const a = this.init.attachments
    if (paths.length === 0) throw new BadFileError('(none)', 'no file given')
    const captionBytes = Buffer.byteLength(text, 'utf8')
    if (captionBytes > this.init.limits.textBytes) throw new MessageTooLargeError(captionBytes, this.init.limits.textBytes)
    const files = await checkFiles(paths.map(p => resolve(p)), a.maxFileBytes, a.maxMessageBytes, a.chunkBytes)
    if (to.startsWith('@')) return this.sendToGroup(to.slice(1), files, text, options)
    const { peerId } = await this.components.contacts.resolve(to)
    const out: FileSendResult[] = []
    for (const [i, f] of files.entries()) {
      const { rec, descriptor } = await this.prepare(f, peerId, options)
      const sent = await this.components.messenger.send(to, i === 0 ? text : '', { attachment: descriptor })
      out.push({ id: sent.id, name: f.name, size: f.size, ...await this.announced(rec, sent.id, sent.route, options.onProgress) })
    }
    return out
  }

  /**
   * Files to a group: each member gets its own copy of each file (its own key, file id and chunks,
   * so that two members' holders see unrelated chunks, and its own message id) in a 1:1 message
   * naming the group and our membership heads; the file has one record in the delivery log, as a
   * group message has. The chunks then go to each member in turn, by the same routes as a
   * contact's (docs/DECISIONS.md "Files to a group: a copy per member").
   */
  private async sendToGroup (group: string, files: CheckedFile[], text: string, options: { onProgress?: (p: TransferProgress) => void }): Promise<FileSendResult[]> {
    const g = await this.components.groups.fileRecipients(group)
    const groupId = new Uint8Array(Buffer.from(g.id, 'hex'))
    const out: FileSendResult[] = []
    for (const [i, f] of files.entries()) {
      // the file's id here, in the delivery log; each member's copy carries an id of its own, so
      // that no member learns an id another member's file has (to send that member a file of its own under it)
      const id = randomBytes(16).toString('hex')
      const copyIds = Object.fromEntries(g.others.map(p => [p, randomBytes(16).toString('hex')]))
      const caption = i === 0 ? text : ''
      if (g.others.length === 0) { out.push({ id, name: f.name, size: f.size, route: 'direct', members: {} }); continue }
      // each member's pass on its own status line: one per copy, its rate its own
      const onProgress = (k: number) => options.onProgress === undefined ? undefined : (p: TransferProgress) => options.onProgress?.({ ...p, name: `${p.name} (member ${k + 1} of ${g.others.length})` })
      const copies = new Map<string, { rec: OutgoingRecord, descriptor: Attachment }>()
      for (const [k, peer] of g.others.entries()) copies.set(peer, await this.describe(f, peer, { onProgress: onProgress(k) }, { groupId, groupHeads: g.heads.map(h => new Uint8Array(Buffer.from(h, 'hex'))) }))
      const messenger = this.components.messenger
      const sent = await messenger.sendEach(g.others, async (_tx, peer) => ({ attachment: { ...(copies.get(peer)?.descriptor as Attachment), caption } }), {
        tracks: id,
        messageIdFor: (peer) => copyIds[peer] as string,
        // written with the copies: one record for the file, a state per member, and each member's
        // outgoing record (a send killed before this wrote nothing: no orphan chunks to resume)
        select: async (tx) => {
          messenger.deliveries.record(tx, { id, to: g.id, group: { id: g.id, name: g.name }, text: caption !== '' ? caption : f.name, sentAt: this.components.clock.now(), copies: copyIds }, g.others)
          for (const [peer, { rec }] of copies) putNewOutgoing(tx, { ...rec, messageId: copyIds[peer] as string, state: 'sending' })
          return g.others
        }
      })
      const members: Record<string, MemberFileResult> = {}
      for (const [k, peer] of g.others.entries()) {
        const { rec } = copies.get(peer) as { rec: OutgoingRecord }
        members[peer] = await this.announced(rec, copyIds[peer] as string, sent[k]?.route ?? 'outbox', onProgress(k))
      }
      out.push({ id, name: f.name, size: f.size, ...summedUp(members), members })
    }
    return out
  }

  /**
   * A file's descriptor for `peerId` and its outgoing record, written before the announcement: a
   * killed send can still serve the chunks.
   */
  private async prepare (f: CheckedFile, peerId: string, options: { onProgress?: (p: TransferProgress) => void }): Promise<{ rec: OutgoingRecord, descriptor: Attachment }> {
    const prepared = await this.describe(f, peerId, options)
    await putOutgoing(this.components.store, prepared.rec)
    return prepared
  }

  /** A file's descriptor for `peerId` (streamed when it takes one now, else read and described in full), and its outgoing record, not written. */
  private async describe (f: CheckedFile, peerId: string, options: { onProgress?: (p: TransferProgress) => void }, group?: Pick<Attachment, 'groupId' | 'groupHeads'>): Promise<{ rec: OutgoingRecord, descriptor: Attachment }> {
    const chunkBytes = this.init.attachments.chunkBytes
    const streamed = await this.takesStreamed(peerId)
    const { descriptor, tags } = streamed ? { descriptor: streamedDescriptor(f, chunkBytes), tags: undefined } : await describeFileWithTags(f, chunkBytes, { onChunk: (n) => options.onProgress?.({ stage: 'reading', name: f.name, done: Math.min(f.size, n * chunkBytes), total: f.size }) })
    if (group !== undefined) Object.assign(descriptor, group)
    const rec: OutgoingRecord = { fileIdHex: Buffer.from(descriptor.fileId).toString('hex'), to: peerId, path: f.path, createdAt: this.components.clock.now(), descriptor: encodeDescriptor(descriptor), ...(tags === undefined ? { streamed: true as const } : { tags: tags.toString('base64') }), state: 'announcing', uploaded: 0 }
    return { rec, descriptor }
  }

  /** The file's announcement went (message `messageId`, by `route`): its record says so, and its chunks follow. */
  private async announced (rec: OutgoingRecord, messageId: string, route: Route | 'outbox', onProgress?: (p: TransferProgress) => void): Promise<MemberFileResult> {
    rec.messageId = messageId
    rec.state = 'sending'
    await putOutgoing(this.components.store, rec)
    return (rec.streamed === true ? this.transferStreamed(rec, route, onProgress) : this.transfer(rec, route, onProgress)).catch((err: unknown) => {
      // one file's chunks not going is that file's result (its record says so, to be resumed or
      // not): the files after it still go. Anything else (a full disk, a stop) ends the send.
      if (!isFileTransferFailure(err) || this.stopping.signal.aborted) throw err
      return { route: 'outbox' as const, error: err.message }
    })
  }

  /**
   * Whether a file to `peerId` goes announced streamed: a direct connection is open (the chunks can
   * follow at once; an offline recipient's need addresses), and it takes one (said so in a message,
   * or serves CHUNKS_STREAMED_PROTOCOL, which identify told us when we connected).
   */
  private async takesStreamed (peerId: string): Promise<boolean> {
    if (this.node === undefined) return false
    const peer = parsePeerId(peerId)
    if (!this.node.getConnections(peer).some((c: Connection) => c.status === 'open' && c.limits === undefined)) return false
    const [said] = await peersWith(this.components.store, [peerId], CONTENT_FEATURES.streamedAttachments)
    if (said === true) return true
    const known = await this.node.peerStore.get(peer).catch(() => undefined)
    return known?.protocols.includes(CHUNKS_STREAMED_PROTOCOL) === true
  }

  /**
   * The first push of a file announced streamed: each chunk read and sealed once as it goes, then
   * ChunkEnd. Should it fail, or the announcement not have gone direct, the file is described in
   * full (same key and file id) and goes the usual way (transfer), to mailboxes if need be.
   */
  private async transferStreamed (rec: OutgoingRecord, messageRoute: Route | 'outbox', onProgress?: (p: TransferProgress) => void): Promise<Pick<FileSendResult, 'route' | 'replicas'>> {
    const node = this.node
    if (node === undefined || messageRoute === 'outbox') return { route: 'outbox' }
    let directFailure: string | undefined
    if (messageRoute === 'direct') {
      const d = outgoingDescriptor(rec)
      const chunks = new SealingChunks(rec.path, d)
      try {
        await pushChunks(node, parsePeerId(rec.to), d.fileId, chunks, this.init, { clock: this.components.clock, end: () => chunks.endDigest(), onChunk: (held) => onProgress?.({ stage: 'sending', name: d.name, done: Math.min(d.size, held * d.chunkBytes), total: d.size }) })
        rec.state = 'delivered'
        await putOutgoing(this.components.store, rec)
        return { route: 'direct' }
      } catch (err) {
        if (err instanceof FileChangedError) {
          rec.state = 'failed'
          rec.lastError = describeError(err)
          await putOutgoing(this.components.store, rec)
          throw err
        }
        this.components.log.info({ file: rec.fileIdHex, err: describeError(err) }, 'streamed chunk transfer failed; describing the file for its mailboxes')
        directFailure = describeError(err)
      } finally {
        await chunks.close()
      }
    }
    await this.describeStreamed(rec, onProgress)
    return this.transfer(rec, 'mailbox', onProgress, directFailure)
  }

  /**
   * A file announced streamed whose chunks cannot all go on the first push: described in full now,
   * under its key and file id (the chunk addresses mailboxes need, the digest, every tag), kept in
   * its record. A file that changed since it was announced cannot be (FileChangedError).
   */
  private async describeStreamed (rec: OutgoingRecord, onProgress?: (p: TransferProgress) => void): Promise<void> {
    const d0 = outgoingDescriptor(rec)
    if (!isStreamed(d0)) return
    const file: CheckedFile = { path: rec.path, name: d0.name, size: d0.size, mediaType: d0.mediaType }
    try {
      const { descriptor, tags } = await describeFileWithTags(file, d0.chunkBytes, { key: new Uint8Array(d0.key), fileId: new Uint8Array(d0.fileId), onChunk: (n) => onProgress?.({ stage: 'reading', name: d0.name, done: Math.min(d0.size, n * d0.chunkBytes), total: d0.size }) })
      rec.descriptor = encodeDescriptor({ ...descriptor, caption: d0.caption })
      rec.tags = tags.toString('base64')
      await putOutgoing(this.components.store, rec)
    } catch (err) {
      // a file gone or changed since it was announced can never be sent: stop retrying it
      const gone = err instanceof FileChangedError || (err as NodeJS.ErrnoException).code === 'ENOENT'
      rec.lastError = describeError(err)
      if (gone) rec.state = 'failed'
      await putOutgoing(this.components.store, rec)
      throw gone && !(err instanceof FileChangedError) ? new FileChangedError(rec.path) : err
    }
  }

  /**
   * Ask `replicas` (a sync's) to drop the chunks of files saved since the last time (chunk-release.ts):
   * they stop counting against our quota there. Never throws.
   */
  async releaseSaved (replicas: PeerId[]): Promise<ReleaseOutcome> {
    if (this.node === undefined) return { done: 0, released: 0 }
    const out = await releaseSavedChunks({ store: this.components.store, node: this.node, clock: this.components.clock, log: this.components.log }, this.init, replicas, this.stopping.signal)
    if (out.done > 0) this.components.log.info(out, 'saved attachments released at the replicas')
    return out
  }

  /** Continue every unfinished outgoing transfer (after a killed send, or once the recipient's message left the outbox). */
  async resume (options: { onProgress?: (p: TransferProgress) => void } = {}): Promise<number> {
    let done = 0
    for (const rec of await listOutgoing(this.components.store)) {
      if (rec.state !== 'announcing' && rec.state !== 'sending') continue
      const r = await this.describeStreamed(rec, options.onProgress).then(async () => this.transfer(rec, 'direct', options.onProgress)).catch((err: unknown) => {
        // a FileChangedError names the file: never at info
        this.components.log.info({ file: rec.fileIdHex, err: loggableError(err) }, 'attachment transfer not resumed yet')
        return undefined
      })
      if (r !== undefined && r.route !== 'outbox') done++
    }
    return done
  }

  /**
   * Move a file's chunks: straight to the recipient when it is online (it says what it lacks), else
   * to its mailbox replicas from where the last upload stopped. A message still in the outbox waits.
   * `directFailure`: why a push straight to the recipient failed before, said if the mailboxes fail too.
   */
  private async transfer (rec: OutgoingRecord, messageRoute: Route | 'outbox', onProgress?: (p: TransferProgress) => void, directFailure?: string): Promise<Pick<FileSendResult, 'route' | 'replicas'>> {
    const node = this.node
    if (node === undefined || messageRoute === 'outbox') return { route: 'outbox' }
    const d = outgoingDescriptor(rec)
    const peer = parsePeerId(rec.to)
    const chunks = new FileChunks(rec.path, d, outgoingTags(rec))
    const report = (done: number): void => onProgress?.({ stage: 'sending', name: d.name, done: Math.min(d.size, done), total: d.size })
    try {
      if (messageRoute === 'direct') {
        try {
          // a resumed push may have no connection and no address: looked up as the direct route does
          if (node.getConnections(peer).length === 0) await lookUpAddresses(node, peer, { finder: this.depositHost, natTraversal: this.init.network.natTraversal, signal: deadline(this.components.clock, this.init.limits.requestTimeoutMs) })
          const tags = outgoingTags(rec)
          await pushChunks(node, peer, d.fileId, chunks, this.init, { clock: this.components.clock, onChunk: (held) => { report(held * d.chunkBytes) }, ...(rec.streamed === true && tags !== undefined ? { end: () => tagsDigest(tags) } : {}) })
          rec.state = 'delivered'
          await putOutgoing(this.components.store, rec)
          return { route: 'direct' }
        } catch (err) {
          if (err instanceof FileChangedError) throw err
          this.components.log.info({ file: rec.fileIdHex, err: describeError(err) }, 'direct chunk transfer failed; storing at mailboxes')
          directFailure = describeError(err)
        }
      }
      await this.ready()
      await this.sendFullDescriptor(rec, d)
      const up = await uploadChunks(node, this.init, this.components.log, peer, chunks, d.chunks, {
        clock: this.components.clock,
        from: rec.uploaded,
        expiresAt: rec.createdAt + this.init.delivery.ttlMs,
        ...(this.depositHost === undefined ? {} : { depositHost: this.depositHost }),
        onStored: async (next) => { rec.uploaded = next; await putUploaded(this.components.store, rec.fileIdHex, next); report(next * d.chunkBytes) }
      })
      rec.state = 'stored'
      rec.replicas = up.replicas
      await putOutgoing(this.components.store, rec)
      return { route: 'mailbox', replicas: up.replicas }
    } catch (err) {
      const direct = directFailure === undefined ? '' : `; the recipient did not take it directly either: ${directFailure}`
      rec.lastError = describeError(err) + direct
      // a file that changed or vanished can never be sent again: stop retrying it
      if (err instanceof FileChangedError) rec.state = 'failed'
      await putOutgoing(this.components.store, rec)
      // neither way worked: say both (or the user sees only the mailboxes' half), and that the
      // record stays to be resumed (Attachments.resume, at every sync)
      if (CairnError.is(err) && err.code === 'DELIVERY_FAILED') throw new CairnError('DELIVERY_FAILED', `${err.message}${direct}; the file is tried again at the next sync`, { cause: err, exitCode: err.exitCode })
      throw err
    } finally {
      await chunks.close()
    }
  }

  /**
   * A file announced streamed whose chunks go to mailboxes: its full descriptor goes first, in a
   * second message (once; the recipient completes its record with it and does not show it, nor do
   * we list it among the messages we sent), so the recipient knows the addresses to fetch.
   */
  private async sendFullDescriptor (rec: OutgoingRecord, d: Attachment): Promise<void> {
    if (rec.streamed !== true || rec.completionSent === true) return
    await this.components.messenger.send(rec.to, '', { attachment: { ...d, caption: '', completes: true }, unlisted: true })
    rec.completionSent = true
    await putOutgoing(this.components.store, rec)
  }

  /**
   * What deletes the file received with message `m` (the message is being deleted), to go in the
   * message's own write: its record (with the file's key) and chunk records; and, for a file not
   * saved whose chunks may wait at our mailbox replicas, a release record (chunk-release.ts), so
   * they stop counting against our quota there too. `removeReceived` then removes the chunk file.
   */
  async deleteOps (m: InboxMessage): Promise<StoreOp[]> {
    if (m.attachment === undefined) return []
    // a transfer under way stops taking chunks now, before its records go (a failed write: the next look-up opens it afresh)
    await this.inbound.forget(m.from, m.attachment.fileId)
    const r = await getIncoming(this.components.store, m.from, m.attachment.fileId)
    if (r === undefined) return []
    const ops = await forgetIncomingOps(this.components.store, m.from, m.attachment.fileId)
    if (r.savedTo === undefined && (m.route === 'mailbox' || r.fromMailboxes === true)) ops.push(releaseOp(r.from, m.attachment.fileId, descriptorOf(r).chunks, r.receivedAt + this.init.delivery.ttlMs))
    return ops
  }

  /**
   * Forget the files whose second message came before their announcement, and whose announcement
   * has not come since `before` (lost, or its message deleted meanwhile): nothing shows them, and
   * their record holds the file's key. Returns how many went.
   */
  async pruneUnannounced (before: number): Promise<number> {
    let n = 0
    for (const r of await unannouncedBefore(this.components.store, before)) {
      const fileIdHex = Buffer.from(descriptorOf(r).fileId).toString('hex')
      const ops = await forgetIncomingOps(this.components.store, r.from, fileIdHex)
      // under the receiver's lock: an announcement opened meanwhile keeps its record
      let forgotten = false
      await this.components.messenger.receiveWith(async (tx) => {
        if (!await stillUnannounced(tx, r)) return []
        for (const op of ops) tx.delete(op.key)
        forgotten = true
        return []
      })
      if (!forgotten) continue
      await this.inbound.forget(r.from, fileIdHex)
      await removeReceivedFile(this.init.dataDir, r.from, fileIdHex)
      n++
    }
    return n
  }

  /** After `deleteOps` were written: the received file's chunk file goes (its key went with its record). */
  async removeReceived (m: InboxMessage): Promise<void> {
    if (m.attachment === undefined) return
    await this.inbound.forget(m.from, m.attachment.fileId) // one opened again since deleteOps
    await removeReceivedFile(this.init.dataDir, m.from, m.attachment.fileId)
  }

  /**
   * The received attachment of message `messageId` (its whole id); exit 2 when there is none (a
   * deleted message's too). Reads that message only (the inbox's index by id), so neither `save`
   * nor the daemon's fetch costs more as the inbox grows.
   */
  async incoming (messageId: string): Promise<IncomingFile> {
    const named = /^[0-9a-f]{32}$/.test(messageId) ? await this.components.messenger.findReceived(messageId) : []
    const m = named.find(x => x.id === messageId && x.attachment !== undefined)
    if (m?.attachment === undefined) throw new AttachmentStateError(`unknown message ${messageId}: no received message with a file has this id`, 2)
    const file = await this.inbound.get(m.from, m.attachment.fileId)
    if (file === undefined) throw new AttachmentStateError(`the attachment of message ${messageId} is not recorded`, 1)
    return file
  }

  /** How far a received file has come, and where it was saved once it was. */
  async stateOf (from: string, fileIdHex: string): Promise<{ state: AttachmentState, savedTo?: string }> {
    const file = await this.inbound.get(from, fileIdHex)
    if (file === undefined) return { state: 'waiting' }
    const savedTo = file.savedTo
    return { state: file.state(), ...(savedTo === undefined ? {} : { savedTo }) }
  }

  /** Get every missing chunk from the mailbox replicas and check the whole file. */
  async fetch (messageId: string, options: { onProgress?: (p: TransferProgress) => void, signal?: AbortSignal } = {}): Promise<IncomingFile> {
    options.signal?.throwIfAborted()
    let file = await this.incoming(messageId)
    if (file.complete) return file
    if (file.record.refused === true) throw refusedError()
    if (isStreamed(file.descriptor)) {
      // a second message may have completed its descriptor since it was opened
      file = await this.inbound.reload(file.record.from, file.fileIdHex) ?? file
      if (file.complete) return file
      if (isStreamed(file.descriptor)) throw new AttachmentStateError(`message ${messageId}'s file is still coming straight from its sender (${file.heldCount} of ${file.count} chunks here); it completes when the sender's next push does, or its chunks reach mailboxes`)
    }
    if (file.missing().length > 0 && this.node !== undefined) {
      await this.ready()
      let done = file.heldCount * file.descriptor.chunkBytes
      const r = await fetchChunks(this.node, this.init, this.components.log, file, { clock: this.components.clock, ...(options.signal === undefined ? {} : { signal: options.signal }), onChunk: (n) => { done += n; options.onProgress?.({ stage: 'fetching', name: safeFileName(file.descriptor.name), done: Math.min(done, file.descriptor.size), total: file.descriptor.size }) } })
      if (r.dropped.length > 0) this.components.log.info({ dropped: r.dropped.length }, 'replicas dropped during this fetch')
    }
    const missing = file.missing().length
    if (missing > 0) throw new AttachmentStateError(`${missing} of ${file.count} chunks are not available yet; try again later (they wait at mailboxes up to 14 days)`)
    await file.finish()
    return file
  }

  /**
   * Ask now for the `save` of message `given`'s file into `outDir` that will follow, so that it
   * need not read the file back (Saves.ahead).
   */
  async saveAhead (given: string, outDir: string): Promise<void> {
    await this.saves.ahead(given, outDir)
  }

  /** Fetch what is missing, then write the file into `outDir` atomically, never over an existing file (Saves.save). */
  async save (given: string, outDir: string, options: SaveOptions = {}): Promise<SaveResult> {
    return this.saves.save(given, outDir, options)
  }
}

/** A streamed descriptor for `f`: a fresh key and file id, the size; no chunk list, no digest (descriptor.ts isStreamed). */
function streamedDescriptor (f: CheckedFile, chunkBytes: number): Attachment {
  return { fileId: randomBytes(16), name: f.name, size: f.size, mediaType: f.mediaType, chunkBytes, chunks: [], key: randomBytes(32), sha256: new Uint8Array(0), caption: '', groupHeads: [] }
}

/** A group file's outcome from its members': the route as a group message's is summed up, the fewest replicas, and how many failed. */
function summedUp (members: Record<string, MemberFileResult>): Pick<FileSendResult, 'route' | 'replicas' | 'error'> {
  const results = Object.values(members)
  const routes = results.map(r => r.route)
  const route = routes.every(r => r === 'direct') ? 'direct' : routes.includes('outbox') ? 'outbox' : 'mailbox'
  const stored = results.filter(r => r.route === 'mailbox').map(r => r.replicas ?? 0)
  const failed = results.filter(r => r.error !== undefined)
  return {
    route,
    ...(stored.length === 0 ? {} : { replicas: Math.min(...stored) }),
    ...(failed.length === 0 ? {} : { error: `to ${failed.length} of ${results.length} members: ${failed[0]?.error ?? ''}` })
  }
}

/** A file's chunks that could not go, which its outgoing record keeps (transfer): no route took them, or the file changed. */
function isFileTransferFailure (err: unknown): err is CairnError {
  return err instanceof FileChangedError || (CairnError.is(err) && err.code === 'DELIVERY_FAILED')
}
