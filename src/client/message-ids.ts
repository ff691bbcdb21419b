/**
 * Message ids as a person types them (`cairn delete`, `cairn save`, here or through the daemon):
 * the whole id (32 hex digits) or, as git takes a short hash, a prefix of at least 8 of them, in
 * either case: `inbox` and `chat` show the first 8 (`#1a2b3c4d`). A prefix must name one message:
 * one that several share is refused, naming them (docs/DECISIONS.md "Short message ids").
 */
import { InvalidInputError } from '../shared/errors.js'
import type { Contacts } from './contacts.js'
import { SHORT_ID_DIGITS, type InboxMessage } from './inbox.js'
import type { Messenger } from './messenger.js'
import type { SentView } from './messaging/delivery-log.js'
import { shownTime } from './shown-time.js'

export { SHORT_ID_DIGITS }
const ID_DIGITS = 32
/** How many of the messages an ambiguous prefix matches its error names. */
const NAMED = 3

export const shortId = (id: string): string => id.slice(0, SHORT_ID_DIGITS)

export type MessageMatch = { outgoing: false, message: InboxMessage } | { outgoing: true, message: SentView }

export interface MessageLookup {
  /** Which received messages an id may name (default: every one). */
  received?: (m: InboxMessage) => boolean
  /** Whether an id may name a message we sent. */
  sent: boolean
  /** What those messages are, for "no … has this id". */
  what: string
  /** Said after every refusal: what was not done. */
  nothingDone: string
  /** The inbox, when the caller has read it already (it needs it again). */
  inbox?: InboxMessage[]
}

export interface MessageIdsComponents {
  messenger: Messenger
  contacts: Contacts
}

/**
 * The one message each of `given` names, each once. Every id is checked before any is returned, so
 * a caller acts on all of them or on none: one that is not an id, or names no message or several,
 * is exit 2.
 */
export async function resolveMessageIds (c: MessageIdsComponents, given: unknown[], lookup: MessageLookup): Promise<MessageMatch[]> {
  const refuse = (why: string): never => { throw new InvalidInputError(`${why}; ${lookup.nothingDone}`) }
  const prefixes = given.map(g => idPrefix(g, refuse))
  const sent: MessageMatch[] = (lookup.sent ? await c.messenger.deliveries.list() : []).map(message => ({ outgoing: true as const, message }))
  // by who sent it and its id: a message two of `given` name is returned once (each lookup reads it afresh)
  const found = new Map<string, MessageMatch>()
  for (const prefix of prefixes) {
    // without the inbox in hand, only the messages with such an id are read (the index by id)
    const received = lookup.inbox === undefined ? await c.messenger.findReceived(prefix) : lookup.inbox.filter(m => m.id.startsWith(prefix))
    const matches = [
      ...received.filter(lookup.received ?? (() => true)).map(message => ({ outgoing: false as const, message })),
      ...sent.filter(m => m.message.id.startsWith(prefix))
    ]
    const [only] = matches
    if (only === undefined) refuse(`unknown message ${prefix}: no ${lookup.what} has ${prefix.length === ID_DIGITS ? 'this id' : 'an id that starts so'}`)
    else if (matches.length === 1) found.set(only.outgoing ? `sent/${only.message.id}` : `received/${only.message.from}/${only.message.id}`, only)
    else refuse(await ambiguity(c.contacts, prefix, matches))
  }
  return [...found.values()]
}

/**
 * `given` in lower case, if it can be (a prefix of) an id; a leading `#` is taken as `inbox` and
 * `chat` show it (`'#1a2b3c4d'`, quoted in a shell, where `#` starts a comment).
 */
function idPrefix (shown: unknown, refuse: (why: string) => never): string {
  const given = typeof shown === 'string' && shown.startsWith('#') ? shown.slice(1) : shown
  if (typeof given !== 'string' || !/^[0-9a-f]+$/i.test(given) || given.length > ID_DIGITS) {
    return refuse(`"${String(shown)}" is not a message id: an id is ${ID_DIGITS} hex digits, and its first ${SHORT_ID_DIGITS} or more will do`)
  }
  if (given.length < SHORT_ID_DIGITS) return refuse(`"${given}" is too short: give at least the first ${SHORT_ID_DIGITS} hex digits of a message id (as \`cairn inbox\` shows them), or the whole id`)
  return given.toLowerCase()
}

/**
 * Why `prefix` names none of `matches` alone: a few of them, each by the digits that tell it from
 * the others, with who and when. Two senders may pick the same whole id (ids are theirs to choose):
 * then no longer prefix helps.
 */
async function ambiguity (contacts: Contacts, prefix: string, matches: MessageMatch[]): Promise<string> {
  const names = new Map((await contacts.list()).map(x => [x.peerId, x.name]))
  const named = matches.slice(0, NAMED).map(m => {
    const digits = Math.max(SHORT_ID_DIGITS, ...matches.filter(o => o !== m).map(o => sharedDigits(m.message.id, o.message.id) + 1))
    return `${m.message.id.slice(0, digits)} (${party(m, names)}, ${shownTime(m.message.sentAt)})`
  })
  const more = matches.length > NAMED ? ` and ${matches.length - NAMED} more` : ''
  const same = matches.every(m => m.message.id === matches[0]?.message.id)
  return `message id ${prefix} is ambiguous: ${matches.length} messages ${same ? 'have this very id' : 'have ids that start so'}: ${named.join(', ')}${more}${same ? '' : '; give more of its digits'}`
}

/** Who the message came from or went to, as inbox shows them. */
function party (m: MessageMatch, names: Map<string, string>): string {
  const peer = (p: string): string => names.get(p) ?? p
  if (m.outgoing) return m.message.group === undefined ? `to ${peer(m.message.to)}` : `to @${m.message.group.name}`
  return `from ${peer(m.message.from)}${m.message.group === undefined ? '' : ` in @${m.message.group.name}`}`
}

function sharedDigits (a: string, b: string): number {
  let n = 0
  while (n < a.length && a[n] === b[n]) n++
  return n
}
