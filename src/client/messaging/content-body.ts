/**
 * Message bodies: what a Content carries besides its header, and how an unsealed body waits in
 * the outbox (a Content holding only the body, base64).
 */
import { Attachment, Content } from '../../../proto/cairn.js'

/** What a Content may carry besides its header: one body. */
export type ContentBody = Pick<Content, 'text' | 'receipt' | 'groupUpdate' | 'groupMessage' | 'attachment'>

export const encodeBody = (body: ContentBody): string => Buffer.from(Content.encode({ version: 0, id: new Uint8Array(0), sentAt: 0, seq: 0, ...body })).toString('base64')

export const decodeBody = (b64: string): ContentBody => {
  const { text, receipt, groupUpdate, groupMessage, attachment } = Content.decode(Buffer.from(b64, 'base64'))
  return { text, receipt, groupUpdate, groupMessage, attachment }
}

/** A text message's body; with an attachment (its descriptor, base64), the text is the file's caption. */
export const bodyOf = (text: string, attachment: string | undefined): ContentBody =>
  attachment === undefined ? { text: { body: text } } : { attachment: { ...Attachment.decode(Buffer.from(attachment, 'base64')), caption: text } }

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** Message and envelope ids are 16 random bytes. */
export const ID_BYTES = 16
