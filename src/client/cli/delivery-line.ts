/**
 * How a sent message's delivery state reads for a human (`chat`, `inbox --sent`): queued, stored
 * at N mailboxes, delivered, read; for a group, how many members hold it and have read it.
 */
import { shortId } from '../message-ids.js'
import type { SentView } from '../messaging/delivery-log.js'
import { shownTime } from '../shown-time.js'
import { layout, safeLine } from './safe-text.js'

export function stateText (v: Pick<SentView, 'state' | 'replicas' | 'counts' | 'group'>): string {
  if (v.group === undefined) {
    if (v.state === 'stored') return `stored at ${v.replicas} mailbox${v.replicas === 1 ? '' : 'es'}`
    return v.state
  }
  const { total, stored, delivered, read } = v.counts
  const parts = [`delivered to ${delivered}/${total}`, `read by ${read}/${total}`]
  if (stored > delivered) parts.push(`${stored - delivered} at mailboxes`)
  if (total > stored) parts.push(`${total - stored} queued`)
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
