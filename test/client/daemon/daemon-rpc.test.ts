/**
 * The daemon's local API as the CLI meets it (daemon-server.ts, daemon-client.ts), on a real unix
 * socket with a stand-in ClientApi: progress lines streamed back on the call's own answer, text
 * that is not ASCII kept whole across reads, options a caller sends never reaching the API, and a
 * daemon that stops mid-answer failing the call instead of leaving it unsettled.
 */
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { join } from 'node:path'
import { test } from 'node:test'
import type { ClientApi } from '../../../src/client/api.js'
import type { SaveResult, TransferProgress } from '../../../src/client/attachments/index.js'
import { connectDaemon, DaemonError } from '../../../src/client/daemon/daemon-client.js'
import { DaemonServer } from '../../../src/client/daemon/daemon-server.js'
import type { Messenger } from '../../../src/client/messenger.js'
import { ensureDataDir, paths } from '../../../src/shared/data-dir.js'
import { readFileSync } from 'node:fs'
import { createLogger } from '../../../src/shared/logger.js'
import { tempRoot } from '../../helpers/users.js'

// long enough that the answer spans many reads of the socket, in characters of two and three bytes
const NAME = 'фото-été-' + 'é€'.repeat(60_000) + '.png'

interface Seen { save?: unknown[], sync?: unknown[] }

async function daemon (t: Parameters<typeof tempRoot>[0], api: Partial<ClientApi>): Promise<{ dataDir: string, server: DaemonServer }> {
  const dataDir = join(await tempRoot(t), 'user')
  ensureDataDir(dataDir)
  const server = new DaemonServer({ dataDir, api: { id: async () => ({ peerId: 'p', addresses: [], fingerprint: 'f' }), ...api } as ClientApi, messenger: {} as Messenger, names: async () => null, log: createLogger('silent', {}) })
  await server.start()
  t.after(async () => { await server.stop() })
  return { dataDir, server }
}

/** POST /rpc as any local program could, with whatever params it likes. */
async function raw (dataDir: string, body: unknown): Promise<string> {
  const token = readFileSync(paths.token(dataDir), 'utf8').trim()
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: paths.socket(dataDir), path: '/rpc', method: 'POST', headers: { authorization: `Bearer ${token}` } }, res => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { text += c })
      res.on('end', () => { resolve(text) })
    })
    req.on('error', reject)
    req.end(JSON.stringify(body))
  })
}

test('progress through the daemon: every report arrives in order before the answer, non-ASCII names whole; a caller\'s own options never reach the API', async (t) => {
  const seen: Seen = {}
  const reports: TransferProgress[] = [0, 1, 2].map(i => ({ stage: 'saving', name: NAME, done: i * 100, total: 200 }))
  const { dataDir } = await daemon(t, {
    save: async (...args: unknown[]) => {
      seen.save = args
      const options = args[2] as { onProgress?: (p: TransferProgress) => void } | undefined
      for (const r of reports) options?.onProgress?.(r)
      return { id: 'm', path: `/out/${NAME}`, name: NAME, size: 200 } satisfies SaveResult
    },
    sync: async (...args: unknown[]) => { seen.sync = args; return { received: 0, sent: 0, mailboxes: { found: 0, collected: 0 } } }
  })
  const api = await connectDaemon(dataDir)
  assert.ok(api !== undefined)

  const got: TransferProgress[] = []
  const result = await api.save('m', '/out', { onProgress: (p) => { got.push(p) } })
  assert.deepEqual(got, reports, 'every report, in order, names whole')
  assert.equal(result.name, NAME, 'the answer after them, whole')
  // without a callback: no progress asked for, the plain answer
  assert.equal((await api.save('m', '/out')).name, NAME)

  // a status line that throws is for the eyes only: the call the daemon carried out still succeeds
  assert.equal((await api.save('m', '/out', { onProgress: () => { throw new Error('terminal gone') } })).size, 200)

  // a program on the socket puts its own options where the callback goes: the API gets none
  const answer = JSON.parse(await raw(dataDir, { method: 'sync', params: [{ reuseReplicas: true, stages: 'x' }] })) as { ok: boolean }
  assert.equal(answer.ok, true)
  assert.deepEqual(seen.sync, [], 'sync got no options')
  const lines = (await raw(dataDir, { method: 'save', params: ['m', '/out', { onProgress: 'x', other: 1 }], progress: true })).trimEnd().split('\n')
  assert.equal(lines.length, 4, 'three progress lines, then the answer')
  assert.equal(typeof (seen.save?.[2] as { onProgress?: unknown } | undefined)?.onProgress, 'function', 'the daemon\'s own callback, not the caller\'s')
  assert.deepEqual(Object.keys(seen.save?.[2] as object), ['onProgress'])
})

test('a daemon that stops while a call with progress is under way fails the call, naming it', async (t) => {
  let reported!: () => void
  const started = new Promise<void>(resolve => { reported = resolve })
  const { dataDir, server } = await daemon(t, {
    save: async (_id: string, _dir: string, options?: { onProgress?: (p: TransferProgress) => void }) => {
      options?.onProgress?.({ stage: 'saving', name: 'a.png', done: 1, total: 2 })
      reported()
      return new Promise<SaveResult>(() => {}) // never answers: the daemon is stopped first
    }
  })
  const api = await connectDaemon(dataDir)
  assert.ok(api !== undefined)
  const got: TransferProgress[] = []
  const call = api.save('m', '/out', { onProgress: (p) => { got.push(p) } })
  await started
  await new Promise(resolve => setTimeout(resolve, 100)) // the progress line on its way
  await server.stop()
  await assert.rejects(call, (err: unknown) => err instanceof DaemonError && /closed the connection before answering.*the save may or may not have been done/.test(err.message))
  assert.equal(got.length, 1)
})
