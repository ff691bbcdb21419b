import { clearLine, createInterface, cursorTo, type Interface } from 'node:readline'
import type { InboxView } from '../../api.js'
import type { SentView } from '../../messaging/delivery-log.js'
import { settledIsEncrypted } from '../passphrase.js'
import { describeError } from '../../../shared/errors.js'
import { requirePositionals } from '../args.js'
import { openSession } from '../context.js'
import { formatSent, stateLine, stateText } from '../delivery-line.js'
import { printLine } from '../output.js'
import { safeLine } from '../safe-text.js'
import type { Command } from './command.js'
import { formatMessage } from './inbox.js'

/**
 * The prompt comes at once: the store is opened (or the daemon asked), history shown, and the
 * network started behind the prompt; a line typed before it is up waits in the outbox (queued)
 * and goes when it is. Each line we send is followed by its state as it changes: queued, stored
 * at N mailboxes, delivered, read (for a group, how many members hold it and read it). What is
 * shown is marked read (read receipts, unless delivery.readReceipts is off).
 */
export const chat: Command = {
  name: 'chat',
  usage: 'cairn chat NAME|@GROUP',
  summary: 'interactive conversation: type a line to send it, Ctrl-D to leave',
  flags: {},
  async run (ctx) {
    const [name] = requirePositionals(ctx.parsed, ['NAME'], this.usage)
    const tty = process.stdout.isTTY && process.stdin.isTTY
    let rl: Interface | undefined
    let lines: AsyncIterator<string> | undefined
    let open = true
    let prompting = false
    const startInput = (): void => {
      // on a terminal readline echoes what is typed and draws the prompt itself: it needs stdout
      rl = createInterface({ input: process.stdin, ...(process.stdin.isTTY ? { output: process.stdout, terminal: true } : { terminal: false }) })
      // iterated from now: lines typed while the store opens and history loads are kept, not dropped
      lines = rl[Symbol.asyncIterator]()
      rl.on('close', () => { open = false })
    }
    const prompt = (): void => { if (prompting && open && process.stdin.isTTY) rl?.prompt(true) }
    /** A line printed while the prompt may be showing: above it, the prompt (and what is typed) redrawn. */
    const above = (line: string): void => {
      if (tty && open && prompting) { clearLine(process.stdout, 0); cursorTo(process.stdout, 0) }
      printLine(line)
      prompt()
    }
    const intro = (who: string): void => {
      above(`chatting with ${who}; type a message and press enter, Ctrl-D to leave`)
      rl?.setPrompt('> ')
      prompting = true
      prompt()
    }
    // a plain data dir: the prompt comes before anything is loaded; an encrypted one asks for its
    // passphrase first (on this terminal: readline must not hold stdin yet)
    const early = !settledIsEncrypted(ctx.config.dataDir)
    if (early) { startInput(); intro(safeLine(name as string)) }
    const session = await openSession(ctx, { network: false })
    if (!early) startInput()
    const api = session.api
    const contacts = await api.contactList()
    // @GROUP: the group's messages, whoever sent them (an unknown group fails here, exit 2)
    const group = name?.startsWith('@') === true ? await api.groupInfo(name.slice(1)) : undefined
    const peer = group === undefined ? contacts.find(c => c.name === name || c.peerId === name) : undefined
    const peerId = group !== undefined ? undefined : peer?.peerId ?? (await api.contactVerify(name as string, false).catch(() => ({ peerId: name }))).peerId
    const ours = (m: Omit<InboxView, 'fromName' | 'contact'>): boolean => group !== undefined ? m.group?.id === group.id : m.from === peerId && m.group === undefined
    const oursSent = (v: SentView): boolean => group !== undefined ? v.group?.id === group.id : v.to === peerId && v.group === undefined
    const marking: Array<Promise<unknown>> = []
    const markRead = (ms: Array<{ from: string, id: string }>): void => {
      if (ms.length > 0) marking.push(api.markRead(ms.map(m => ({ from: m.from, id: m.id }))).catch((err: unknown) => { ctx.log.warn({ err: describeError(err) }, 'read receipts not queued') }))
    }

    // history: the last 20 lines either way, in the sender's clock order
    const received = (await api.inbox()).filter(ours)
    const sent = (await api.sent()).filter(oursSent)
    const history = [...received.map(m => ({ at: m.sentAt, line: () => formatMessage(m), received: m })), ...sent.map(v => ({ at: v.sentAt, line: () => formatSent(v, peer?.name ?? null), received: undefined }))]
      .sort((a, b) => a.at - b.at).slice(-20)
    for (const h of history) above(h.line())
    markRead(history.flatMap(h => h.received === undefined ? [] : [h.received]))

    // our lines, and the state last printed for each
    const mine = new Map<string, string>()
    const onDelivery = (v: SentView): void => {
      const last = mine.get(v.id)
      if (last === undefined || last === stateText(v)) return
      mine.set(v.id, stateText(v))
      above(stateLine(v))
    }
    const show = (m: InboxView): void => {
      if (!ours(m)) return
      above(formatMessage(m))
      markRead([m])
    }
    const unwatch = session.watch !== undefined
      ? session.watch(show, onDelivery)
      : (() => {
          const messenger = session.client?.messenger
          const listener = (m: Omit<InboxView, 'fromName' | 'contact'>): void => {
            const fromName = contacts.find(c => c.peerId === m.from)?.name ?? null
            show({ ...m, fromName, contact: fromName !== null })
          }
          messenger?.on('message', listener)
          messenger?.deliveries.on('change', onDelivery)
          return () => { messenger?.off('message', listener); messenger?.deliveries.off('change', onDelivery) }
        })()
    if (!early) intro(safeLine(peer?.name ?? name as string))
    // the network comes up behind the prompt (a daemon is up already); lines typed meanwhile are queued
    const connected = session.client?.connect().catch((err: unknown) => {
      above(`  (could not connect: ${safeLine(describeError(err))}; your lines wait in the outbox)`)
    })
    for await (const line of { [Symbol.asyncIterator]: () => lines as AsyncIterator<string> }) {
      const text = line.trim()
      if (text !== '') {
        try {
          const r = await api.send(name as string, text)
          const v = await api.sentOne(r.id)
          if (v !== null) {
            mine.set(v.id, stateText(v))
            above(stateLine(v))
          }
        } catch (err) {
          above(`  not sent: ${safeLine(describeError(err))}`)
        }
      }
      prompt()
    }
    // input ended (Ctrl-D, or the end of piped input): what was typed before the network came up goes first
    await connected
    await Promise.all(marking)
    unwatch()
    await session.close()
  }
}
