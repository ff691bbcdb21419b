/**
 * The attachments being received, each opened once per process: the direct stream, a mailbox fetch
 * and a `save` working on the same file share one IncomingFile (one view of which chunks are held).
 */
import type { Store } from '../../shared/store.js'
import { IncomingFile } from './incoming-file.js'
import { getIncoming } from './incoming-store.js'
import type { SaveAhead } from './save-ahead.js'

export class Inbound {
  private readonly files = new Map<string, Promise<IncomingFile | undefined>>()
  /** Saves asked for ahead, per file: kept here so that a view opened afresh (reload) writes into them too. */
  private readonly aheads = new Map<string, SaveAhead>()
  /** Direct pushes running into each file (chunk-service.ts): a save waits for a file that is arriving. */
  private readonly pushes = new Map<string, number>()

  constructor (private readonly store: Store, private readonly dataDir: string) {}

  /** The attachment `from` announced with this file id, or undefined if none was received. */
  async get (from: string, fileIdHex: string): Promise<IncomingFile | undefined> {
    const key = `${from}/${fileIdHex}`
    let f = this.files.get(key)
    if (f === undefined) {
      f = getIncoming(this.store, from, fileIdHex).then(async r => r === undefined ? undefined : IncomingFile.open(this.store, this.dataDir, r)).then(v => {
        const ahead = this.aheads.get(key)
        if (v !== undefined && ahead !== undefined) v.ahead = ahead
        return v
      })
      this.files.set(key, f)
      // an unknown id is not cached: its message may arrive a moment later
      void f.then(v => { if (v === undefined) this.files.delete(key) }, () => { this.files.delete(key) })
    }
    return f
  }

  /** Forget the file `from` sent with this id (its message was deleted): closed for good, and looked up in the store again if asked for. */
  async forget (from: string, fileIdHex: string): Promise<void> {
    const key = `${from}/${fileIdHex}`
    const f = this.files.get(key)
    this.files.delete(key)
    await (await f?.catch(() => undefined))?.forget().catch(() => {})
    await this.takeAhead(from, fileIdHex)?.abort()
  }

  /** A direct push from `from` into this file has begun; call the function returned once it has ended, however. */
  pushing (from: string, fileIdHex: string): () => void {
    const key = `${from}/${fileIdHex}`
    this.pushes.set(key, (this.pushes.get(key) ?? 0) + 1)
    let ended = false
    return () => {
      if (ended) return
      ended = true
      const n = (this.pushes.get(key) ?? 1) - 1
      if (n > 0) this.pushes.set(key, n)
      else this.pushes.delete(key)
    }
  }

  /** Whether a direct push into this file is running. */
  beingPushed (from: string, fileIdHex: string): boolean { return this.pushes.has(`${from}/${fileIdHex}`) }

  /** From now on each chunk of this file received in this process also goes into `ahead` (one replaced is aborted). */
  async saveAhead (file: IncomingFile, ahead: SaveAhead): Promise<void> {
    const old = this.takeAhead(file.record.from, file.fileIdHex)
    this.aheads.set(`${file.record.from}/${file.fileIdHex}`, ahead)
    file.ahead = ahead
    await old?.abort()
  }

  /** The save asked for ahead of this file, now no longer written into: the caller commits or aborts it. */
  takeAhead (from: string, fileIdHex: string): SaveAhead | undefined {
    const key = `${from}/${fileIdHex}`
    const ahead = this.aheads.get(key)
    if (ahead === undefined) return undefined
    this.aheads.delete(key)
    void this.files.get(key)?.then(f => { if (f?.ahead === ahead) delete f.ahead }, () => {})
    return ahead
  }

  /**
   * Open the file afresh from its record (a second message completed a streamed descriptor). The
   * old view's file is closed; a direct push still writing with it opens it again for its next chunk.
   */
  async reload (from: string, fileIdHex: string): Promise<IncomingFile | undefined> {
    const key = `${from}/${fileIdHex}`
    const old = this.files.get(key)
    this.files.delete(key)
    await (await old?.catch(() => undefined))?.closeFile().catch(() => {})
    return this.get(from, fileIdHex)
  }

  async close (): Promise<void> {
    const aheads = [...this.aheads.values()]
    this.aheads.clear()
    for (const a of aheads) await a.abort()
    const all = [...this.files.values()]
    this.files.clear()
    for (const f of all) await (await f.catch(() => undefined))?.closeFile().catch(() => {})
  }
}
