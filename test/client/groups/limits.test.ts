import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { CairnClient } from '../../../src/client/client.js'
import { envLayer, resolveConfig } from '../../../src/shared/config.js'
import { silentLogger } from '../../../src/shared/logger.js'
import { tempRoot } from '../../helpers/users.js'

test('groups.maxMembers: a config key (CAIRN_GROUPS_MAX_MEMBERS), validated; a group beyond it is refused with GroupFullError and nothing is stored; a file to a group is checked before anything is queued', async (t) => {
  assert.equal(resolveConfig([envLayer({ CAIRN_GROUPS_MAX_MEMBERS: '3' })]).groups.maxMembers, 3)
  assert.equal(resolveConfig([]).groups.maxMembers, 256)
  assert.throws(() => resolveConfig([{ groups: { maxMembers: 1 } }]), { name: 'ConfigError', message: /groups\.maxMembers/ })
  assert.throws(() => resolveConfig([{ groups: { maxMembers: 2.5 } }]), { name: 'ConfigError' })

  const root = await tempRoot(t)
  const config = resolveConfig([{ dataDir: join(root, 'me'), logLevel: 'silent', groups: { maxMembers: 3 } }])
  await CairnClient.init(config)
  const me = await CairnClient.open({ config, log: silentLogger(), network: false })
  t.after(async () => { await me.stop() })
  const others = await Promise.all([1, 2, 3].map(async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
  await assert.rejects(me.groupCreate('four', others), { name: 'GroupFullError', exitCode: 2, message: /4 members; the limit is 3/ })
  await assert.rejects(me.groupCreate('', others.slice(0, 1)), { name: 'InvalidInputError', exitCode: 2 })
  await assert.rejects(me.groupCreate('x', ['not-a-contact']), { name: 'UnknownContactError', exitCode: 2 })
  assert.deepEqual(await me.groupList(), [])
  const g = await me.groupCreate('three', others.slice(0, 2)) // no network: the changes wait in the outbox
  assert.equal(g.members.length, 3)
  await assert.rejects(me.groupAdd('three', others.slice(2)), { name: 'GroupFullError' })
  assert.equal((await me.groupInfo('three')).changes, 1)
  assert.equal((await me.messenger.pending()).length, 2)
  // files to a group: an unknown group or a caption over the limit is a typed refusal, nothing queued
  const file = join(root, 'note.txt')
  await writeFile(file, 'x')
  await assert.rejects(me.sendFiles('@nope', [file], ''), { name: 'UnknownGroupError', exitCode: 2 })
  await assert.rejects(me.sendFiles('@three', [file], 'x'.repeat(config.limits.textBytes + 1)), { name: 'MessageTooLargeError', exitCode: 2 })
  assert.equal((await me.messenger.pending()).length, 2)
  // with no network, each member's copy waits in the outbox, and the file's one record says so
  const [sent] = await me.sendFiles('@three', [file], 'a note')
  assert.deepEqual(Object.values(sent?.members ?? {}).map(m => m.route), ['outbox', 'outbox'])
  assert.equal(sent?.route, 'outbox')
  assert.equal((await me.messenger.pending()).length, 4)
  // no session yet: each copy waits unsealed, and keeps its own message id (not the file's record's) for when it is sealed
  const copies = (await me.messenger.pending()).filter(e => e.tracks === sent?.id)
  assert.deepEqual(copies.map(e => e.envelope === undefined), [true, true])
  assert.equal(new Set(copies.map(e => e.messageId).filter(id => id !== undefined && id !== sent?.id)).size, 2)
  const record = await me.messenger.sentOne(sent?.id as string)
  assert.deepEqual([record?.group?.name, record?.text, record?.state, record?.counts.total], ['three', 'a note', 'queued', 2])
})
