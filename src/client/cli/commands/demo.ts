/**
 * `cairn demo`: a small network on loopback, in this process, showing a conversation end to end:
 * mailbox nodes, identities and bundles, direct delivery, a recipient going offline, sealed mail
 * waiting at the mailbox replicas, and the recipient collecting it when back; a file sent to him
 * while offline and saved once back; a group with a member offline. Every step is printed; temp
 * dirs are removed.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveConfig, type CairnConfig } from '../../../shared/config.js'
import { createLogger } from '../../../shared/logger.js'
import type { OperatorNode } from '../../../mailbox/operator-node.js'
import type { CairnClient } from '../../client.js'
import { printJson, printLine } from '../output.js'
import type { Command } from './command.js'
import { attachmentDemo } from './demo-attachment.js'
import { expectSame, groupDemo } from './demo-group.js'

export const demo: Command = {
  name: 'demo',
  usage: 'cairn demo',
  summary: 'start a small local network on loopback and show delivery end to end',
  flags: { keep: { type: 'boolean' } },
  async run ({ parsed, config }) {
    const [{ OperatorNode }, { CairnClient }] = await Promise.all([import('../../../mailbox/operator-node.js'), import('../../client.js')])
    const root = await mkdtemp(join(tmpdir(), 'cairn-demo-'))
    const log = createLogger(parsed.layer.logLevel ?? 'error', { app: 'cairn-demo' })
    const steps: Array<{ step: string, [k: string]: unknown }> = []
    const say = (step: string, detail: Record<string, unknown> = {}): void => {
      steps.push({ step, ...detail })
      if (!parsed.json) printLine(`${String(steps.length).padStart(2)}. ${step}${Object.keys(detail).length > 0 ? '  ' + JSON.stringify(detail) : ''}`)
    }
    const mailboxes: OperatorNode[] = []
    const bootstrap: string[] = []
    const cfg = (name: string): CairnConfig => resolveConfig([{ dataDir: join(root, name), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap, logLevel: config.logLevel, mailbox: { replicas: 3, replicasPerSubnet: 0 }, network: { allowPrivateAddresses: true } }])
    const open: CairnClient[] = []
    const start = async (c: CairnConfig): Promise<CairnClient> => { const cl = await CairnClient.open({ config: c, log }); open.push(cl); return cl }
    const stop = async (c: CairnClient): Promise<void> => { open.splice(open.indexOf(c), 1); await c.stop() }
    try {
      for (let i = 0; i < 3; i++) {
        const node = await OperatorNode.start({ ...cfg(`mailbox-${i}`), mailbox: { ...cfg('x').mailbox, enabled: true } }, log)
        mailboxes.push(node)
        if (i === 0) bootstrap.push(node.addresses()[0] as string)
      }
      say('started 3 mailbox nodes on loopback (DHT servers on /cairn/kad/1.0.0)', { bootstrap: bootstrap[0] })
      await CairnClient.init(cfg('alice'))
      await CairnClient.init(cfg('bob'))
      const alice = await start(cfg('alice'))
      let bob = await start(cfg('bob'))
      say('alice and bob created identities (Ed25519 PeerId + Signal identity, bound by a certificate)', { alice: alice.identity.peerId.toString(), bob: bob.identity.peerId.toString() })
      const published = await bob.publishBundles()
      say('bob published signed prekey bundles to his mailbox replicas', { replicas: published.published })
      await alice.contactAdd('bob', bob.identity.peerId.toString())
      await bob.contactAdd('alice', alice.identity.peerId.toString())
      say('each added the other as a contact, by PeerId only')

      const r1 = await alice.send('bob', 'Hi Bob! This is sealed end to end.')
      say('alice -> bob while both are online', { route: r1.route })
      say('bob decrypted it', { text: (await bob.inbox()).at(-1)?.text, from: (await bob.inbox()).at(-1)?.fromName })
      const r2 = await bob.send('alice', 'Hello Alice, got it.')
      say('bob -> alice', { route: r2.route, text: (await alice.inbox()).at(-1)?.text })
      const a = await alice.contactVerify('bob', false)
      const b = await bob.contactVerify('alice', false)
      say('safety numbers match on both sides', { same: a.safetyNumber === b.safetyNumber, safetyNumber: a.safetyNumber })

      await stop(bob)
      say('bob went offline')
      for (const text of ['Are you there?', 'Call me when you are back.']) {
        const r = await alice.send('bob', text)
        say('alice -> bob while bob is offline', { route: r.route, replicas: r.replicas, text })
      }
      const held = mailboxes.map(m => m.mailbox.store.usageOf(bob.identity.peerId.toString()).count)
      say('the sealed envelopes wait at the mailbox nodes (they see only recipient, id, size, expiry)', { heldPerNode: held })

      bob = await start(cfg('bob'))
      const sync = await bob.sync()
      say('bob came back and synced', { received: sync.received })
      const inbox = await bob.inbox()
      say('bob\'s inbox, oldest first', { messages: inbox.map(m => `${m.fromName ?? m.from}: ${m.text} [${m.route}]`) })
      expectSame(inbox.map(m => m.text), ['Hi Bob! This is sealed end to end.', 'Are you there?', 'Call me when you are back.'], 'bob\'s inbox')
      say('the replicas deleted what bob acknowledged', { heldPerNode: mailboxes.map(m => m.mailbox.store.usageOf(bob.identity.peerId.toString()).count) })
      const steps2 = { cfg, init: async (c: CairnConfig) => CairnClient.init(c), start, stop, say }
      bob = await attachmentDemo(alice, bob, root, steps2)
      await groupDemo(alice, bob, root, steps2)
      if (parsed.json) printJson({ ok: true, steps })
      else printLine('demo complete: every message arrived exactly once, decrypted, in order; the files arrived byte-exact')
    } finally {
      for (const c of open) await c.stop().catch(() => {})
      for (const m of mailboxes) await m.stop().catch(() => {})
      if (parsed.flags.keep !== true) await rm(root, { recursive: true, force: true })
    }
  }
}
