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

test('groups.maxMembers: a config key (CAIRN_GROUPS_MAX_MEMBERS), validated; a group beyond it is refused with GroupFullError and nothing is stored', async (t) => {
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
  // files go to contacts one by one: to a group, a typed refusal naming it, and nothing queued
  const file = join(root, 'note.txt')
  await writeFile(file, 'x')
  await assert.rejects(me.sendFiles('@three', [file], ''), { name: 'GroupFilesError', exitCode: 2, message: /not to a group \(@three\)/ })
  assert.equal((await me.messenger.pending()).length, 2)
})
