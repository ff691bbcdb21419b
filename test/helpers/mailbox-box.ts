/**
 * A MailboxStore on its own LevelDB in a temp dir, with time from a ManualClock, and recipients
 * with real Ed25519 keys (the store decodes recipient bytes as a PeerId; acks are signed with the key).
 */
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MailboxStore } from '../../src/mailbox/index.js'
import { ManualClock } from '../../src/shared/clock.js'
import type { ConfigLayer } from '../../src/shared/config.js'
import { peerIdBytes } from '../../src/shared/peer-id.js'
import { Store } from '../../src/shared/store.js'
import { tempRoot, testConfig } from './users.js'

export interface Box { mailbox: MailboxStore, clock: ManualClock, store: () => Store, reopen: (options?: { clean?: boolean }) => Promise<MailboxStore> }

/**
 * `reopen` closes the Store and opens it again, as a restart after a crash would; with `clean`,
 * the MailboxStore is closed first, as a node's stop does (it saves its filter of ids held).
 */
export async function openBox (t: TestContext, mailbox: ConfigLayer['mailbox'] = {}): Promise<Box> {
  const root = await tempRoot(t, 'cairn-mbx-')
  const config = testConfig(root, { mailbox })
  const path = join(root, 'store')
  let store = await Store.open(path)
  t.after(async () => { await store.close() })
  const box: Box = {
    mailbox: new MailboxStore({ store }, config),
    clock: new ManualClock(),
    store: () => store,
    reopen: async (options = {}) => {
      if (options.clean === true) await box.mailbox.close()
      await store.close()
      store = await Store.open(path)
      box.mailbox = new MailboxStore({ store }, config)
      await box.mailbox.open()
      return box.mailbox
    }
  }
  await box.mailbox.open()
  return box
}

export interface Recipient { id: string, bytes: Uint8Array<ArrayBuffer>, peer: PeerId, key: PrivateKey }

export async function recipient (): Promise<Recipient> {
  const key = await generateKeyPair('Ed25519')
  const peer = peerIdFromPrivateKey(key)
  return { id: peer.toString(), bytes: peerIdBytes(peer), peer, key }
}
