/**
 * How a sent message's delivery state reads for a human (`chat`, `inbox --sent`): queued (and why
 * it waits, when the outbox says: their identity key changed, waiting for their keys, or not
 * reachable yet), stored at N mailboxes, delivered, read; for a group, how many members hold it
 * and have read it.
 */
import { shortId } from '../message-ids.js'
import type { SentView } from '../messaging/delivery-log.js'
import { waitingCounts } from '../messaging/waiting.js'
import { shownTime } from '../shown-time.js'
import { layout, safeLine } from './safe-text.js'

export function stateText (v: Pick<SentView, 'state' | 'replicas' | 'counts' | 'group' | 'waiting'>): string {
  const waiting = waitingCounts(v)
  if (v.group === undefined) {
    if (v.state === 'stored') return `stored at ${v.replicas} mailbox${v.replicas === 1 ? '' : 'es'}`
    if (v.state !== 'queued') return v.state
    if (waiting.identity > 0) return 'queued, their identity key changed: cairn contact accept'
    if (waiting.keys > 0) return 'queued, waiting for their keys'
    if (waiting.route > 0) return 'queued, not reachable yet'
    return v.state
  }
  const { total, stored, delivered, read } = v.counts
  const parts = [`delivered to ${delivered}/${total}`, `read by ${read}/${total}`]
  if (stored > delivered) parts.push(`${stored - delivered} at mailboxes`)
  // why some copies wait, when that is not just a route: those need the user (identity) or a bundle (keys)
  const why = [...(waiting.keys > 0 ? [`${waiting.keys} waiting for keys`] : []), ...(waiting.identity > 0 ? [`${waiting.identity} with a changed identity key`] : [])]
  if (total > stored) parts.push(`${total - stored} queued${why.length > 0 ? ` (${why.join(', ')})` : ''}`)
  return parts.join(', ')
}

/** A message we sent, headed like a received one (`[time] #ID8 you → NAME (STATE): `), the text made safe. */
export function formatSent (v: SentView, toName: string | null, width?: number): string {
  const where = v.group !== undefined ? `@${safeLine(v.group.name)} you` : `you → ${safeLine(toName ?? v.to)}`
  return layout(`[${shownTime(v.sentAt)}] #${shortId(v.id)} ${where} (${stateText(v)}): `, v.text, width === undefined ? {} : { width })
}

/** A short line saying where one of our lines got to: `  [#1a2b3c4d delivered] the text…`. */
export function stateLine (v: SentView): string {
  const text = safeLine(v.text)
  const snippet = text.length > 40 ? `${text.slice(0, 39)}…` : text
  return `  [#${shortId(v.id)} ${stateText(v)}] ${snippet}`
}
