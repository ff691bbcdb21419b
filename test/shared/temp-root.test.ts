import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { makeUser, tempRoot } from '../helpers/users.js'

// issue 12: the temp root was removed by the first of a test's after hooks, before the clients in
// it stopped; a stop then read a LevelDB table that was gone, libp2p's stop failed part-way and its
// gossipsub timers kept the test file's process alive after every test had passed
test('the test helpers stop a user\'s client while its data dir is still there', async (t) => {
  let dataDir = ''
  let storeAtStop: boolean | undefined
  await t.test('a user in a temp root', async (st) => {
    const root = await tempRoot(st)
    const user = await makeUser(st, root, 'alice')
    dataDir = user.config.dataDir
    // after hooks run in the order registered: this one runs right after makeUser's stop
    st.after(() => { storeAtStop = existsSync(join(dataDir, 'store', 'CURRENT')) })
  })
  assert.equal(storeAtStop, true, 'the store was still on disk when the client had stopped')
})
