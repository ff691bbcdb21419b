/**
 * `cairn save MESSAGE-ID` and the daemon's fetch find the file's message through the inbox's index
 * by id (inbox.ts findReceived): with hundreds of messages in the inbox, saving one reads that
 * message's record and no other. A store from before the index gets it when the client opens.
 */
import assert from 'node:assert/strict'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { paths } from '../../../src/shared/data-dir.js'
import { NAMESPACES } from '../../../src/shared/namespaces.js'
import { Store, type Entry } from '../../../src/shared/store.js'
import { befriend, makeUser, tempRoot, type TestUser } from '../../helpers/users.js'
import { randomFile } from '../../helpers/random-file.js'

const CHUNK = 16 * 1024
const isInbox = (key: string): boolean => key.startsWith(NAMESPACES.inbox)

/**
 * Every inbox record `store` hands out from now on, by key: its reads pass through to LevelDB
 * unchanged, each record that comes back under the inbox's namespace is noted.
 */
function inboxReads (store: Store): string[] {
  const read: string[] = []
  const s = store as unknown as Record<string, (...args: unknown[]) => unknown>
  const get = store.get.bind(store)
  const getMany = store.getMany.bind(store)
  s.get = async (key: unknown) => {
    const v = await get(key as string)
    if (v !== undefined && isInbox(key as string)) read.push(key as string)
    return v
  }
  s.getMany = async (keys: unknown) => {
    const vs = await getMany(keys as string[])
    ;(keys as string[]).forEach((k, i) => { if (vs[i] !== undefined && isInbox(k)) read.push(k) })
    return vs
  }
  for (const name of ['list', 'scan', 'listKeys', 'scanKeys'] as const) {
    const walk = (store[name] as (prefix: string, ...rest: unknown[]) => AsyncGenerator<Entry | string>).bind(store)
    s[name] = async function * (prefix: unknown, ...rest: unknown[]) {
      for await (const e of walk(prefix as string, ...rest)) {
        const key = typeof e === 'string' ? e : e.key
        if (isInbox(key)) read.push(key)
        yield e
      }
    }
  }
  return read
}

/** Alice sends bob `before` messages, a file, then `after` more; the file's message id and bytes. */
async function fileAmong (alice: TestUser, root: string, before: number, after: number): Promise<{ id: string, data: Buffer }> {
  for (let i = 0; i < before; i++) await alice.client.send('bob', `message ${i}`)
  const { path, data } = await randomFile(root, 'report.pdf', 3 * CHUNK + 7)
  const [sent] = await alice.client.sendFiles('bob', [path], 'the report')
  assert.equal(sent?.route, 'direct')
  for (let i = 0; i < after; i++) await alice.client.send('bob', `message ${before + i}`)
  return { id: (sent as { id: string }).id, data }
}

test('with 200 messages in the inbox, `save` by a short id writes the file and reads no other message\'s record', async (t) => {
  const root = await tempRoot(t)
  const overrides = { attachments: { chunkBytes: CHUNK } }
  const alice = await makeUser(t, root, 'alice', { overrides })
  const bob = await makeUser(t, root, 'bob', { overrides })
  await befriend(alice, bob)
  const { id, data } = await fileAmong(alice, root, 100, 100)
  const inbox = await bob.client.inbox()
  assert.equal(inbox.length, 201)
  assert.equal(inbox.find(m => m.id === id)?.attachment?.state, 'complete')

  const read = inboxReads(bob.client.store)
  const out = join(root, 'out')
  await mkdir(out)
  const saved = await bob.client.save(id.slice(0, 8), out) // as `cairn save 1a2b3c4d`
  assert.deepEqual(await readFile(saved.path), data)
  assert.ok(read.length > 0, 'the message itself was read')
  assert.deepEqual([...new Set(read)].map(k => k.endsWith(`-${id}`)), [true], `only the file's message was read (${read.length} reads of ${new Set(read).size} records)`)

  // the daemon's fetch of a file (here complete already) reads it alone too
  read.length = 0
  assert.equal((await bob.client.attachments.fetch(id)).state(), 'saved')
  assert.deepEqual([...new Set(read)].map(k => k.endsWith(`-${id}`)), [true])
})

test('an encrypted store from before the index: the client indexes its inbox when it opens, and `save` finds the file by id', async (t) => {
  const root = await tempRoot(t)
  const overrides = { attachments: { chunkBytes: CHUNK } }
  const alice = await makeUser(t, root, 'alice', { overrides })
  const bob = await makeUser(t, root, 'bob', { overrides, passphrase: 'bob passphrase' })
  await befriend(alice, bob)
  const { id, data } = await fileAmong(alice, root, 3, 2)

  // the store as a cairn from before the index left it: no entry by id, no mark that it was indexed
  const cipher = (bob.client.store as unknown as { cipher: unknown }).cipher
  await bob.stop()
  const store = await Store.open(paths.store(bob.config.dataDir), { cipher: cipher as never })
  const ops: Array<{ type: 'del', key: string }> = [{ type: 'del', key: `${NAMESPACES.meta}inbox-id-indexed` }]
  for await (const key of store.listKeys(NAMESPACES.inboxById)) ops.push({ type: 'del', key })
  assert.equal(ops.length, 1 + 6)
  await store.write(ops)
  await store.close()

  await bob.restart()
  const out = join(root, 'out')
  await mkdir(out)
  assert.deepEqual(await readFile((await bob.client.save(id.slice(0, 10), out)).path), data)
  assert.equal((await bob.client.inbox()).length, 6)
})
