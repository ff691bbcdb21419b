/**
 * Saving a received file where its user asks: fetched first if chunks are missing, written
 * atomically (temporary name, syncs, link to the first free name), never over an existing file.
 * A file still coming straight from its sender is saved as it arrives (save-ahead.ts): each chunk
 * goes into the save's temporary file as its receipt opens it, and the save reads back only what
 * came before.
 */
import { resolve } from 'node:path'
import { stat } from 'node:fs/promises'
import type { Clock } from '../../shared/clock.js'
import type { CairnConfig } from '../../shared/config.js'
import { loggableError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import { KeyedMutex } from '../../shared/mutex.js'
import type { Store } from '../../shared/store.js'
import type { Contacts } from '../contacts.js'
import { resolveMessageIds, type MessageMatch } from '../message-ids.js'
import type { Messenger } from '../messenger.js'
import { releaseOp } from './chunk-release.js'
import { isStreamed, safeFileName } from './descriptor.js'
import { AttachmentDigestError, AttachmentStateError, CorruptChunkError } from './errors.js'
import type { Inbound } from './inbound.js'
import type { IncomingFile } from './incoming-file.js'
import { descriptorOf, getIncoming } from './incoming-store.js'
import type { TransferProgress } from './progress.js'
import { SaveAhead } from './save-ahead.js'
import { saveAtomically } from './save-file.js'

/** How often a save waiting for a file still coming straight from its sender looks at what has arrived, ms. */
const ARRIVAL_POLL_MS = 100

/** `signal`: stops a save waiting for a file to arrive, or fetching it (the daemon's downloads, at its stop). */
export interface SaveOptions { onProgress?: (p: TransferProgress) => void, signal?: AbortSignal }

/**
 * `alreadySaved`: an earlier save wrote the file at `path` (still there); nothing was written now.
 * `readBack`: how many chunks this save read back from the received copy (and opened again); those
 * a save asked for ahead took as they arrived are not (Saves.ahead), nor those a killed save of the
 * file had put on disk (save-file.ts).
 */
export interface SaveResult { id: string, path: string, name: string, size: number, alreadySaved?: true, readBack?: number }

export interface SavesComponents {
  store: Store
  messenger: Messenger
  contacts: Contacts
  clock: Clock
  log: Logger
  inbound: Inbound
  /** Attachments' own look-up of a message's file, and its fetch of the missing chunks from mailboxes. */
  files: {
    incoming: (messageId: string) => Promise<IncomingFile>
    fetch: (messageId: string, options: SaveOptions) => Promise<IncomingFile>
  }
}

/** requestTimeoutMs: how long a save waits for a file's next chunk from its sender; ttlMs: how long a file's chunks are held at mailboxes. */
export interface SavesInit {
  limits: Pick<CairnConfig['limits'], 'requestTimeoutMs'>
  delivery: Pick<CairnConfig['delivery'], 'ttlMs'>
}

export class Saves {
  /** Saves, one at a time per message id (save). */
  private readonly saving = new KeyedMutex()

  constructor (private readonly components: SavesComponents, private readonly init: SavesInit) {}

  /**
   * Ask now for the `save` of message `given`'s file into `outDir` that will follow: each of its
   * chunks received from here on is written into the save's temporary file as soon as its receipt
   * has opened it, so that `save(given, outDir)` need not read the file back (save-ahead.ts). Only
   * `save` links the file, once it is complete and checked. A file already complete, or saved, has
   * nothing to gain: nothing is done. Kept in this process only (a restart's save copies the file whole).
   */
  async ahead (given: string, outDir: string): Promise<void> {
    const { dir, messageId } = await this.target(given, outDir)
    const file = await this.components.files.incoming(messageId)
    if (file.complete) return
    await this.beginAhead(file, dir, messageId)
  }

  /** The directory a save goes into (exit 2 unless it is one) and the whole id of the received message with a file that `given` names. */
  private async target (given: string, outDir: string): Promise<{ dir: string, messageId: string }> {
    const dir = resolve(outDir)
    const st = await stat(dir).catch(() => undefined)
    if (st?.isDirectory() !== true) throw new AttachmentStateError(`${dir} is not a directory`, 2)
    const [named] = await resolveMessageIds(this.components, [given], { received: m => m.attachment !== undefined, sent: false, what: 'received message with a file', nothingDone: 'nothing was saved' })
    const messageId = (named as MessageMatch).message.id
    return { dir, messageId }
  }

  private async beginAhead (file: IncomingFile, dir: string, messageId: string): Promise<void> {
    const d = file.descriptor
    await this.components.inbound.saveAhead(file, await SaveAhead.begin(dir, safeFileName(d.name), messageId.slice(0, 16), d.chunkBytes))
  }

  /**
   * A file still coming straight from its sender (a direct push running into it, or announced
   * streamed: its push follows the message): the save is asked for ahead, so that each chunk goes
   * where the file is saved as it arrives, and this waits while chunks keep arriving. It returns once
   * the file is complete; once no push runs and the file is described in full (fetch then takes the
   * rest from mailboxes); or once no chunk came for a whole `limits.requestTimeoutMs`, the push's
   * own deadline for a frame: a stalled sender, whose file fetch then says is not all here.
   */
  private async untilArrived (messageId: string, dir: string, { onProgress, signal }: SaveOptions): Promise<void> {
    let file = await this.components.files.incoming(messageId)
    const arriving = (f: IncomingFile): boolean => !f.complete && (this.components.inbound.beingPushed(f.record.from, f.fileIdHex) || isStreamed(f.descriptor))
    if (!arriving(file)) return
    await this.beginAhead(file, dir, messageId).catch((err: unknown) => {
      // the save itself then writes the whole file, and says what is wrong with the directory
      this.components.log.info({ err: loggableError(err) }, 'could not write the file ahead as it arrives; it is saved once it has arrived')
    })
    const { clock } = this.components
    const d = file.descriptor
    const report = (held: number): void => onProgress?.({ stage: 'receiving', name: safeFileName(d.name), done: Math.min(d.size, held * d.chunkBytes), total: d.size })
    let held = -1 // arrivedCount: a stream's chunks count as they are written, before its next sync
    let since = clock.now()
    for (;;) {
      // a second message may describe a streamed file in full (a resumed send): opened afresh then
      if (isStreamed(file.descriptor) && !this.components.inbound.beingPushed(file.record.from, file.fileIdHex)) {
        const stored = await getIncoming(this.components.store, file.record.from, file.fileIdHex)
        if (stored !== undefined && !isStreamed(descriptorOf(stored))) file = await this.components.inbound.reload(file.record.from, file.fileIdHex) ?? file
      } else file = await this.components.files.incoming(messageId)
      if (file.complete) { report(file.count); return }
      if (!arriving(file)) return
      if (file.arrivedCount !== held) {
        held = file.arrivedCount
        since = clock.now()
        report(held)
      } else if (clock.now() - since >= this.init.limits.requestTimeoutMs) return
      if (signal?.aborted === true) return // fetch then says why
      await clock.sleep(ARRIVAL_POLL_MS)
    }
  }

  /**
   * Fetch what is missing, then write the file into `outDir` atomically (never over an existing
   * file). Saves of one message run one after another: two at once would share its temporary name
   * (a second `cairn save` while the daemon still runs one its caller left); the second then finds
   * the file saved.
   */
  async save (given: string, outDir: string, options: SaveOptions = {}): Promise<SaveResult> {
    const { dir, messageId } = await this.target(given, outDir)
    return this.saving.run(messageId, async () => this.saveOne(messageId, dir, options))
  }

  private async saveOne (messageId: string, dir: string, options: SaveOptions): Promise<SaveResult> {
    const earlier = await this.components.files.incoming(messageId)
    const savedTo = earlier.savedTo
    if (savedTo !== undefined) {
      // the received chunks went once it was saved: say where, or take it again if that file is gone
      if (await stat(savedTo).catch(() => undefined) !== undefined) return { id: messageId, path: savedTo, name: safeFileName(earlier.descriptor.name), size: earlier.descriptor.size, alreadySaved: true }
      await earlier.fetchAgain()
    }
    if (savedTo === undefined) await this.untilArrived(messageId, dir, options)
    const file = await this.components.files.fetch(messageId, options).catch(async (err: unknown) => {
      // nothing is saved: nor is anything left where it would have been (what untilArrived wrote ahead)
      await this.components.inbound.takeAhead(earlier.record.from, earlier.fileIdHex)?.abort()
      if (savedTo === undefined || !(err instanceof AttachmentStateError)) throw err
      throw new AttachmentStateError(`the file was saved to ${savedTo}, which is gone, and its received copy was removed after that save; ${err.message}. A file sent directly never waits at mailboxes: ask the sender to send it again`, err.exitCode)
    })
    const name = safeFileName(file.descriptor.name)
    let done = 0
    let readBack = file.count
    const progress = (n: number): void => { done += n; options.onProgress?.({ stage: 'saving', name, done, total: file.descriptor.size }) }
    const ahead = this.components.inbound.takeAhead(file.record.from, file.fileIdHex)
    const fused = ahead !== undefined && ahead.usable && ahead.dir === dir && ahead.name === name
    if (ahead !== undefined && !fused) await ahead.abort() // its temporary file is the one saveAtomically takes over
    const saving = fused
      ? ahead.commit((async function * () {
        readBack = 0
        for await (const c of file.plaintextAt(i => !ahead.has(i))) { readBack++; yield c; progress(c.plain.length) }
      })())
      : saveAtomically({
        chunkBytes: file.descriptor.chunkBytes,
        // a killed save's synced part is kept: only the chunks after it are read back
        from: (start) => (async function * () {
          readBack = 0
          for await (const c of file.plaintextAt(i => i >= start)) { readBack++; yield c.plain }
        })()
      }, dir, name, messageId.slice(0, 16), progress)
    const path = await saving.catch(async (err: unknown) => {
      // a chunk altered on disk since the file was checked: fetch it again on the next save (exit 1)
      if (!(err instanceof CorruptChunkError)) throw err
      await file.discard()
      throw new AttachmentDigestError('local', 'a received chunk changed on disk after it was checked; nothing was saved, and the next save fetches the file again')
    })
    // the saved file is durable: its ciphertext copy in the data dir is no longer needed
    const release = file.record.fromMailboxes === true ? [releaseOp(file.record.from, Buffer.from(file.descriptor.fileId).toString('hex'), file.descriptor.chunks, file.record.receivedAt + this.init.delivery.ttlMs)] : []
    await file.markSaved(path, release).catch((err: unknown) => { this.components.log.info({ err: loggableError(err) }, 'saved, but the received chunks were not removed (they stay until a later save)') })
    return { id: messageId, path, name, size: file.descriptor.size, readBack }
  }}
