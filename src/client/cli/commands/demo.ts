/**
 * `cairn demo`: a small network on loopback, in this process, showing a conversation end to end:
 * identities, contacts, direct delivery, a recipient going offline, the durable outbox, and the
 * message arriving when the recipient is back. Every step is printed; temp dirs are removed.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveConfig, type CairnConfig } from '../../../shared/config.js'
import { createLogger } from '../../../shared/logger.js'
import { CairnClient } from '../../client.js'
import { printJson, printLine } from '../output.js'
import type { Command } from './command.js'

export const demo: Command = {
  name: 'demo',
  usage: 'cairn demo',
  summary: 'start a small local network on loopback and show delivery end to end',
  flags: { keep: { type: 'boolean' } },
  async run ({ parsed, config }) {
    const root = await mkdtemp(join(tmpdir(), 'cairn-demo-'))
    const log = createLogger(parsed.layer.logLevel ?? 'error', { app: 'cairn-demo' })
    const steps: Array<{ step: string, [k: string]: unknown }> = []
    const say = (step: string, detail: Record<string, unknown> = {}): void => {
      steps.push({ step, ...detail })
      if (!parsed.json) printLine(`${String(steps.length).padStart(2)}. ${step}${Object.keys(detail).length > 0 ? '  ' + JSON.stringify(detail) : ''}`)
    }
    const cfg = (name: string, port = 0): CairnConfig => resolveConfig([{ dataDir: join(root, name), listen: [`/ip4/127.0.0.1/tcp/${port}`], logLevel: config.logLevel }])
    const open: CairnClient[] = []
    const start = async (c: CairnConfig): Promise<CairnClient> => { const cl = await CairnClient.open({ config: c, log }); open.push(cl); return cl }
    try {
      await CairnClient.init(cfg('alice'))
      await CairnClient.init(cfg('bob'))
      let alice = await start(cfg('alice'))
      let bob = await start(cfg('bob'))
      const bobAddr = (await bob.id()).addresses[0] as string
      const bobPort = Number(bobAddr.split('/tcp/')[1]?.split('/')[0])
      say('created two identities in separate data dirs', { alice: alice.identity.peerId.toString(), bob: bob.identity.peerId.toString() })
      await alice.contactAdd('bob', bobAddr)
      await bob.contactAdd('alice', (await alice.id()).addresses[0] as string)
      say('each added the other as a contact', { bobAddress: bobAddr })

      const r1 = await alice.send('bob', 'Hi Bob! This is sealed end to end.')
      say('alice -> bob', { route: r1.route, id: r1.id })
      const got1 = await bob.inbox()
      say('bob decrypted it', { text: got1.at(-1)?.text, from: got1.at(-1)?.fromName })
      const r2 = await bob.send('alice', 'Hello Alice, got it.')
      say('bob -> alice', { route: r2.route })
      say('alice decrypted it', { text: (await alice.inbox()).at(-1)?.text })
      const a = await alice.contactVerify('bob', false)
      const b = await bob.contactVerify('alice', false)
      say('safety numbers match on both sides', { same: a.safetyNumber === b.safetyNumber, safetyNumber: a.safetyNumber })

      await bob.stop(); open.splice(open.indexOf(bob), 1)
      say('bob went offline')
      const r3 = await alice.send('bob', 'Are you there? (sent while you were away)')
      say('alice -> bob while bob is offline', { route: r3.route, note: 'kept in alice\'s durable outbox' })
      await alice.stop(); open.splice(open.indexOf(alice), 1)
      alice = await start(cfg('alice'))
      say('alice restarted; the outbox survived on disk', { pending: (await alice.messenger.pending()).length })

      bob = await start(cfg('bob', bobPort))
      say('bob is back online (same address)')
      const sync = await alice.sync()
      say('alice synced: the outbox went out, same ratchet session', { sent: sync.sent })
      const last = (await bob.inbox()).at(-1)
      say('bob has it', { text: last?.text, route: last?.route, total: (await bob.inbox()).length })
      if (parsed.json) printJson({ ok: true, steps })
      else printLine('demo complete: every message arrived exactly once, decrypted, in order')
    } finally {
      for (const c of open) await c.stop().catch(() => {})
      if (parsed.flags.keep !== true) await rm(root, { recursive: true, force: true })
    }
  }
}
