/* eslint-disable require-yield */

import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Envelope {
  version: number
  id: Uint8Array<ArrayBuffer>
  recipient: Uint8Array<ArrayBuffer>
  sealed: Uint8Array<ArrayBuffer>
  createdAt: number
  expiresAt: number
}

export namespace Envelope {
  let _codec: Codec<Envelope>

  export const codec = (): Codec<Envelope> => {
    if (_codec == null) {
      _codec = message<Envelope>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.id)
        }

        if ((obj.recipient != null && obj.recipient.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.recipient)
        }

        if ((obj.sealed != null && obj.sealed.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.sealed)
        }

        if ((obj.createdAt != null && obj.createdAt !== 0)) {
          w.uint32(40)
          w.uint64Number(obj.createdAt)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.expiresAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          id: uint8ArrayAlloc(0),
          recipient: uint8ArrayAlloc(0),
          sealed: uint8ArrayAlloc(0),
          createdAt: 0,
          expiresAt: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.id = reader.bytes()
              break
            }
            case 3: {
              obj.recipient = reader.bytes()
              break
            }
            case 4: {
              obj.sealed = reader.bytes()
              break
            }
            case 5: {
              obj.createdAt = reader.uint64Number()
              break
            }
            case 6: {
              obj.expiresAt = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.recipient`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.sealed`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.createdAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64Number()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface EnvelopeVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface EnvelopeIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeRecipientFieldEvent {
    field: '$.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeSealedFieldEvent {
    field: '$.sealed'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EnvelopeCreatedAtFieldEvent {
    field: '$.createdAt'
    value: number
  }

  export interface EnvelopeExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: number
  }

  export function encode (obj: Partial<Envelope>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Envelope.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Envelope {
    return decodeMessage(buf, Envelope.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Envelope>): Generator<EnvelopeVersionFieldEvent | EnvelopeIdFieldEvent | EnvelopeRecipientFieldEvent | EnvelopeSealedFieldEvent | EnvelopeCreatedAtFieldEvent | EnvelopeExpiresAtFieldEvent> {
    return streamMessage(buf, Envelope.codec(), opts)
  }
}

export interface Content {
  version: number
  id: Uint8Array<ArrayBuffer>
  sentAt: number
  seq: number
  senderCertificate?: IdentityCertificate
  features: number
  text?: Text
  receipt?: Receipt
  attachment?: Attachment
  groupUpdate?: GroupUpdate
  groupMessage?: GroupMessage
}

export namespace Content {
  let _codec: Codec<Content>

  export const codec = (): Codec<Content> => {
    if (_codec == null) {
      _codec = message<Content>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }


        if (obj.groupMessage != null) {
          obj.groupUpdate = undefined
          obj.attachment = undefined
          obj.receipt = undefined
          obj.text = undefined
        }

        if (obj.groupUpdate != null) {
          obj.groupMessage = undefined
          obj.attachment = undefined
          obj.receipt = undefined
          obj.text = undefined
        }

        if (obj.attachment != null) {
          obj.groupMessage = undefined
          obj.groupUpdate = undefined
          obj.receipt = undefined
          obj.text = undefined
        }

        if (obj.receipt != null) {
          obj.groupMessage = undefined
          obj.groupUpdate = undefined
          obj.attachment = undefined
          obj.text = undefined
        }

        if (obj.text != null) {
          obj.groupMessage = undefined
          obj.groupUpdate = undefined
          obj.attachment = undefined
          obj.receipt = undefined
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.id)
        }

        if ((obj.sentAt != null && obj.sentAt !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.sentAt)
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.seq)
        }

        if (obj.senderCertificate != null) {
          w.uint32(42)
          IdentityCertificate.codec().encode(obj.senderCertificate, w)
        }

        if ((obj.features != null && obj.features !== 0)) {
          w.uint32(48)
          w.uint32(obj.features)
        }

        if (obj.text != null) {
          w.uint32(82)
          Text.codec().encode(obj.text, w)
        }

        if (obj.receipt != null) {
          w.uint32(90)
          Receipt.codec().encode(obj.receipt, w)
        }

        if (obj.attachment != null) {
          w.uint32(98)
          Attachment.codec().encode(obj.attachment, w)
        }

        if (obj.groupUpdate != null) {
          w.uint32(106)
          GroupUpdate.codec().encode(obj.groupUpdate, w)
        }

        if (obj.groupMessage != null) {
          w.uint32(114)
          GroupMessage.codec().encode(obj.groupMessage, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          id: uint8ArrayAlloc(0),
          sentAt: 0,
          seq: 0,
          features: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.id = reader.bytes()
              break
            }
            case 3: {
              obj.sentAt = reader.uint64Number()
              break
            }
            case 4: {
              obj.seq = reader.uint64Number()
              break
            }
            case 5: {
              obj.senderCertificate = IdentityCertificate.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.senderCertificate
              })
              break
            }
            case 6: {
              obj.features = reader.uint32()
              break
            }
            case 10: {
              obj.text = Text.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.text
              })
              break
            }
            case 11: {
              obj.receipt = Receipt.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.receipt
              })
              break
            }
            case 12: {
              obj.attachment = Attachment.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.attachment
              })
              break
            }
            case 13: {
              obj.groupUpdate = GroupUpdate.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.groupUpdate
              })
              break
            }
            case 14: {
              obj.groupMessage = GroupMessage.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.groupMessage
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }


        if (obj.groupMessage != null) {
          delete obj.groupUpdate
          delete obj.attachment
          delete obj.receipt
          delete obj.text
        }

        if (obj.groupUpdate != null) {
          delete obj.groupMessage
          delete obj.attachment
          delete obj.receipt
          delete obj.text
        }

        if (obj.attachment != null) {
          delete obj.groupMessage
          delete obj.groupUpdate
          delete obj.receipt
          delete obj.text
        }

        if (obj.receipt != null) {
          delete obj.groupMessage
          delete obj.groupUpdate
          delete obj.attachment
          delete obj.text
        }

        if (obj.text != null) {
          delete obj.groupMessage
          delete obj.groupUpdate
          delete obj.attachment
          delete obj.receipt
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.sentAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              yield * IdentityCertificate.codec().stream(reader, reader.uint32(), `${prefix}.senderCertificate`, {
                limits: opts.limits?.senderCertificate
              })

              break
            }
            case 6: {
              yield {
                field: `${prefix}.features`,
                value: reader.uint32()
              }
              break
            }
            case 10: {
              yield * Text.codec().stream(reader, reader.uint32(), `${prefix}.text`, {
                limits: opts.limits?.text
              })

              break
            }
            case 11: {
              yield * Receipt.codec().stream(reader, reader.uint32(), `${prefix}.receipt`, {
                limits: opts.limits?.receipt
              })

              break
            }
            case 12: {
              yield * Attachment.codec().stream(reader, reader.uint32(), `${prefix}.attachment`, {
                limits: opts.limits?.attachment
              })

              break
            }
            case 13: {
              yield * GroupUpdate.codec().stream(reader, reader.uint32(), `${prefix}.groupUpdate`, {
                limits: opts.limits?.groupUpdate
              })

              break
            }
            case 14: {
              yield * GroupMessage.codec().stream(reader, reader.uint32(), `${prefix}.groupMessage`, {
                limits: opts.limits?.groupMessage
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ContentVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface ContentIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContentSentAtFieldEvent {
    field: '$.sentAt'
    value: number
  }

  export interface ContentSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export interface ContentSenderCertificatePeerIdFieldEvent {
    field: '$.senderCertificate.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContentSenderCertificateIdentityKeyFieldEvent {
    field: '$.senderCertificate.identityKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContentSenderCertificateIssuedAtFieldEvent {
    field: '$.senderCertificate.issuedAt'
    value: number
  }

  export interface ContentSenderCertificateSignatureFieldEvent {
    field: '$.senderCertificate.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContentFeaturesFieldEvent {
    field: '$.features'
    value: number
  }

  export interface ContentTextBodyFieldEvent {
    field: '$.text.body'
    value: string
  }

  export interface ContentReceiptKindFieldEvent {
    field: '$.receipt.kind'
    value: Receipt.Kind
  }

  export interface ContentReceiptIdsFieldEvent {
    field: '$.receipt.ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContentAttachmentFileIdFieldEvent {
    field: '$.attachment.fileId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContentAttachmentNameFieldEvent {
    field: '$.attachment.name'
    value: string
  }

  export interface ContentAttachmentSizeFieldEvent {
    field: '$.attachment.size'
    value: number
  }

  export interface ContentAttachmentMediaTypeFieldEvent {
    field: '$.attachment.mediaType'
    value: string
  }

  export interface ContentAttachmentChunkBytesFieldEvent {
    field: '$.attachment.chunkBytes'
    value: number
  }

  export interface ContentAttachmentChunksFieldEvent {
    field: '$.attachment.chunks[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContentAttachmentKeyFieldEvent {
    field: '$.attachment.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContentAttachmentSha256FieldEvent {
    field: '$.attachment.sha256'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContentAttachmentCaptionFieldEvent {
    field: '$.attachment.caption'
    value: string
  }

  export interface ContentAttachmentCompletesFieldEvent {
    field: '$.attachment.completes'
    value: boolean
  }

  export interface ContentAttachmentGroupIdFieldEvent {
    field: '$.attachment.groupId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContentAttachmentGroupHeadsFieldEvent {
    field: '$.attachment.groupHeads[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContentGroupUpdateChangesFieldEvent {
    field: '$.groupUpdate.changes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContentGroupUpdateHoldsGroupIdFieldEvent {
    field: '$.groupUpdate.holds[].groupId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ContentGroupUpdateHoldsCheckpointFieldEvent {
    field: '$.groupUpdate.holds[].checkpoint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ContentGroupMessageGroupIdFieldEvent {
    field: '$.groupMessage.groupId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContentGroupMessageDistributionFieldEvent {
    field: '$.groupMessage.distribution'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContentGroupMessageCiphertextFieldEvent {
    field: '$.groupMessage.ciphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContentGroupMessageChangesFieldEvent {
    field: '$.groupMessage.changes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Content>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Content.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Content>): Content {
    return decodeMessage(buf, Content.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Content>): Generator<ContentVersionFieldEvent | ContentIdFieldEvent | ContentSentAtFieldEvent | ContentSeqFieldEvent | ContentSenderCertificatePeerIdFieldEvent | ContentSenderCertificateIdentityKeyFieldEvent | ContentSenderCertificateIssuedAtFieldEvent | ContentSenderCertificateSignatureFieldEvent | ContentFeaturesFieldEvent | ContentTextBodyFieldEvent | ContentReceiptKindFieldEvent | ContentReceiptIdsFieldEvent | ContentAttachmentFileIdFieldEvent | ContentAttachmentNameFieldEvent | ContentAttachmentSizeFieldEvent | ContentAttachmentMediaTypeFieldEvent | ContentAttachmentChunkBytesFieldEvent | ContentAttachmentChunksFieldEvent | ContentAttachmentKeyFieldEvent | ContentAttachmentSha256FieldEvent | ContentAttachmentCaptionFieldEvent | ContentAttachmentCompletesFieldEvent | ContentAttachmentGroupIdFieldEvent | ContentAttachmentGroupHeadsFieldEvent | ContentGroupUpdateChangesFieldEvent | ContentGroupUpdateHoldsGroupIdFieldEvent | ContentGroupUpdateHoldsCheckpointFieldEvent | ContentGroupMessageGroupIdFieldEvent | ContentGroupMessageDistributionFieldEvent | ContentGroupMessageCiphertextFieldEvent | ContentGroupMessageChangesFieldEvent> {
    return streamMessage(buf, Content.codec(), opts)
  }
}

export interface Text {
  body: string
}

export namespace Text {
  let _codec: Codec<Text>

  export const codec = (): Codec<Text> => {
    if (_codec == null) {
      _codec = message<Text>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.body != null && obj.body !== '')) {
          w.uint32(10)
          w.string(obj.body)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          body: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.body = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.body`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TextBodyFieldEvent {
    field: '$.body'
    value: string
  }

  export function encode (obj: Partial<Text>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Text.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Text>): Text {
    return decodeMessage(buf, Text.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Text>): Generator<TextBodyFieldEvent> {
    return streamMessage(buf, Text.codec(), opts)
  }
}

export interface Attachment {
  fileId: Uint8Array<ArrayBuffer>
  name: string
  size: number
  mediaType: string
  chunkBytes: number
  chunks: Uint8Array<ArrayBuffer>[]
  key: Uint8Array<ArrayBuffer>
  sha256: Uint8Array<ArrayBuffer>
  caption: string
  completes?: boolean
  groupId?: Uint8Array<ArrayBuffer>
  groupHeads: Uint8Array<ArrayBuffer>[]
}

export namespace Attachment {
  let _codec: Codec<Attachment>

  export const codec = (): Codec<Attachment> => {
    if (_codec == null) {
      _codec = message<Attachment>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.fileId != null && obj.fileId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.fileId)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.size)
        }

        if ((obj.mediaType != null && obj.mediaType !== '')) {
          w.uint32(34)
          w.string(obj.mediaType)
        }

        if ((obj.chunkBytes != null && obj.chunkBytes !== 0)) {
          w.uint32(40)
          w.uint32(obj.chunkBytes)
        }

        if (obj.chunks != null && obj.chunks.length > 0) {
          for (const value of obj.chunks) {
            w.uint32(50)
            w.bytes(value)
          }
        }

        if ((obj.key != null && obj.key.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.key)
        }

        if ((obj.sha256 != null && obj.sha256.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.sha256)
        }

        if ((obj.caption != null && obj.caption !== '')) {
          w.uint32(74)
          w.string(obj.caption)
        }

        if (obj.completes != null) {
          w.uint32(80)
          w.bool(obj.completes)
        }

        if (obj.groupId != null) {
          w.uint32(90)
          w.bytes(obj.groupId)
        }

        if (obj.groupHeads != null && obj.groupHeads.length > 0) {
          for (const value of obj.groupHeads) {
            w.uint32(98)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          fileId: uint8ArrayAlloc(0),
          name: '',
          size: 0,
          mediaType: '',
          chunkBytes: 0,
          chunks: [],
          key: uint8ArrayAlloc(0),
          sha256: uint8ArrayAlloc(0),
          caption: '',
          groupHeads: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.fileId = reader.bytes()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.size = reader.uint64Number()
              break
            }
            case 4: {
              obj.mediaType = reader.string()
              break
            }
            case 5: {
              obj.chunkBytes = reader.uint32()
              break
            }
            case 6: {
              if (opts.limits?.chunks != null && obj.chunks.length === opts.limits.chunks) {
                throw new MaxLengthError('Decode error - repeated field "chunks" had too many elements')
              }

              if (obj.chunks.length === 2048) {
                throw new MaxLengthError('Decode error - repeated field "chunks" had too many elements')
              }

              obj.chunks.push(reader.bytes())
              break
            }
            case 7: {
              obj.key = reader.bytes()
              break
            }
            case 8: {
              obj.sha256 = reader.bytes()
              break
            }
            case 9: {
              obj.caption = reader.string()
              break
            }
            case 10: {
              obj.completes = reader.bool()
              break
            }
            case 11: {
              obj.groupId = reader.bytes()
              break
            }
            case 12: {
              if (opts.limits?.groupHeads != null && obj.groupHeads.length === opts.limits.groupHeads) {
                throw new MaxLengthError('Decode error - repeated field "groupHeads" had too many elements')
              }

              if (obj.groupHeads.length === 64) {
                throw new MaxLengthError('Decode error - repeated field "groupHeads" had too many elements')
              }

              obj.groupHeads.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          chunks: 2048,
          groupHeads: 64
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.fileId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.mediaType`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.chunkBytes`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              if (opts.limits?.chunks != null && obj.chunks === opts.limits.chunks) {
                throw new MaxLengthError('Streaming decode error - repeated field "chunks" had too many elements')
              }

              if (obj.chunks === 2048) {
                throw new MaxLengthError('Streaming decode error - repeated field "chunks" had too many elements')
              }

              yield {
                field: `${prefix}.chunks[]`,
                index: obj.chunks,
                value: reader.bytes()
              }

              obj.chunks++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.key`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.sha256`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.caption`,
                value: reader.string()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.completes`,
                value: reader.bool()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.groupId`,
                value: reader.bytes()
              }
              break
            }
            case 12: {
              if (opts.limits?.groupHeads != null && obj.groupHeads === opts.limits.groupHeads) {
                throw new MaxLengthError('Streaming decode error - repeated field "groupHeads" had too many elements')
              }

              if (obj.groupHeads === 64) {
                throw new MaxLengthError('Streaming decode error - repeated field "groupHeads" had too many elements')
              }

              yield {
                field: `${prefix}.groupHeads[]`,
                index: obj.groupHeads,
                value: reader.bytes()
              }

              obj.groupHeads++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AttachmentFileIdFieldEvent {
    field: '$.fileId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AttachmentNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface AttachmentSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface AttachmentMediaTypeFieldEvent {
    field: '$.mediaType'
    value: string
  }

  export interface AttachmentChunkBytesFieldEvent {
    field: '$.chunkBytes'
    value: number
  }

  export interface AttachmentChunksFieldEvent {
    field: '$.chunks[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface AttachmentKeyFieldEvent {
    field: '$.key'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AttachmentSha256FieldEvent {
    field: '$.sha256'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AttachmentCaptionFieldEvent {
    field: '$.caption'
    value: string
  }

  export interface AttachmentCompletesFieldEvent {
    field: '$.completes'
    value: boolean
  }

  export interface AttachmentGroupIdFieldEvent {
    field: '$.groupId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AttachmentGroupHeadsFieldEvent {
    field: '$.groupHeads[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Attachment>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Attachment.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Attachment>): Attachment {
    return decodeMessage(buf, Attachment.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Attachment>): Generator<AttachmentFileIdFieldEvent | AttachmentNameFieldEvent | AttachmentSizeFieldEvent | AttachmentMediaTypeFieldEvent | AttachmentChunkBytesFieldEvent | AttachmentChunksFieldEvent | AttachmentKeyFieldEvent | AttachmentSha256FieldEvent | AttachmentCaptionFieldEvent | AttachmentCompletesFieldEvent | AttachmentGroupIdFieldEvent | AttachmentGroupHeadsFieldEvent> {
    return streamMessage(buf, Attachment.codec(), opts)
  }
}

export interface Receipt {
  kind: Receipt.Kind
  ids: Uint8Array<ArrayBuffer>[]
}

export namespace Receipt {
  export enum Kind {
    DELIVERED = 'DELIVERED',
    READ = 'READ'
  }

  enum __KindValues {
    DELIVERED = 0,
    READ = 1
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<Receipt>

  export const codec = (): Codec<Receipt> => {
    if (_codec == null) {
      _codec = message<Receipt>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(8)
          Receipt.Kind.codec().encode(obj.kind, w)
        }

        if (obj.ids != null && obj.ids.length > 0) {
          for (const value of obj.ids) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: Kind.DELIVERED,
          ids: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = Receipt.Kind.codec().decode(reader)
              break
            }
            case 2: {
              if (opts.limits?.ids != null && obj.ids.length === opts.limits.ids) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              if (obj.ids.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              obj.ids.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          ids: 256
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.kind`,
                value: Receipt.Kind.codec().decode(reader)
              }
              break
            }
            case 2: {
              if (opts.limits?.ids != null && obj.ids === opts.limits.ids) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              if (obj.ids === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              yield {
                field: `${prefix}.ids[]`,
                index: obj.ids,
                value: reader.bytes()
              }

              obj.ids++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ReceiptKindFieldEvent {
    field: '$.kind'
    value: Receipt.Kind
  }

  export interface ReceiptIdsFieldEvent {
    field: '$.ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Receipt>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Receipt.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Receipt>): Receipt {
    return decodeMessage(buf, Receipt.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Receipt>): Generator<ReceiptKindFieldEvent | ReceiptIdsFieldEvent> {
    return streamMessage(buf, Receipt.codec(), opts)
  }
}

export interface GroupChange {
  groupId: Uint8Array<ArrayBuffer>
  parents: Uint8Array<ArrayBuffer>[]
  author: Uint8Array<ArrayBuffer>
  madeAt: number
  create?: GroupCreate
  add?: GroupMembers
  remove?: GroupRemove
  leave?: GroupLeave
  promote?: GroupMembers
  checkpoint?: GroupCheckpoint
  signature: Uint8Array<ArrayBuffer>
}

export namespace GroupChange {
  let _codec: Codec<GroupChange>

  export const codec = (): Codec<GroupChange> => {
    if (_codec == null) {
      _codec = message<GroupChange>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.checkpoint != null) {
          obj.promote = undefined
          obj.leave = undefined
          obj.remove = undefined
          obj.add = undefined
          obj.create = undefined
        }

        if (obj.promote != null) {
          obj.checkpoint = undefined
          obj.leave = undefined
          obj.remove = undefined
          obj.add = undefined
          obj.create = undefined
        }

        if (obj.leave != null) {
          obj.checkpoint = undefined
          obj.promote = undefined
          obj.remove = undefined
          obj.add = undefined
          obj.create = undefined
        }

        if (obj.remove != null) {
          obj.checkpoint = undefined
          obj.promote = undefined
          obj.leave = undefined
          obj.add = undefined
          obj.create = undefined
        }

        if (obj.add != null) {
          obj.checkpoint = undefined
          obj.promote = undefined
          obj.leave = undefined
          obj.remove = undefined
          obj.create = undefined
        }

        if (obj.create != null) {
          obj.checkpoint = undefined
          obj.promote = undefined
          obj.leave = undefined
          obj.remove = undefined
          obj.add = undefined
        }

        if ((obj.groupId != null && obj.groupId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.groupId)
        }

        if (obj.parents != null && obj.parents.length > 0) {
          for (const value of obj.parents) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if ((obj.author != null && obj.author.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.author)
        }

        if ((obj.madeAt != null && obj.madeAt !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.madeAt)
        }

        if (obj.create != null) {
          w.uint32(82)
          GroupCreate.codec().encode(obj.create, w)
        }

        if (obj.add != null) {
          w.uint32(90)
          GroupMembers.codec().encode(obj.add, w)
        }

        if (obj.remove != null) {
          w.uint32(98)
          GroupRemove.codec().encode(obj.remove, w)
        }

        if (obj.leave != null) {
          w.uint32(106)
          GroupLeave.codec().encode(obj.leave, w)
        }

        if (obj.promote != null) {
          w.uint32(114)
          GroupMembers.codec().encode(obj.promote, w)
        }

        if (obj.checkpoint != null) {
          w.uint32(130)
          GroupCheckpoint.codec().encode(obj.checkpoint, w)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(122)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          groupId: uint8ArrayAlloc(0),
          parents: [],
          author: uint8ArrayAlloc(0),
          madeAt: 0,
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.groupId = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.parents != null && obj.parents.length === opts.limits.parents) {
                throw new MaxLengthError('Decode error - repeated field "parents" had too many elements')
              }

              if (obj.parents.length === 64) {
                throw new MaxLengthError('Decode error - repeated field "parents" had too many elements')
              }

              obj.parents.push(reader.bytes())
              break
            }
            case 3: {
              obj.author = reader.bytes()
              break
            }
            case 4: {
              obj.madeAt = reader.uint64Number()
              break
            }
            case 10: {
              obj.create = GroupCreate.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.create
              })
              break
            }
            case 11: {
              obj.add = GroupMembers.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.add
              })
              break
            }
            case 12: {
              obj.remove = GroupRemove.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.remove
              })
              break
            }
            case 13: {
              obj.leave = GroupLeave.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.leave
              })
              break
            }
            case 14: {
              obj.promote = GroupMembers.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.promote
              })
              break
            }
            case 16: {
              obj.checkpoint = GroupCheckpoint.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.checkpoint
              })
              break
            }
            case 15: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.checkpoint != null) {
          delete obj.promote
          delete obj.leave
          delete obj.remove
          delete obj.add
          delete obj.create
        }

        if (obj.promote != null) {
          delete obj.checkpoint
          delete obj.leave
          delete obj.remove
          delete obj.add
          delete obj.create
        }

        if (obj.leave != null) {
          delete obj.checkpoint
          delete obj.promote
          delete obj.remove
          delete obj.add
          delete obj.create
        }

        if (obj.remove != null) {
          delete obj.checkpoint
          delete obj.promote
          delete obj.leave
          delete obj.add
          delete obj.create
        }

        if (obj.add != null) {
          delete obj.checkpoint
          delete obj.promote
          delete obj.leave
          delete obj.remove
          delete obj.create
        }

        if (obj.create != null) {
          delete obj.checkpoint
          delete obj.promote
          delete obj.leave
          delete obj.remove
          delete obj.add
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          parents: 64
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.groupId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.parents != null && obj.parents === opts.limits.parents) {
                throw new MaxLengthError('Streaming decode error - repeated field "parents" had too many elements')
              }

              if (obj.parents === 64) {
                throw new MaxLengthError('Streaming decode error - repeated field "parents" had too many elements')
              }

              yield {
                field: `${prefix}.parents[]`,
                index: obj.parents,
                value: reader.bytes()
              }

              obj.parents++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.author`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.madeAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 10: {
              yield * GroupCreate.codec().stream(reader, reader.uint32(), `${prefix}.create`, {
                limits: opts.limits?.create
              })

              break
            }
            case 11: {
              yield * GroupMembers.codec().stream(reader, reader.uint32(), `${prefix}.add`, {
                limits: opts.limits?.add
              })

              break
            }
            case 12: {
              yield * GroupRemove.codec().stream(reader, reader.uint32(), `${prefix}.remove`, {
                limits: opts.limits?.remove
              })

              break
            }
            case 13: {
              yield * GroupLeave.codec().stream(reader, reader.uint32(), `${prefix}.leave`, {
                limits: opts.limits?.leave
              })

              break
            }
            case 14: {
              yield * GroupMembers.codec().stream(reader, reader.uint32(), `${prefix}.promote`, {
                limits: opts.limits?.promote
              })

              break
            }
            case 16: {
              yield * GroupCheckpoint.codec().stream(reader, reader.uint32(), `${prefix}.checkpoint`, {
                limits: opts.limits?.checkpoint
              })

              break
            }
            case 15: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface GroupChangeGroupIdFieldEvent {
    field: '$.groupId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupChangeParentsFieldEvent {
    field: '$.parents[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupChangeAuthorFieldEvent {
    field: '$.author'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupChangeMadeAtFieldEvent {
    field: '$.madeAt'
    value: number
  }

  export interface GroupChangeCreateNameFieldEvent {
    field: '$.create.name'
    value: string
  }

  export interface GroupChangeCreateSecretFieldEvent {
    field: '$.create.secret'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupChangeCreateMembersFieldEvent {
    field: '$.create.members[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupChangeAddMembersFieldEvent {
    field: '$.add.members[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupChangeRemoveMembersFieldEvent {
    field: '$.remove.members[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupChangeRemoveLastSeqsFieldEvent {
    field: '$.remove.lastSeqs[]'
    index: number
    value: number
  }

  export interface GroupChangeLeaveLastSeqFieldEvent {
    field: '$.leave.lastSeq'
    value: number
  }

  export interface GroupChangePromoteMembersFieldEvent {
    field: '$.promote.members[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupChangeCheckpointNameFieldEvent {
    field: '$.checkpoint.name'
    value: string
  }

  export interface GroupChangeCheckpointMembersFieldEvent {
    field: '$.checkpoint.members[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupChangeCheckpointAdminsFieldEvent {
    field: '$.checkpoint.admins[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupChangeSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<GroupChange>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GroupChange.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupChange>): GroupChange {
    return decodeMessage(buf, GroupChange.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupChange>): Generator<GroupChangeGroupIdFieldEvent | GroupChangeParentsFieldEvent | GroupChangeAuthorFieldEvent | GroupChangeMadeAtFieldEvent | GroupChangeCreateNameFieldEvent | GroupChangeCreateSecretFieldEvent | GroupChangeCreateMembersFieldEvent | GroupChangeAddMembersFieldEvent | GroupChangeRemoveMembersFieldEvent | GroupChangeRemoveLastSeqsFieldEvent | GroupChangeLeaveLastSeqFieldEvent | GroupChangePromoteMembersFieldEvent | GroupChangeCheckpointNameFieldEvent | GroupChangeCheckpointMembersFieldEvent | GroupChangeCheckpointAdminsFieldEvent | GroupChangeSignatureFieldEvent> {
    return streamMessage(buf, GroupChange.codec(), opts)
  }
}

export interface GroupCreate {
  name: string
  secret: Uint8Array<ArrayBuffer>
  members: Uint8Array<ArrayBuffer>[]
}

export namespace GroupCreate {
  let _codec: Codec<GroupCreate>

  export const codec = (): Codec<GroupCreate> => {
    if (_codec == null) {
      _codec = message<GroupCreate>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.secret != null && obj.secret.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.secret)
        }

        if (obj.members != null && obj.members.length > 0) {
          for (const value of obj.members) {
            w.uint32(26)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          secret: uint8ArrayAlloc(0),
          members: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.secret = reader.bytes()
              break
            }
            case 3: {
              if (opts.limits?.members != null && obj.members.length === opts.limits.members) {
                throw new MaxLengthError('Decode error - repeated field "members" had too many elements')
              }

              if (obj.members.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "members" had too many elements')
              }

              obj.members.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          members: 1024
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.secret`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              if (opts.limits?.members != null && obj.members === opts.limits.members) {
                throw new MaxLengthError('Streaming decode error - repeated field "members" had too many elements')
              }

              if (obj.members === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "members" had too many elements')
              }

              yield {
                field: `${prefix}.members[]`,
                index: obj.members,
                value: reader.bytes()
              }

              obj.members++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface GroupCreateNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface GroupCreateSecretFieldEvent {
    field: '$.secret'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupCreateMembersFieldEvent {
    field: '$.members[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<GroupCreate>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GroupCreate.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupCreate>): GroupCreate {
    return decodeMessage(buf, GroupCreate.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupCreate>): Generator<GroupCreateNameFieldEvent | GroupCreateSecretFieldEvent | GroupCreateMembersFieldEvent> {
    return streamMessage(buf, GroupCreate.codec(), opts)
  }
}

export interface GroupMembers {
  members: Uint8Array<ArrayBuffer>[]
}

export namespace GroupMembers {
  let _codec: Codec<GroupMembers>

  export const codec = (): Codec<GroupMembers> => {
    if (_codec == null) {
      _codec = message<GroupMembers>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.members != null && obj.members.length > 0) {
          for (const value of obj.members) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          members: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.members != null && obj.members.length === opts.limits.members) {
                throw new MaxLengthError('Decode error - repeated field "members" had too many elements')
              }

              if (obj.members.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "members" had too many elements')
              }

              obj.members.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          members: 1024
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.members != null && obj.members === opts.limits.members) {
                throw new MaxLengthError('Streaming decode error - repeated field "members" had too many elements')
              }

              if (obj.members === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "members" had too many elements')
              }

              yield {
                field: `${prefix}.members[]`,
                index: obj.members,
                value: reader.bytes()
              }

              obj.members++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface GroupMembersMembersFieldEvent {
    field: '$.members[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<GroupMembers>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GroupMembers.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupMembers>): GroupMembers {
    return decodeMessage(buf, GroupMembers.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupMembers>): Generator<GroupMembersMembersFieldEvent> {
    return streamMessage(buf, GroupMembers.codec(), opts)
  }
}

export interface GroupRemove {
  members: Uint8Array<ArrayBuffer>[]
  lastSeqs: number[]
}

export namespace GroupRemove {
  let _codec: Codec<GroupRemove>

  export const codec = (): Codec<GroupRemove> => {
    if (_codec == null) {
      _codec = message<GroupRemove>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.members != null && obj.members.length > 0) {
          for (const value of obj.members) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (obj.lastSeqs != null && obj.lastSeqs.length > 0) {
          for (const value of obj.lastSeqs) {
            w.uint32(16)
            w.uint64Number(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          members: [],
          lastSeqs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.members != null && obj.members.length === opts.limits.members) {
                throw new MaxLengthError('Decode error - repeated field "members" had too many elements')
              }

              if (obj.members.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "members" had too many elements')
              }

              obj.members.push(reader.bytes())
              break
            }
            case 2: {
              if (opts.limits?.lastSeqs != null && obj.lastSeqs.length === opts.limits.lastSeqs) {
                throw new MaxLengthError('Decode error - repeated field "lastSeqs" had too many elements')
              }

              if (obj.lastSeqs.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "lastSeqs" had too many elements')
              }

              obj.lastSeqs.push(reader.uint64Number())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          members: 1024,
          lastSeqs: 1024
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.members != null && obj.members === opts.limits.members) {
                throw new MaxLengthError('Streaming decode error - repeated field "members" had too many elements')
              }

              if (obj.members === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "members" had too many elements')
              }

              yield {
                field: `${prefix}.members[]`,
                index: obj.members,
                value: reader.bytes()
              }

              obj.members++

              break
            }
            case 2: {
              if (opts.limits?.lastSeqs != null && obj.lastSeqs === opts.limits.lastSeqs) {
                throw new MaxLengthError('Streaming decode error - repeated field "lastSeqs" had too many elements')
              }

              if (obj.lastSeqs === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "lastSeqs" had too many elements')
              }

              yield {
                field: `${prefix}.lastSeqs[]`,
                index: obj.lastSeqs,
                value: reader.uint64Number()
              }

              obj.lastSeqs++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface GroupRemoveMembersFieldEvent {
    field: '$.members[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupRemoveLastSeqsFieldEvent {
    field: '$.lastSeqs[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<GroupRemove>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GroupRemove.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupRemove>): GroupRemove {
    return decodeMessage(buf, GroupRemove.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupRemove>): Generator<GroupRemoveMembersFieldEvent | GroupRemoveLastSeqsFieldEvent> {
    return streamMessage(buf, GroupRemove.codec(), opts)
  }
}

export interface GroupLeave {
  lastSeq: number
}

export namespace GroupLeave {
  let _codec: Codec<GroupLeave>

  export const codec = (): Codec<GroupLeave> => {
    if (_codec == null) {
      _codec = message<GroupLeave>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.lastSeq != null && obj.lastSeq !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.lastSeq)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          lastSeq: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.lastSeq = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.lastSeq`,
                value: reader.uint64Number()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface GroupLeaveLastSeqFieldEvent {
    field: '$.lastSeq'
    value: number
  }

  export function encode (obj: Partial<GroupLeave>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GroupLeave.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupLeave>): GroupLeave {
    return decodeMessage(buf, GroupLeave.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupLeave>): Generator<GroupLeaveLastSeqFieldEvent> {
    return streamMessage(buf, GroupLeave.codec(), opts)
  }
}

export interface GroupCheckpoint {
  name: string
  members: Uint8Array<ArrayBuffer>[]
  admins: Uint8Array<ArrayBuffer>[]
}

export namespace GroupCheckpoint {
  let _codec: Codec<GroupCheckpoint>

  export const codec = (): Codec<GroupCheckpoint> => {
    if (_codec == null) {
      _codec = message<GroupCheckpoint>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if (obj.members != null && obj.members.length > 0) {
          for (const value of obj.members) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (obj.admins != null && obj.admins.length > 0) {
          for (const value of obj.admins) {
            w.uint32(26)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          members: [],
          admins: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.members != null && obj.members.length === opts.limits.members) {
                throw new MaxLengthError('Decode error - repeated field "members" had too many elements')
              }

              if (obj.members.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "members" had too many elements')
              }

              obj.members.push(reader.bytes())
              break
            }
            case 3: {
              if (opts.limits?.admins != null && obj.admins.length === opts.limits.admins) {
                throw new MaxLengthError('Decode error - repeated field "admins" had too many elements')
              }

              if (obj.admins.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "admins" had too many elements')
              }

              obj.admins.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          members: 1024,
          admins: 1024
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              if (opts.limits?.members != null && obj.members === opts.limits.members) {
                throw new MaxLengthError('Streaming decode error - repeated field "members" had too many elements')
              }

              if (obj.members === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "members" had too many elements')
              }

              yield {
                field: `${prefix}.members[]`,
                index: obj.members,
                value: reader.bytes()
              }

              obj.members++

              break
            }
            case 3: {
              if (opts.limits?.admins != null && obj.admins === opts.limits.admins) {
                throw new MaxLengthError('Streaming decode error - repeated field "admins" had too many elements')
              }

              if (obj.admins === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "admins" had too many elements')
              }

              yield {
                field: `${prefix}.admins[]`,
                index: obj.admins,
                value: reader.bytes()
              }

              obj.admins++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface GroupCheckpointNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface GroupCheckpointMembersFieldEvent {
    field: '$.members[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupCheckpointAdminsFieldEvent {
    field: '$.admins[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<GroupCheckpoint>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GroupCheckpoint.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupCheckpoint>): GroupCheckpoint {
    return decodeMessage(buf, GroupCheckpoint.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupCheckpoint>): Generator<GroupCheckpointNameFieldEvent | GroupCheckpointMembersFieldEvent | GroupCheckpointAdminsFieldEvent> {
    return streamMessage(buf, GroupCheckpoint.codec(), opts)
  }
}

export interface GroupUpdate {
  changes: Uint8Array<ArrayBuffer>[]
  holds: GroupHold[]
}

export namespace GroupUpdate {
  let _codec: Codec<GroupUpdate>

  export const codec = (): Codec<GroupUpdate> => {
    if (_codec == null) {
      _codec = message<GroupUpdate>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.changes != null && obj.changes.length > 0) {
          for (const value of obj.changes) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (obj.holds != null && obj.holds.length > 0) {
          for (const value of obj.holds) {
            w.uint32(18)
            GroupHold.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          changes: [],
          holds: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.changes != null && obj.changes.length === opts.limits.changes) {
                throw new MaxLengthError('Decode error - repeated field "changes" had too many elements')
              }

              if (obj.changes.length === 4096) {
                throw new MaxLengthError('Decode error - repeated field "changes" had too many elements')
              }

              obj.changes.push(reader.bytes())
              break
            }
            case 2: {
              if (opts.limits?.holds != null && obj.holds.length === opts.limits.holds) {
                throw new MaxLengthError('Decode error - repeated field "holds" had too many elements')
              }

              if (obj.holds.length === 16) {
                throw new MaxLengthError('Decode error - repeated field "holds" had too many elements')
              }

              obj.holds.push(GroupHold.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.holds$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          changes: 4096,
          holds: 16
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.changes != null && obj.changes === opts.limits.changes) {
                throw new MaxLengthError('Streaming decode error - repeated field "changes" had too many elements')
              }

              if (obj.changes === 4096) {
                throw new MaxLengthError('Streaming decode error - repeated field "changes" had too many elements')
              }

              yield {
                field: `${prefix}.changes[]`,
                index: obj.changes,
                value: reader.bytes()
              }

              obj.changes++

              break
            }
            case 2: {
              if (opts.limits?.holds != null && obj.holds === opts.limits.holds) {
                throw new MaxLengthError('Streaming decode error - repeated field "holds" had too many elements')
              }

              if (obj.holds === 16) {
                throw new MaxLengthError('Streaming decode error - repeated field "holds" had too many elements')
              }

              for (const evt of GroupHold.codec().stream(reader, reader.uint32(), `${prefix}.holds[]`, {
                limits: opts.limits?.holds$
              })) {
                yield {
                  ...evt,
                  index: obj.holds
                }
              }

              obj.holds++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface GroupUpdateChangesFieldEvent {
    field: '$.changes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupUpdateHoldsGroupIdFieldEvent {
    field: '$.holds[].groupId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface GroupUpdateHoldsCheckpointFieldEvent {
    field: '$.holds[].checkpoint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<GroupUpdate>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GroupUpdate.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupUpdate>): GroupUpdate {
    return decodeMessage(buf, GroupUpdate.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupUpdate>): Generator<GroupUpdateChangesFieldEvent | GroupUpdateHoldsGroupIdFieldEvent | GroupUpdateHoldsCheckpointFieldEvent> {
    return streamMessage(buf, GroupUpdate.codec(), opts)
  }
}

export interface GroupHold {
  groupId: Uint8Array<ArrayBuffer>
  checkpoint: Uint8Array<ArrayBuffer>
}

export namespace GroupHold {
  let _codec: Codec<GroupHold>

  export const codec = (): Codec<GroupHold> => {
    if (_codec == null) {
      _codec = message<GroupHold>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.groupId != null && obj.groupId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.groupId)
        }

        if ((obj.checkpoint != null && obj.checkpoint.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.checkpoint)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          groupId: uint8ArrayAlloc(0),
          checkpoint: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.groupId = reader.bytes()
              break
            }
            case 2: {
              obj.checkpoint = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.groupId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.checkpoint`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface GroupHoldGroupIdFieldEvent {
    field: '$.groupId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupHoldCheckpointFieldEvent {
    field: '$.checkpoint'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<GroupHold>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GroupHold.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupHold>): GroupHold {
    return decodeMessage(buf, GroupHold.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupHold>): Generator<GroupHoldGroupIdFieldEvent | GroupHoldCheckpointFieldEvent> {
    return streamMessage(buf, GroupHold.codec(), opts)
  }
}

export interface GroupMessage {
  groupId: Uint8Array<ArrayBuffer>
  distribution: Uint8Array<ArrayBuffer>
  ciphertext: Uint8Array<ArrayBuffer>
  changes: Uint8Array<ArrayBuffer>[]
}

export namespace GroupMessage {
  let _codec: Codec<GroupMessage>

  export const codec = (): Codec<GroupMessage> => {
    if (_codec == null) {
      _codec = message<GroupMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.groupId != null && obj.groupId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.groupId)
        }

        if ((obj.distribution != null && obj.distribution.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.distribution)
        }

        if ((obj.ciphertext != null && obj.ciphertext.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.ciphertext)
        }

        if (obj.changes != null && obj.changes.length > 0) {
          for (const value of obj.changes) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          groupId: uint8ArrayAlloc(0),
          distribution: uint8ArrayAlloc(0),
          ciphertext: uint8ArrayAlloc(0),
          changes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.groupId = reader.bytes()
              break
            }
            case 2: {
              obj.distribution = reader.bytes()
              break
            }
            case 3: {
              obj.ciphertext = reader.bytes()
              break
            }
            case 4: {
              if (opts.limits?.changes != null && obj.changes.length === opts.limits.changes) {
                throw new MaxLengthError('Decode error - repeated field "changes" had too many elements')
              }

              if (obj.changes.length === 4096) {
                throw new MaxLengthError('Decode error - repeated field "changes" had too many elements')
              }

              obj.changes.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          changes: 4096
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.groupId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.distribution`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.ciphertext`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              if (opts.limits?.changes != null && obj.changes === opts.limits.changes) {
                throw new MaxLengthError('Streaming decode error - repeated field "changes" had too many elements')
              }

              if (obj.changes === 4096) {
                throw new MaxLengthError('Streaming decode error - repeated field "changes" had too many elements')
              }

              yield {
                field: `${prefix}.changes[]`,
                index: obj.changes,
                value: reader.bytes()
              }

              obj.changes++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface GroupMessageGroupIdFieldEvent {
    field: '$.groupId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupMessageDistributionFieldEvent {
    field: '$.distribution'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupMessageCiphertextFieldEvent {
    field: '$.ciphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupMessageChangesFieldEvent {
    field: '$.changes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<GroupMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GroupMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupMessage>): GroupMessage {
    return decodeMessage(buf, GroupMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupMessage>): Generator<GroupMessageGroupIdFieldEvent | GroupMessageDistributionFieldEvent | GroupMessageCiphertextFieldEvent | GroupMessageChangesFieldEvent> {
    return streamMessage(buf, GroupMessage.codec(), opts)
  }
}

export interface GroupGossip {
  version: number
  ciphertext: Uint8Array<ArrayBuffer>
}

export namespace GroupGossip {
  let _codec: Codec<GroupGossip>

  export const codec = (): Codec<GroupGossip> => {
    if (_codec == null) {
      _codec = message<GroupGossip>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.ciphertext != null && obj.ciphertext.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.ciphertext)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          ciphertext: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.ciphertext = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.ciphertext`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface GroupGossipVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface GroupGossipCiphertextFieldEvent {
    field: '$.ciphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<GroupGossip>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GroupGossip.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupGossip>): GroupGossip {
    return decodeMessage(buf, GroupGossip.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupGossip>): Generator<GroupGossipVersionFieldEvent | GroupGossipCiphertextFieldEvent> {
    return streamMessage(buf, GroupGossip.codec(), opts)
  }
}

export interface GroupPayload {
  groupId: Uint8Array<ArrayBuffer>
  id: Uint8Array<ArrayBuffer>
  seq: number
  sentAt: number
  heads: Uint8Array<ArrayBuffer>[]
  text: string
}

export namespace GroupPayload {
  let _codec: Codec<GroupPayload>

  export const codec = (): Codec<GroupPayload> => {
    if (_codec == null) {
      _codec = message<GroupPayload>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.groupId != null && obj.groupId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.groupId)
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.id)
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.seq)
        }

        if ((obj.sentAt != null && obj.sentAt !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.sentAt)
        }

        if (obj.heads != null && obj.heads.length > 0) {
          for (const value of obj.heads) {
            w.uint32(42)
            w.bytes(value)
          }
        }

        if ((obj.text != null && obj.text !== '')) {
          w.uint32(50)
          w.string(obj.text)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          groupId: uint8ArrayAlloc(0),
          id: uint8ArrayAlloc(0),
          seq: 0,
          sentAt: 0,
          heads: [],
          text: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.groupId = reader.bytes()
              break
            }
            case 2: {
              obj.id = reader.bytes()
              break
            }
            case 3: {
              obj.seq = reader.uint64Number()
              break
            }
            case 4: {
              obj.sentAt = reader.uint64Number()
              break
            }
            case 5: {
              if (opts.limits?.heads != null && obj.heads.length === opts.limits.heads) {
                throw new MaxLengthError('Decode error - repeated field "heads" had too many elements')
              }

              if (obj.heads.length === 64) {
                throw new MaxLengthError('Decode error - repeated field "heads" had too many elements')
              }

              obj.heads.push(reader.bytes())
              break
            }
            case 6: {
              obj.text = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          heads: 64
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.groupId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.sentAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 5: {
              if (opts.limits?.heads != null && obj.heads === opts.limits.heads) {
                throw new MaxLengthError('Streaming decode error - repeated field "heads" had too many elements')
              }

              if (obj.heads === 64) {
                throw new MaxLengthError('Streaming decode error - repeated field "heads" had too many elements')
              }

              yield {
                field: `${prefix}.heads[]`,
                index: obj.heads,
                value: reader.bytes()
              }

              obj.heads++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.text`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface GroupPayloadGroupIdFieldEvent {
    field: '$.groupId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupPayloadIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupPayloadSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export interface GroupPayloadSentAtFieldEvent {
    field: '$.sentAt'
    value: number
  }

  export interface GroupPayloadHeadsFieldEvent {
    field: '$.heads[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface GroupPayloadTextFieldEvent {
    field: '$.text'
    value: string
  }

  export function encode (obj: Partial<GroupPayload>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GroupPayload.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupPayload>): GroupPayload {
    return decodeMessage(buf, GroupPayload.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GroupPayload>): Generator<GroupPayloadGroupIdFieldEvent | GroupPayloadIdFieldEvent | GroupPayloadSeqFieldEvent | GroupPayloadSentAtFieldEvent | GroupPayloadHeadsFieldEvent | GroupPayloadTextFieldEvent> {
    return streamMessage(buf, GroupPayload.codec(), opts)
  }
}

export interface IdentityCertificate {
  peerId: Uint8Array<ArrayBuffer>
  identityKey: Uint8Array<ArrayBuffer>
  issuedAt: number
  signature: Uint8Array<ArrayBuffer>
}

export namespace IdentityCertificate {
  let _codec: Codec<IdentityCertificate>

  export const codec = (): Codec<IdentityCertificate> => {
    if (_codec == null) {
      _codec = message<IdentityCertificate>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.peerId)
        }

        if ((obj.identityKey != null && obj.identityKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.identityKey)
        }

        if ((obj.issuedAt != null && obj.issuedAt !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.issuedAt)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: uint8ArrayAlloc(0),
          identityKey: uint8ArrayAlloc(0),
          issuedAt: 0,
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.bytes()
              break
            }
            case 2: {
              obj.identityKey = reader.bytes()
              break
            }
            case 3: {
              obj.issuedAt = reader.uint64Number()
              break
            }
            case 4: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.identityKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.issuedAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface IdentityCertificatePeerIdFieldEvent {
    field: '$.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface IdentityCertificateIdentityKeyFieldEvent {
    field: '$.identityKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface IdentityCertificateIssuedAtFieldEvent {
    field: '$.issuedAt'
    value: number
  }

  export interface IdentityCertificateSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<IdentityCertificate>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, IdentityCertificate.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IdentityCertificate>): IdentityCertificate {
    return decodeMessage(buf, IdentityCertificate.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<IdentityCertificate>): Generator<IdentityCertificatePeerIdFieldEvent | IdentityCertificateIdentityKeyFieldEvent | IdentityCertificateIssuedAtFieldEvent | IdentityCertificateSignatureFieldEvent> {
    return streamMessage(buf, IdentityCertificate.codec(), opts)
  }
}

export interface SignedPreKey {
  id: number
  publicKey: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
  createdAt: number
}

export namespace SignedPreKey {
  let _codec: Codec<SignedPreKey>

  export const codec = (): Codec<SignedPreKey> => {
    if (_codec == null) {
      _codec = message<SignedPreKey>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== 0)) {
          w.uint32(8)
          w.uint32(obj.id)
        }

        if ((obj.publicKey != null && obj.publicKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.publicKey)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.signature)
        }

        if ((obj.createdAt != null && obj.createdAt !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.createdAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: 0,
          publicKey: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0),
          createdAt: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.uint32()
              break
            }
            case 2: {
              obj.publicKey = reader.bytes()
              break
            }
            case 3: {
              obj.signature = reader.bytes()
              break
            }
            case 4: {
              obj.createdAt = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.publicKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.createdAt`,
                value: reader.uint64Number()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SignedPreKeyIdFieldEvent {
    field: '$.id'
    value: number
  }

  export interface SignedPreKeyPublicKeyFieldEvent {
    field: '$.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedPreKeySignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SignedPreKeyCreatedAtFieldEvent {
    field: '$.createdAt'
    value: number
  }

  export function encode (obj: Partial<SignedPreKey>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SignedPreKey.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedPreKey>): SignedPreKey {
    return decodeMessage(buf, SignedPreKey.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedPreKey>): Generator<SignedPreKeyIdFieldEvent | SignedPreKeyPublicKeyFieldEvent | SignedPreKeySignatureFieldEvent | SignedPreKeyCreatedAtFieldEvent> {
    return streamMessage(buf, SignedPreKey.codec(), opts)
  }
}

export interface OneTimePreKey {
  id: number
  publicKey: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace OneTimePreKey {
  let _codec: Codec<OneTimePreKey>

  export const codec = (): Codec<OneTimePreKey> => {
    if (_codec == null) {
      _codec = message<OneTimePreKey>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== 0)) {
          w.uint32(8)
          w.uint32(obj.id)
        }

        if ((obj.publicKey != null && obj.publicKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.publicKey)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: 0,
          publicKey: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.uint32()
              break
            }
            case 2: {
              obj.publicKey = reader.bytes()
              break
            }
            case 3: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.publicKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface OneTimePreKeyIdFieldEvent {
    field: '$.id'
    value: number
  }

  export interface OneTimePreKeyPublicKeyFieldEvent {
    field: '$.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OneTimePreKeySignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<OneTimePreKey>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OneTimePreKey.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OneTimePreKey>): OneTimePreKey {
    return decodeMessage(buf, OneTimePreKey.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OneTimePreKey>): Generator<OneTimePreKeyIdFieldEvent | OneTimePreKeyPublicKeyFieldEvent | OneTimePreKeySignatureFieldEvent> {
    return streamMessage(buf, OneTimePreKey.codec(), opts)
  }
}

export interface KyberPreKey {
  id: number
  publicKey: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
  binding: Uint8Array<ArrayBuffer>
}

export namespace KyberPreKey {
  let _codec: Codec<KyberPreKey>

  export const codec = (): Codec<KyberPreKey> => {
    if (_codec == null) {
      _codec = message<KyberPreKey>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== 0)) {
          w.uint32(8)
          w.uint32(obj.id)
        }

        if ((obj.publicKey != null && obj.publicKey.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.publicKey)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.signature)
        }

        if ((obj.binding != null && obj.binding.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.binding)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: 0,
          publicKey: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0),
          binding: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.uint32()
              break
            }
            case 2: {
              obj.publicKey = reader.bytes()
              break
            }
            case 3: {
              obj.signature = reader.bytes()
              break
            }
            case 4: {
              obj.binding = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.publicKey`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.binding`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface KyberPreKeyIdFieldEvent {
    field: '$.id'
    value: number
  }

  export interface KyberPreKeyPublicKeyFieldEvent {
    field: '$.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface KyberPreKeySignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface KyberPreKeyBindingFieldEvent {
    field: '$.binding'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<KyberPreKey>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, KyberPreKey.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KyberPreKey>): KyberPreKey {
    return decodeMessage(buf, KyberPreKey.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KyberPreKey>): Generator<KyberPreKeyIdFieldEvent | KyberPreKeyPublicKeyFieldEvent | KyberPreKeySignatureFieldEvent | KyberPreKeyBindingFieldEvent> {
    return streamMessage(buf, KyberPreKey.codec(), opts)
  }
}

export interface PreKeyBundle {
  version: number
  certificate?: IdentityCertificate
  registrationId: number
  deviceId: number
  signedPreKey?: SignedPreKey
  lastResortKyberPreKey?: KyberPreKey
  preKeys: OneTimePreKey[]
  kyberPreKeys: KyberPreKey[]
  publishedAt: number
  signature: Uint8Array<ArrayBuffer>
}

export namespace PreKeyBundle {
  let _codec: Codec<PreKeyBundle>

  export const codec = (): Codec<PreKeyBundle> => {
    if (_codec == null) {
      _codec = message<PreKeyBundle>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.certificate != null) {
          w.uint32(18)
          IdentityCertificate.codec().encode(obj.certificate, w)
        }

        if ((obj.registrationId != null && obj.registrationId !== 0)) {
          w.uint32(24)
          w.uint32(obj.registrationId)
        }

        if ((obj.deviceId != null && obj.deviceId !== 0)) {
          w.uint32(32)
          w.uint32(obj.deviceId)
        }

        if (obj.signedPreKey != null) {
          w.uint32(42)
          SignedPreKey.codec().encode(obj.signedPreKey, w)
        }

        if (obj.lastResortKyberPreKey != null) {
          w.uint32(50)
          KyberPreKey.codec().encode(obj.lastResortKyberPreKey, w)
        }

        if (obj.preKeys != null && obj.preKeys.length > 0) {
          for (const value of obj.preKeys) {
            w.uint32(58)
            OneTimePreKey.codec().encode(value, w)
          }
        }

        if (obj.kyberPreKeys != null && obj.kyberPreKeys.length > 0) {
          for (const value of obj.kyberPreKeys) {
            w.uint32(66)
            KyberPreKey.codec().encode(value, w)
          }
        }

        if ((obj.publishedAt != null && obj.publishedAt !== 0)) {
          w.uint32(72)
          w.uint64Number(obj.publishedAt)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          registrationId: 0,
          deviceId: 0,
          preKeys: [],
          kyberPreKeys: [],
          publishedAt: 0,
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.certificate = IdentityCertificate.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.certificate
              })
              break
            }
            case 3: {
              obj.registrationId = reader.uint32()
              break
            }
            case 4: {
              obj.deviceId = reader.uint32()
              break
            }
            case 5: {
              obj.signedPreKey = SignedPreKey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.signedPreKey
              })
              break
            }
            case 6: {
              obj.lastResortKyberPreKey = KyberPreKey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.lastResortKyberPreKey
              })
              break
            }
            case 7: {
              if (opts.limits?.preKeys != null && obj.preKeys.length === opts.limits.preKeys) {
                throw new MaxLengthError('Decode error - repeated field "preKeys" had too many elements')
              }

              if (obj.preKeys.length === 200) {
                throw new MaxLengthError('Decode error - repeated field "preKeys" had too many elements')
              }

              obj.preKeys.push(OneTimePreKey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.preKeys$
              }))
              break
            }
            case 8: {
              if (opts.limits?.kyberPreKeys != null && obj.kyberPreKeys.length === opts.limits.kyberPreKeys) {
                throw new MaxLengthError('Decode error - repeated field "kyberPreKeys" had too many elements')
              }

              if (obj.kyberPreKeys.length === 40) {
                throw new MaxLengthError('Decode error - repeated field "kyberPreKeys" had too many elements')
              }

              obj.kyberPreKeys.push(KyberPreKey.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.kyberPreKeys$
              }))
              break
            }
            case 9: {
              obj.publishedAt = reader.uint64Number()
              break
            }
            case 10: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          preKeys: 200,
          kyberPreKeys: 40
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield * IdentityCertificate.codec().stream(reader, reader.uint32(), `${prefix}.certificate`, {
                limits: opts.limits?.certificate
              })

              break
            }
            case 3: {
              yield {
                field: `${prefix}.registrationId`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.deviceId`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield * SignedPreKey.codec().stream(reader, reader.uint32(), `${prefix}.signedPreKey`, {
                limits: opts.limits?.signedPreKey
              })

              break
            }
            case 6: {
              yield * KyberPreKey.codec().stream(reader, reader.uint32(), `${prefix}.lastResortKyberPreKey`, {
                limits: opts.limits?.lastResortKyberPreKey
              })

              break
            }
            case 7: {
              if (opts.limits?.preKeys != null && obj.preKeys === opts.limits.preKeys) {
                throw new MaxLengthError('Streaming decode error - repeated field "preKeys" had too many elements')
              }

              if (obj.preKeys === 200) {
                throw new MaxLengthError('Streaming decode error - repeated field "preKeys" had too many elements')
              }

              for (const evt of OneTimePreKey.codec().stream(reader, reader.uint32(), `${prefix}.preKeys[]`, {
                limits: opts.limits?.preKeys$
              })) {
                yield {
                  ...evt,
                  index: obj.preKeys
                }
              }

              obj.preKeys++

              break
            }
            case 8: {
              if (opts.limits?.kyberPreKeys != null && obj.kyberPreKeys === opts.limits.kyberPreKeys) {
                throw new MaxLengthError('Streaming decode error - repeated field "kyberPreKeys" had too many elements')
              }

              if (obj.kyberPreKeys === 40) {
                throw new MaxLengthError('Streaming decode error - repeated field "kyberPreKeys" had too many elements')
              }

              for (const evt of KyberPreKey.codec().stream(reader, reader.uint32(), `${prefix}.kyberPreKeys[]`, {
                limits: opts.limits?.kyberPreKeys$
              })) {
                yield {
                  ...evt,
                  index: obj.kyberPreKeys
                }
              }

              obj.kyberPreKeys++

              break
            }
            case 9: {
              yield {
                field: `${prefix}.publishedAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PreKeyBundleVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface PreKeyBundleCertificatePeerIdFieldEvent {
    field: '$.certificate.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PreKeyBundleCertificateIdentityKeyFieldEvent {
    field: '$.certificate.identityKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PreKeyBundleCertificateIssuedAtFieldEvent {
    field: '$.certificate.issuedAt'
    value: number
  }

  export interface PreKeyBundleCertificateSignatureFieldEvent {
    field: '$.certificate.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PreKeyBundleRegistrationIdFieldEvent {
    field: '$.registrationId'
    value: number
  }

  export interface PreKeyBundleDeviceIdFieldEvent {
    field: '$.deviceId'
    value: number
  }

  export interface PreKeyBundleSignedPreKeyIdFieldEvent {
    field: '$.signedPreKey.id'
    value: number
  }

  export interface PreKeyBundleSignedPreKeyPublicKeyFieldEvent {
    field: '$.signedPreKey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PreKeyBundleSignedPreKeySignatureFieldEvent {
    field: '$.signedPreKey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PreKeyBundleSignedPreKeyCreatedAtFieldEvent {
    field: '$.signedPreKey.createdAt'
    value: number
  }

  export interface PreKeyBundleLastResortKyberPreKeyIdFieldEvent {
    field: '$.lastResortKyberPreKey.id'
    value: number
  }

  export interface PreKeyBundleLastResortKyberPreKeyPublicKeyFieldEvent {
    field: '$.lastResortKyberPreKey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PreKeyBundleLastResortKyberPreKeySignatureFieldEvent {
    field: '$.lastResortKyberPreKey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PreKeyBundleLastResortKyberPreKeyBindingFieldEvent {
    field: '$.lastResortKyberPreKey.binding'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PreKeyBundlePreKeysIdFieldEvent {
    field: '$.preKeys[].id'
    value: number
    index: number
  }

  export interface PreKeyBundlePreKeysPublicKeyFieldEvent {
    field: '$.preKeys[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PreKeyBundlePreKeysSignatureFieldEvent {
    field: '$.preKeys[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PreKeyBundleKyberPreKeysIdFieldEvent {
    field: '$.kyberPreKeys[].id'
    value: number
    index: number
  }

  export interface PreKeyBundleKyberPreKeysPublicKeyFieldEvent {
    field: '$.kyberPreKeys[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PreKeyBundleKyberPreKeysSignatureFieldEvent {
    field: '$.kyberPreKeys[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PreKeyBundleKyberPreKeysBindingFieldEvent {
    field: '$.kyberPreKeys[].binding'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PreKeyBundlePublishedAtFieldEvent {
    field: '$.publishedAt'
    value: number
  }

  export interface PreKeyBundleSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<PreKeyBundle>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PreKeyBundle.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PreKeyBundle>): PreKeyBundle {
    return decodeMessage(buf, PreKeyBundle.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PreKeyBundle>): Generator<PreKeyBundleVersionFieldEvent | PreKeyBundleCertificatePeerIdFieldEvent | PreKeyBundleCertificateIdentityKeyFieldEvent | PreKeyBundleCertificateIssuedAtFieldEvent | PreKeyBundleCertificateSignatureFieldEvent | PreKeyBundleRegistrationIdFieldEvent | PreKeyBundleDeviceIdFieldEvent | PreKeyBundleSignedPreKeyIdFieldEvent | PreKeyBundleSignedPreKeyPublicKeyFieldEvent | PreKeyBundleSignedPreKeySignatureFieldEvent | PreKeyBundleSignedPreKeyCreatedAtFieldEvent | PreKeyBundleLastResortKyberPreKeyIdFieldEvent | PreKeyBundleLastResortKyberPreKeyPublicKeyFieldEvent | PreKeyBundleLastResortKyberPreKeySignatureFieldEvent | PreKeyBundleLastResortKyberPreKeyBindingFieldEvent | PreKeyBundlePreKeysIdFieldEvent | PreKeyBundlePreKeysPublicKeyFieldEvent | PreKeyBundlePreKeysSignatureFieldEvent | PreKeyBundleKyberPreKeysIdFieldEvent | PreKeyBundleKyberPreKeysPublicKeyFieldEvent | PreKeyBundleKyberPreKeysSignatureFieldEvent | PreKeyBundleKyberPreKeysBindingFieldEvent | PreKeyBundlePublishedAtFieldEvent | PreKeyBundleSignatureFieldEvent> {
    return streamMessage(buf, PreKeyBundle.codec(), opts)
  }
}

export interface DirectRequest {
  version: number
  deliver?: Envelope
  takeBundle?: BundleRequest
}

export namespace DirectRequest {
  let _codec: Codec<DirectRequest>

  export const codec = (): Codec<DirectRequest> => {
    if (_codec == null) {
      _codec = message<DirectRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.takeBundle != null) {
          obj.deliver = undefined
        }

        if (obj.deliver != null) {
          obj.takeBundle = undefined
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.deliver != null) {
          w.uint32(18)
          Envelope.codec().encode(obj.deliver, w)
        }

        if (obj.takeBundle != null) {
          w.uint32(26)
          BundleRequest.codec().encode(obj.takeBundle, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.deliver = Envelope.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.deliver
              })
              break
            }
            case 3: {
              obj.takeBundle = BundleRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.takeBundle
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.takeBundle != null) {
          delete obj.deliver
        }

        if (obj.deliver != null) {
          delete obj.takeBundle
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield * Envelope.codec().stream(reader, reader.uint32(), `${prefix}.deliver`, {
                limits: opts.limits?.deliver
              })

              break
            }
            case 3: {
              yield * BundleRequest.codec().stream(reader, reader.uint32(), `${prefix}.takeBundle`, {
                limits: opts.limits?.takeBundle
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DirectRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface DirectRequestDeliverVersionFieldEvent {
    field: '$.deliver.version'
    value: number
  }

  export interface DirectRequestDeliverIdFieldEvent {
    field: '$.deliver.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectRequestDeliverRecipientFieldEvent {
    field: '$.deliver.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectRequestDeliverSealedFieldEvent {
    field: '$.deliver.sealed'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectRequestDeliverCreatedAtFieldEvent {
    field: '$.deliver.createdAt'
    value: number
  }

  export interface DirectRequestDeliverExpiresAtFieldEvent {
    field: '$.deliver.expiresAt'
    value: number
  }

  export function encode (obj: Partial<DirectRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DirectRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectRequest>): DirectRequest {
    return decodeMessage(buf, DirectRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectRequest>): Generator<DirectRequestVersionFieldEvent | DirectRequestDeliverVersionFieldEvent | DirectRequestDeliverIdFieldEvent | DirectRequestDeliverRecipientFieldEvent | DirectRequestDeliverSealedFieldEvent | DirectRequestDeliverCreatedAtFieldEvent | DirectRequestDeliverExpiresAtFieldEvent> {
    return streamMessage(buf, DirectRequest.codec(), opts)
  }
}

export interface BundleRequest {}

export namespace BundleRequest {
  let _codec: Codec<BundleRequest>

  export const codec = (): Codec<BundleRequest> => {
    if (_codec == null) {
      _codec = message<BundleRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export function encode (obj: Partial<BundleRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BundleRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BundleRequest>): BundleRequest {
    return decodeMessage(buf, BundleRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BundleRequest>): Generator<{}> {
    return streamMessage(buf, BundleRequest.codec(), opts)
  }
}

export enum DirectStatus {
  DIRECT_OK = 'DIRECT_OK',
  DIRECT_DUPLICATE = 'DIRECT_DUPLICATE',
  DIRECT_BAD_REQUEST = 'DIRECT_BAD_REQUEST',
  DIRECT_TOO_LARGE = 'DIRECT_TOO_LARGE',
  DIRECT_WRONG_RECIPIENT = 'DIRECT_WRONG_RECIPIENT',
  DIRECT_UNDECRYPTABLE = 'DIRECT_UNDECRYPTABLE',
  DIRECT_UNTRUSTED_SENDER = 'DIRECT_UNTRUSTED_SENDER',
  DIRECT_RATE_LIMITED = 'DIRECT_RATE_LIMITED',
  DIRECT_INTERNAL = 'DIRECT_INTERNAL'
}

enum __DirectStatusValues {
  DIRECT_OK = 0,
  DIRECT_DUPLICATE = 1,
  DIRECT_BAD_REQUEST = 2,
  DIRECT_TOO_LARGE = 3,
  DIRECT_WRONG_RECIPIENT = 4,
  DIRECT_UNDECRYPTABLE = 5,
  DIRECT_UNTRUSTED_SENDER = 6,
  DIRECT_RATE_LIMITED = 7,
  DIRECT_INTERNAL = 8
}

export namespace DirectStatus {
  export const codec = (): Codec<DirectStatus> => {
    return enumeration<DirectStatus>(__DirectStatusValues)
  }
}

export interface DirectResponse {
  status: DirectStatus
  detail: string
  id: Uint8Array<ArrayBuffer>
  bundle?: PreKeyBundle
}

export namespace DirectResponse {
  let _codec: Codec<DirectResponse>

  export const codec = (): Codec<DirectResponse> => {
    if (_codec == null) {
      _codec = message<DirectResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __DirectStatusValues[obj.status] !== 0) {
          w.uint32(8)
          DirectStatus.codec().encode(obj.status, w)
        }

        if ((obj.detail != null && obj.detail !== '')) {
          w.uint32(18)
          w.string(obj.detail)
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.id)
        }

        if (obj.bundle != null) {
          w.uint32(34)
          PreKeyBundle.codec().encode(obj.bundle, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: DirectStatus.DIRECT_OK,
          detail: '',
          id: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = DirectStatus.codec().decode(reader)
              break
            }
            case 2: {
              obj.detail = reader.string()
              break
            }
            case 3: {
              obj.id = reader.bytes()
              break
            }
            case 4: {
              obj.bundle = PreKeyBundle.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.bundle
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: DirectStatus.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.detail`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield * PreKeyBundle.codec().stream(reader, reader.uint32(), `${prefix}.bundle`, {
                limits: opts.limits?.bundle
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DirectResponseStatusFieldEvent {
    field: '$.status'
    value: DirectStatus
  }

  export interface DirectResponseDetailFieldEvent {
    field: '$.detail'
    value: string
  }

  export interface DirectResponseIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectResponseBundleVersionFieldEvent {
    field: '$.bundle.version'
    value: number
  }

  export interface DirectResponseBundleCertificatePeerIdFieldEvent {
    field: '$.bundle.certificate.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectResponseBundleCertificateIdentityKeyFieldEvent {
    field: '$.bundle.certificate.identityKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectResponseBundleCertificateIssuedAtFieldEvent {
    field: '$.bundle.certificate.issuedAt'
    value: number
  }

  export interface DirectResponseBundleCertificateSignatureFieldEvent {
    field: '$.bundle.certificate.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectResponseBundleRegistrationIdFieldEvent {
    field: '$.bundle.registrationId'
    value: number
  }

  export interface DirectResponseBundleDeviceIdFieldEvent {
    field: '$.bundle.deviceId'
    value: number
  }

  export interface DirectResponseBundleSignedPreKeyIdFieldEvent {
    field: '$.bundle.signedPreKey.id'
    value: number
  }

  export interface DirectResponseBundleSignedPreKeyPublicKeyFieldEvent {
    field: '$.bundle.signedPreKey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectResponseBundleSignedPreKeySignatureFieldEvent {
    field: '$.bundle.signedPreKey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectResponseBundleSignedPreKeyCreatedAtFieldEvent {
    field: '$.bundle.signedPreKey.createdAt'
    value: number
  }

  export interface DirectResponseBundleLastResortKyberPreKeyIdFieldEvent {
    field: '$.bundle.lastResortKyberPreKey.id'
    value: number
  }

  export interface DirectResponseBundleLastResortKyberPreKeyPublicKeyFieldEvent {
    field: '$.bundle.lastResortKyberPreKey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectResponseBundleLastResortKyberPreKeySignatureFieldEvent {
    field: '$.bundle.lastResortKyberPreKey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectResponseBundleLastResortKyberPreKeyBindingFieldEvent {
    field: '$.bundle.lastResortKyberPreKey.binding'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DirectResponseBundlePreKeysIdFieldEvent {
    field: '$.bundle.preKeys[].id'
    value: number
    index: number
  }

  export interface DirectResponseBundlePreKeysPublicKeyFieldEvent {
    field: '$.bundle.preKeys[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface DirectResponseBundlePreKeysSignatureFieldEvent {
    field: '$.bundle.preKeys[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface DirectResponseBundleKyberPreKeysIdFieldEvent {
    field: '$.bundle.kyberPreKeys[].id'
    value: number
    index: number
  }

  export interface DirectResponseBundleKyberPreKeysPublicKeyFieldEvent {
    field: '$.bundle.kyberPreKeys[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface DirectResponseBundleKyberPreKeysSignatureFieldEvent {
    field: '$.bundle.kyberPreKeys[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface DirectResponseBundleKyberPreKeysBindingFieldEvent {
    field: '$.bundle.kyberPreKeys[].binding'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface DirectResponseBundlePublishedAtFieldEvent {
    field: '$.bundle.publishedAt'
    value: number
  }

  export interface DirectResponseBundleSignatureFieldEvent {
    field: '$.bundle.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<DirectResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DirectResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectResponse>): DirectResponse {
    return decodeMessage(buf, DirectResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectResponse>): Generator<DirectResponseStatusFieldEvent | DirectResponseDetailFieldEvent | DirectResponseIdFieldEvent | DirectResponseBundleVersionFieldEvent | DirectResponseBundleCertificatePeerIdFieldEvent | DirectResponseBundleCertificateIdentityKeyFieldEvent | DirectResponseBundleCertificateIssuedAtFieldEvent | DirectResponseBundleCertificateSignatureFieldEvent | DirectResponseBundleRegistrationIdFieldEvent | DirectResponseBundleDeviceIdFieldEvent | DirectResponseBundleSignedPreKeyIdFieldEvent | DirectResponseBundleSignedPreKeyPublicKeyFieldEvent | DirectResponseBundleSignedPreKeySignatureFieldEvent | DirectResponseBundleSignedPreKeyCreatedAtFieldEvent | DirectResponseBundleLastResortKyberPreKeyIdFieldEvent | DirectResponseBundleLastResortKyberPreKeyPublicKeyFieldEvent | DirectResponseBundleLastResortKyberPreKeySignatureFieldEvent | DirectResponseBundleLastResortKyberPreKeyBindingFieldEvent | DirectResponseBundlePreKeysIdFieldEvent | DirectResponseBundlePreKeysPublicKeyFieldEvent | DirectResponseBundlePreKeysSignatureFieldEvent | DirectResponseBundleKyberPreKeysIdFieldEvent | DirectResponseBundleKyberPreKeysPublicKeyFieldEvent | DirectResponseBundleKyberPreKeysSignatureFieldEvent | DirectResponseBundleKyberPreKeysBindingFieldEvent | DirectResponseBundlePublishedAtFieldEvent | DirectResponseBundleSignatureFieldEvent> {
    return streamMessage(buf, DirectResponse.codec(), opts)
  }
}

export interface MailboxRequest {
  version: number
  deposit?: Deposit
  fetch?: Fetch
  ack?: Ack
  putBundle?: PutBundle
  takeBundle?: TakeBundle
  status?: StatusRequest
  offer?: Offer
  handover?: Handover
  reconcile?: Reconcile
  putChunk?: PutChunk
  getChunk?: GetChunk
  depositBatch?: DepositBatch
  reconcileChunks?: ReconcileChunks
  releaseChunks?: ReleaseChunks
  offerChunks?: OfferChunks
}

export namespace MailboxRequest {
  let _codec: Codec<MailboxRequest>

  export const codec = (): Codec<MailboxRequest> => {
    if (_codec == null) {
      _codec = message<MailboxRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.offerChunks != null) {
          obj.releaseChunks = undefined
          obj.reconcileChunks = undefined
          obj.depositBatch = undefined
          obj.getChunk = undefined
          obj.putChunk = undefined
          obj.reconcile = undefined
          obj.handover = undefined
          obj.offer = undefined
          obj.status = undefined
          obj.takeBundle = undefined
          obj.putBundle = undefined
          obj.ack = undefined
          obj.fetch = undefined
          obj.deposit = undefined
        }

        if (obj.releaseChunks != null) {
          obj.offerChunks = undefined
          obj.reconcileChunks = undefined
          obj.depositBatch = undefined
          obj.getChunk = undefined
          obj.putChunk = undefined
          obj.reconcile = undefined
          obj.handover = undefined
          obj.offer = undefined
          obj.status = undefined
          obj.takeBundle = undefined
          obj.putBundle = undefined
          obj.ack = undefined
          obj.fetch = undefined
          obj.deposit = undefined
        }

        if (obj.reconcileChunks != null) {
          obj.offerChunks = undefined
          obj.releaseChunks = undefined
          obj.depositBatch = undefined
          obj.getChunk = undefined
          obj.putChunk = undefined
          obj.reconcile = undefined
          obj.handover = undefined
          obj.offer = undefined
          obj.status = undefined
          obj.takeBundle = undefined
          obj.putBundle = undefined
          obj.ack = undefined
          obj.fetch = undefined
          obj.deposit = undefined
        }

        if (obj.depositBatch != null) {
          obj.offerChunks = undefined
          obj.releaseChunks = undefined
          obj.reconcileChunks = undefined
          obj.getChunk = undefined
          obj.putChunk = undefined
          obj.reconcile = undefined
          obj.handover = undefined
          obj.offer = undefined
          obj.status = undefined
          obj.takeBundle = undefined
          obj.putBundle = undefined
          obj.ack = undefined
          obj.fetch = undefined
          obj.deposit = undefined
        }

        if (obj.getChunk != null) {
          obj.offerChunks = undefined
          obj.releaseChunks = undefined
          obj.reconcileChunks = undefined
          obj.depositBatch = undefined
          obj.putChunk = undefined
          obj.reconcile = undefined
          obj.handover = undefined
          obj.offer = undefined
          obj.status = undefined
          obj.takeBundle = undefined
          obj.putBundle = undefined
          obj.ack = undefined
          obj.fetch = undefined
          obj.deposit = undefined
        }

        if (obj.putChunk != null) {
          obj.offerChunks = undefined
          obj.releaseChunks = undefined
          obj.reconcileChunks = undefined
          obj.depositBatch = undefined
          obj.getChunk = undefined
          obj.reconcile = undefined
          obj.handover = undefined
          obj.offer = undefined
          obj.status = undefined
          obj.takeBundle = undefined
          obj.putBundle = undefined
          obj.ack = undefined
          obj.fetch = undefined
          obj.deposit = undefined
        }

        if (obj.reconcile != null) {
          obj.offerChunks = undefined
          obj.releaseChunks = undefined
          obj.reconcileChunks = undefined
          obj.depositBatch = undefined
          obj.getChunk = undefined
          obj.putChunk = undefined
          obj.handover = undefined
          obj.offer = undefined
          obj.status = undefined
          obj.takeBundle = undefined
          obj.putBundle = undefined
          obj.ack = undefined
          obj.fetch = undefined
          obj.deposit = undefined
        }

        if (obj.handover != null) {
          obj.offerChunks = undefined
          obj.releaseChunks = undefined
          obj.reconcileChunks = undefined
          obj.depositBatch = undefined
          obj.getChunk = undefined
          obj.putChunk = undefined
          obj.reconcile = undefined
          obj.offer = undefined
          obj.status = undefined
          obj.takeBundle = undefined
          obj.putBundle = undefined
          obj.ack = undefined
          obj.fetch = undefined
          obj.deposit = undefined
        }

        if (obj.offer != null) {
          obj.offerChunks = undefined
          obj.releaseChunks = undefined
          obj.reconcileChunks = undefined
          obj.depositBatch = undefined
          obj.getChunk = undefined
          obj.putChunk = undefined
          obj.reconcile = undefined
          obj.handover = undefined
          obj.status = undefined
          obj.takeBundle = undefined
          obj.putBundle = undefined
          obj.ack = undefined
          obj.fetch = undefined
          obj.deposit = undefined
        }

        if (obj.status != null) {
          obj.offerChunks = undefined
          obj.releaseChunks = undefined
          obj.reconcileChunks = undefined
          obj.depositBatch = undefined
          obj.getChunk = undefined
          obj.putChunk = undefined
          obj.reconcile = undefined
          obj.handover = undefined
          obj.offer = undefined
          obj.takeBundle = undefined
          obj.putBundle = undefined
          obj.ack = undefined
          obj.fetch = undefined
          obj.deposit = undefined
        }

        if (obj.takeBundle != null) {
          obj.offerChunks = undefined
          obj.releaseChunks = undefined
          obj.reconcileChunks = undefined
          obj.depositBatch = undefined
          obj.getChunk = undefined
          obj.putChunk = undefined
          obj.reconcile = undefined
          obj.handover = undefined
          obj.offer = undefined
          obj.status = undefined
          obj.putBundle = undefined
          obj.ack = undefined
          obj.fetch = undefined
          obj.deposit = undefined
        }

        if (obj.putBundle != null) {
          obj.offerChunks = undefined
          obj.releaseChunks = undefined
          obj.reconcileChunks = undefined
          obj.depositBatch = undefined
          obj.getChunk = undefined
          obj.putChunk = undefined
          obj.reconcile = undefined
          obj.handover = undefined
          obj.offer = undefined
          obj.status = undefined
          obj.takeBundle = undefined
          obj.ack = undefined
          obj.fetch = undefined
          obj.deposit = undefined
        }

        if (obj.ack != null) {
          obj.offerChunks = undefined
          obj.releaseChunks = undefined
          obj.reconcileChunks = undefined
          obj.depositBatch = undefined
          obj.getChunk = undefined
          obj.putChunk = undefined
          obj.reconcile = undefined
          obj.handover = undefined
          obj.offer = undefined
          obj.status = undefined
          obj.takeBundle = undefined
          obj.putBundle = undefined
          obj.fetch = undefined
          obj.deposit = undefined
        }

        if (obj.fetch != null) {
          obj.offerChunks = undefined
          obj.releaseChunks = undefined
          obj.reconcileChunks = undefined
          obj.depositBatch = undefined
          obj.getChunk = undefined
          obj.putChunk = undefined
          obj.reconcile = undefined
          obj.handover = undefined
          obj.offer = undefined
          obj.status = undefined
          obj.takeBundle = undefined
          obj.putBundle = undefined
          obj.ack = undefined
          obj.deposit = undefined
        }

        if (obj.deposit != null) {
          obj.offerChunks = undefined
          obj.releaseChunks = undefined
          obj.reconcileChunks = undefined
          obj.depositBatch = undefined
          obj.getChunk = undefined
          obj.putChunk = undefined
          obj.reconcile = undefined
          obj.handover = undefined
          obj.offer = undefined
          obj.status = undefined
          obj.takeBundle = undefined
          obj.putBundle = undefined
          obj.ack = undefined
          obj.fetch = undefined
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.deposit != null) {
          w.uint32(18)
          Deposit.codec().encode(obj.deposit, w)
        }

        if (obj.fetch != null) {
          w.uint32(26)
          Fetch.codec().encode(obj.fetch, w)
        }

        if (obj.ack != null) {
          w.uint32(34)
          Ack.codec().encode(obj.ack, w)
        }

        if (obj.putBundle != null) {
          w.uint32(42)
          PutBundle.codec().encode(obj.putBundle, w)
        }

        if (obj.takeBundle != null) {
          w.uint32(50)
          TakeBundle.codec().encode(obj.takeBundle, w)
        }

        if (obj.status != null) {
          w.uint32(58)
          StatusRequest.codec().encode(obj.status, w)
        }

        if (obj.offer != null) {
          w.uint32(66)
          Offer.codec().encode(obj.offer, w)
        }

        if (obj.handover != null) {
          w.uint32(74)
          Handover.codec().encode(obj.handover, w)
        }

        if (obj.reconcile != null) {
          w.uint32(82)
          Reconcile.codec().encode(obj.reconcile, w)
        }

        if (obj.putChunk != null) {
          w.uint32(90)
          PutChunk.codec().encode(obj.putChunk, w)
        }

        if (obj.getChunk != null) {
          w.uint32(98)
          GetChunk.codec().encode(obj.getChunk, w)
        }

        if (obj.depositBatch != null) {
          w.uint32(106)
          DepositBatch.codec().encode(obj.depositBatch, w)
        }

        if (obj.reconcileChunks != null) {
          w.uint32(114)
          ReconcileChunks.codec().encode(obj.reconcileChunks, w)
        }

        if (obj.releaseChunks != null) {
          w.uint32(122)
          ReleaseChunks.codec().encode(obj.releaseChunks, w)
        }

        if (obj.offerChunks != null) {
          w.uint32(130)
          OfferChunks.codec().encode(obj.offerChunks, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.deposit = Deposit.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.deposit
              })
              break
            }
            case 3: {
              obj.fetch = Fetch.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.fetch
              })
              break
            }
            case 4: {
              obj.ack = Ack.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ack
              })
              break
            }
            case 5: {
              obj.putBundle = PutBundle.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.putBundle
              })
              break
            }
            case 6: {
              obj.takeBundle = TakeBundle.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.takeBundle
              })
              break
            }
            case 7: {
              obj.status = StatusRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.status
              })
              break
            }
            case 8: {
              obj.offer = Offer.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.offer
              })
              break
            }
            case 9: {
              obj.handover = Handover.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.handover
              })
              break
            }
            case 10: {
              obj.reconcile = Reconcile.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.reconcile
              })
              break
            }
            case 11: {
              obj.putChunk = PutChunk.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.putChunk
              })
              break
            }
            case 12: {
              obj.getChunk = GetChunk.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.getChunk
              })
              break
            }
            case 13: {
              obj.depositBatch = DepositBatch.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.depositBatch
              })
              break
            }
            case 14: {
              obj.reconcileChunks = ReconcileChunks.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.reconcileChunks
              })
              break
            }
            case 15: {
              obj.releaseChunks = ReleaseChunks.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.releaseChunks
              })
              break
            }
            case 16: {
              obj.offerChunks = OfferChunks.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.offerChunks
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.offerChunks != null) {
          delete obj.releaseChunks
          delete obj.reconcileChunks
          delete obj.depositBatch
          delete obj.getChunk
          delete obj.putChunk
          delete obj.reconcile
          delete obj.handover
          delete obj.offer
          delete obj.status
          delete obj.takeBundle
          delete obj.putBundle
          delete obj.ack
          delete obj.fetch
          delete obj.deposit
        }

        if (obj.releaseChunks != null) {
          delete obj.offerChunks
          delete obj.reconcileChunks
          delete obj.depositBatch
          delete obj.getChunk
          delete obj.putChunk
          delete obj.reconcile
          delete obj.handover
          delete obj.offer
          delete obj.status
          delete obj.takeBundle
          delete obj.putBundle
          delete obj.ack
          delete obj.fetch
          delete obj.deposit
        }

        if (obj.reconcileChunks != null) {
          delete obj.offerChunks
          delete obj.releaseChunks
          delete obj.depositBatch
          delete obj.getChunk
          delete obj.putChunk
          delete obj.reconcile
          delete obj.handover
          delete obj.offer
          delete obj.status
          delete obj.takeBundle
          delete obj.putBundle
          delete obj.ack
          delete obj.fetch
          delete obj.deposit
        }

        if (obj.depositBatch != null) {
          delete obj.offerChunks
          delete obj.releaseChunks
          delete obj.reconcileChunks
          delete obj.getChunk
          delete obj.putChunk
          delete obj.reconcile
          delete obj.handover
          delete obj.offer
          delete obj.status
          delete obj.takeBundle
          delete obj.putBundle
          delete obj.ack
          delete obj.fetch
          delete obj.deposit
        }

        if (obj.getChunk != null) {
          delete obj.offerChunks
          delete obj.releaseChunks
          delete obj.reconcileChunks
          delete obj.depositBatch
          delete obj.putChunk
          delete obj.reconcile
          delete obj.handover
          delete obj.offer
          delete obj.status
          delete obj.takeBundle
          delete obj.putBundle
          delete obj.ack
          delete obj.fetch
          delete obj.deposit
        }

        if (obj.putChunk != null) {
          delete obj.offerChunks
          delete obj.releaseChunks
          delete obj.reconcileChunks
          delete obj.depositBatch
          delete obj.getChunk
          delete obj.reconcile
          delete obj.handover
          delete obj.offer
          delete obj.status
          delete obj.takeBundle
          delete obj.putBundle
          delete obj.ack
          delete obj.fetch
          delete obj.deposit
        }

        if (obj.reconcile != null) {
          delete obj.offerChunks
          delete obj.releaseChunks
          delete obj.reconcileChunks
          delete obj.depositBatch
          delete obj.getChunk
          delete obj.putChunk
          delete obj.handover
          delete obj.offer
          delete obj.status
          delete obj.takeBundle
          delete obj.putBundle
          delete obj.ack
          delete obj.fetch
          delete obj.deposit
        }

        if (obj.handover != null) {
          delete obj.offerChunks
          delete obj.releaseChunks
          delete obj.reconcileChunks
          delete obj.depositBatch
          delete obj.getChunk
          delete obj.putChunk
          delete obj.reconcile
          delete obj.offer
          delete obj.status
          delete obj.takeBundle
          delete obj.putBundle
          delete obj.ack
          delete obj.fetch
          delete obj.deposit
        }

        if (obj.offer != null) {
          delete obj.offerChunks
          delete obj.releaseChunks
          delete obj.reconcileChunks
          delete obj.depositBatch
          delete obj.getChunk
          delete obj.putChunk
          delete obj.reconcile
          delete obj.handover
          delete obj.status
          delete obj.takeBundle
          delete obj.putBundle
          delete obj.ack
          delete obj.fetch
          delete obj.deposit
        }

        if (obj.status != null) {
          delete obj.offerChunks
          delete obj.releaseChunks
          delete obj.reconcileChunks
          delete obj.depositBatch
          delete obj.getChunk
          delete obj.putChunk
          delete obj.reconcile
          delete obj.handover
          delete obj.offer
          delete obj.takeBundle
          delete obj.putBundle
          delete obj.ack
          delete obj.fetch
          delete obj.deposit
        }

        if (obj.takeBundle != null) {
          delete obj.offerChunks
          delete obj.releaseChunks
          delete obj.reconcileChunks
          delete obj.depositBatch
          delete obj.getChunk
          delete obj.putChunk
          delete obj.reconcile
          delete obj.handover
          delete obj.offer
          delete obj.status
          delete obj.putBundle
          delete obj.ack
          delete obj.fetch
          delete obj.deposit
        }

        if (obj.putBundle != null) {
          delete obj.offerChunks
          delete obj.releaseChunks
          delete obj.reconcileChunks
          delete obj.depositBatch
          delete obj.getChunk
          delete obj.putChunk
          delete obj.reconcile
          delete obj.handover
          delete obj.offer
          delete obj.status
          delete obj.takeBundle
          delete obj.ack
          delete obj.fetch
          delete obj.deposit
        }

        if (obj.ack != null) {
          delete obj.offerChunks
          delete obj.releaseChunks
          delete obj.reconcileChunks
          delete obj.depositBatch
          delete obj.getChunk
          delete obj.putChunk
          delete obj.reconcile
          delete obj.handover
          delete obj.offer
          delete obj.status
          delete obj.takeBundle
          delete obj.putBundle
          delete obj.fetch
          delete obj.deposit
        }

        if (obj.fetch != null) {
          delete obj.offerChunks
          delete obj.releaseChunks
          delete obj.reconcileChunks
          delete obj.depositBatch
          delete obj.getChunk
          delete obj.putChunk
          delete obj.reconcile
          delete obj.handover
          delete obj.offer
          delete obj.status
          delete obj.takeBundle
          delete obj.putBundle
          delete obj.ack
          delete obj.deposit
        }

        if (obj.deposit != null) {
          delete obj.offerChunks
          delete obj.releaseChunks
          delete obj.reconcileChunks
          delete obj.depositBatch
          delete obj.getChunk
          delete obj.putChunk
          delete obj.reconcile
          delete obj.handover
          delete obj.offer
          delete obj.status
          delete obj.takeBundle
          delete obj.putBundle
          delete obj.ack
          delete obj.fetch
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield * Deposit.codec().stream(reader, reader.uint32(), `${prefix}.deposit`, {
                limits: opts.limits?.deposit
              })

              break
            }
            case 3: {
              yield * Fetch.codec().stream(reader, reader.uint32(), `${prefix}.fetch`, {
                limits: opts.limits?.fetch
              })

              break
            }
            case 4: {
              yield * Ack.codec().stream(reader, reader.uint32(), `${prefix}.ack`, {
                limits: opts.limits?.ack
              })

              break
            }
            case 5: {
              yield * PutBundle.codec().stream(reader, reader.uint32(), `${prefix}.putBundle`, {
                limits: opts.limits?.putBundle
              })

              break
            }
            case 6: {
              yield * TakeBundle.codec().stream(reader, reader.uint32(), `${prefix}.takeBundle`, {
                limits: opts.limits?.takeBundle
              })

              break
            }
            case 7: {
              yield * StatusRequest.codec().stream(reader, reader.uint32(), `${prefix}.status`, {
                limits: opts.limits?.status
              })

              break
            }
            case 8: {
              yield * Offer.codec().stream(reader, reader.uint32(), `${prefix}.offer`, {
                limits: opts.limits?.offer
              })

              break
            }
            case 9: {
              yield * Handover.codec().stream(reader, reader.uint32(), `${prefix}.handover`, {
                limits: opts.limits?.handover
              })

              break
            }
            case 10: {
              yield * Reconcile.codec().stream(reader, reader.uint32(), `${prefix}.reconcile`, {
                limits: opts.limits?.reconcile
              })

              break
            }
            case 11: {
              yield * PutChunk.codec().stream(reader, reader.uint32(), `${prefix}.putChunk`, {
                limits: opts.limits?.putChunk
              })

              break
            }
            case 12: {
              yield * GetChunk.codec().stream(reader, reader.uint32(), `${prefix}.getChunk`, {
                limits: opts.limits?.getChunk
              })

              break
            }
            case 13: {
              yield * DepositBatch.codec().stream(reader, reader.uint32(), `${prefix}.depositBatch`, {
                limits: opts.limits?.depositBatch
              })

              break
            }
            case 14: {
              yield * ReconcileChunks.codec().stream(reader, reader.uint32(), `${prefix}.reconcileChunks`, {
                limits: opts.limits?.reconcileChunks
              })

              break
            }
            case 15: {
              yield * ReleaseChunks.codec().stream(reader, reader.uint32(), `${prefix}.releaseChunks`, {
                limits: opts.limits?.releaseChunks
              })

              break
            }
            case 16: {
              yield * OfferChunks.codec().stream(reader, reader.uint32(), `${prefix}.offerChunks`, {
                limits: opts.limits?.offerChunks
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MailboxRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface MailboxRequestDepositEnvelopeVersionFieldEvent {
    field: '$.deposit.envelope.version'
    value: number
  }

  export interface MailboxRequestDepositEnvelopeIdFieldEvent {
    field: '$.deposit.envelope.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestDepositEnvelopeRecipientFieldEvent {
    field: '$.deposit.envelope.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestDepositEnvelopeSealedFieldEvent {
    field: '$.deposit.envelope.sealed'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestDepositEnvelopeCreatedAtFieldEvent {
    field: '$.deposit.envelope.createdAt'
    value: number
  }

  export interface MailboxRequestDepositEnvelopeExpiresAtFieldEvent {
    field: '$.deposit.envelope.expiresAt'
    value: number
  }

  export interface MailboxRequestFetchAfterFieldEvent {
    field: '$.fetch.after'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestFetchLimitFieldEvent {
    field: '$.fetch.limit'
    value: number
  }

  export interface MailboxRequestFetchIdsOnlyFieldEvent {
    field: '$.fetch.idsOnly'
    value: boolean
  }

  export interface MailboxRequestFetchIdsFieldEvent {
    field: '$.fetch.ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestFetchMaxBytesFieldEvent {
    field: '$.fetch.maxBytes'
    value: number
  }

  export interface MailboxRequestAckAckedIdFieldEvent {
    field: '$.ack.acked[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestAckAckedExpiresAtFieldEvent {
    field: '$.ack.acked[].expiresAt'
    value: number
    index: number
  }

  export interface MailboxRequestAckAckedSignatureFieldEvent {
    field: '$.ack.acked[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestAckDiscardFieldEvent {
    field: '$.ack.discard[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestPutBundleBundleVersionFieldEvent {
    field: '$.putBundle.bundle.version'
    value: number
  }

  export interface MailboxRequestPutBundleBundleCertificatePeerIdFieldEvent {
    field: '$.putBundle.bundle.certificate.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestPutBundleBundleCertificateIdentityKeyFieldEvent {
    field: '$.putBundle.bundle.certificate.identityKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestPutBundleBundleCertificateIssuedAtFieldEvent {
    field: '$.putBundle.bundle.certificate.issuedAt'
    value: number
  }

  export interface MailboxRequestPutBundleBundleCertificateSignatureFieldEvent {
    field: '$.putBundle.bundle.certificate.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestPutBundleBundleRegistrationIdFieldEvent {
    field: '$.putBundle.bundle.registrationId'
    value: number
  }

  export interface MailboxRequestPutBundleBundleDeviceIdFieldEvent {
    field: '$.putBundle.bundle.deviceId'
    value: number
  }

  export interface MailboxRequestPutBundleBundleSignedPreKeyIdFieldEvent {
    field: '$.putBundle.bundle.signedPreKey.id'
    value: number
  }

  export interface MailboxRequestPutBundleBundleSignedPreKeyPublicKeyFieldEvent {
    field: '$.putBundle.bundle.signedPreKey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestPutBundleBundleSignedPreKeySignatureFieldEvent {
    field: '$.putBundle.bundle.signedPreKey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestPutBundleBundleSignedPreKeyCreatedAtFieldEvent {
    field: '$.putBundle.bundle.signedPreKey.createdAt'
    value: number
  }

  export interface MailboxRequestPutBundleBundleLastResortKyberPreKeyIdFieldEvent {
    field: '$.putBundle.bundle.lastResortKyberPreKey.id'
    value: number
  }

  export interface MailboxRequestPutBundleBundleLastResortKyberPreKeyPublicKeyFieldEvent {
    field: '$.putBundle.bundle.lastResortKyberPreKey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestPutBundleBundleLastResortKyberPreKeySignatureFieldEvent {
    field: '$.putBundle.bundle.lastResortKyberPreKey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestPutBundleBundleLastResortKyberPreKeyBindingFieldEvent {
    field: '$.putBundle.bundle.lastResortKyberPreKey.binding'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestPutBundleBundlePreKeysIdFieldEvent {
    field: '$.putBundle.bundle.preKeys[].id'
    value: number
    index: number
  }

  export interface MailboxRequestPutBundleBundlePreKeysPublicKeyFieldEvent {
    field: '$.putBundle.bundle.preKeys[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestPutBundleBundlePreKeysSignatureFieldEvent {
    field: '$.putBundle.bundle.preKeys[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestPutBundleBundleKyberPreKeysIdFieldEvent {
    field: '$.putBundle.bundle.kyberPreKeys[].id'
    value: number
    index: number
  }

  export interface MailboxRequestPutBundleBundleKyberPreKeysPublicKeyFieldEvent {
    field: '$.putBundle.bundle.kyberPreKeys[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestPutBundleBundleKyberPreKeysSignatureFieldEvent {
    field: '$.putBundle.bundle.kyberPreKeys[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestPutBundleBundleKyberPreKeysBindingFieldEvent {
    field: '$.putBundle.bundle.kyberPreKeys[].binding'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestPutBundleBundlePublishedAtFieldEvent {
    field: '$.putBundle.bundle.publishedAt'
    value: number
  }

  export interface MailboxRequestPutBundleBundleSignatureFieldEvent {
    field: '$.putBundle.bundle.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestTakeBundleRecipientFieldEvent {
    field: '$.takeBundle.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestOfferRecipientFieldEvent {
    field: '$.offer.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestOfferIdsFieldEvent {
    field: '$.offer.ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestOfferTombstonesIdFieldEvent {
    field: '$.offer.tombstones[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestOfferTombstonesExpiresAtFieldEvent {
    field: '$.offer.tombstones[].expiresAt'
    value: number
    index: number
  }

  export interface MailboxRequestOfferTombstonesSignatureFieldEvent {
    field: '$.offer.tombstones[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestOfferBundleVersionFieldEvent {
    field: '$.offer.bundle.version'
    value: number
  }

  export interface MailboxRequestOfferBundleCertificatePeerIdFieldEvent {
    field: '$.offer.bundle.certificate.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestOfferBundleCertificateIdentityKeyFieldEvent {
    field: '$.offer.bundle.certificate.identityKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestOfferBundleCertificateIssuedAtFieldEvent {
    field: '$.offer.bundle.certificate.issuedAt'
    value: number
  }

  export interface MailboxRequestOfferBundleCertificateSignatureFieldEvent {
    field: '$.offer.bundle.certificate.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestOfferBundleRegistrationIdFieldEvent {
    field: '$.offer.bundle.registrationId'
    value: number
  }

  export interface MailboxRequestOfferBundleDeviceIdFieldEvent {
    field: '$.offer.bundle.deviceId'
    value: number
  }

  export interface MailboxRequestOfferBundleSignedPreKeyIdFieldEvent {
    field: '$.offer.bundle.signedPreKey.id'
    value: number
  }

  export interface MailboxRequestOfferBundleSignedPreKeyPublicKeyFieldEvent {
    field: '$.offer.bundle.signedPreKey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestOfferBundleSignedPreKeySignatureFieldEvent {
    field: '$.offer.bundle.signedPreKey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestOfferBundleSignedPreKeyCreatedAtFieldEvent {
    field: '$.offer.bundle.signedPreKey.createdAt'
    value: number
  }

  export interface MailboxRequestOfferBundleLastResortKyberPreKeyIdFieldEvent {
    field: '$.offer.bundle.lastResortKyberPreKey.id'
    value: number
  }

  export interface MailboxRequestOfferBundleLastResortKyberPreKeyPublicKeyFieldEvent {
    field: '$.offer.bundle.lastResortKyberPreKey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestOfferBundleLastResortKyberPreKeySignatureFieldEvent {
    field: '$.offer.bundle.lastResortKyberPreKey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestOfferBundleLastResortKyberPreKeyBindingFieldEvent {
    field: '$.offer.bundle.lastResortKyberPreKey.binding'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestOfferBundlePreKeysIdFieldEvent {
    field: '$.offer.bundle.preKeys[].id'
    value: number
    index: number
  }

  export interface MailboxRequestOfferBundlePreKeysPublicKeyFieldEvent {
    field: '$.offer.bundle.preKeys[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestOfferBundlePreKeysSignatureFieldEvent {
    field: '$.offer.bundle.preKeys[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestOfferBundleKyberPreKeysIdFieldEvent {
    field: '$.offer.bundle.kyberPreKeys[].id'
    value: number
    index: number
  }

  export interface MailboxRequestOfferBundleKyberPreKeysPublicKeyFieldEvent {
    field: '$.offer.bundle.kyberPreKeys[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestOfferBundleKyberPreKeysSignatureFieldEvent {
    field: '$.offer.bundle.kyberPreKeys[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestOfferBundleKyberPreKeysBindingFieldEvent {
    field: '$.offer.bundle.kyberPreKeys[].binding'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestOfferBundlePublishedAtFieldEvent {
    field: '$.offer.bundle.publishedAt'
    value: number
  }

  export interface MailboxRequestOfferBundleSignatureFieldEvent {
    field: '$.offer.bundle.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestHandoverEnvelopesVersionFieldEvent {
    field: '$.handover.envelopes[].version'
    value: number
    index: number
  }

  export interface MailboxRequestHandoverEnvelopesIdFieldEvent {
    field: '$.handover.envelopes[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestHandoverEnvelopesRecipientFieldEvent {
    field: '$.handover.envelopes[].recipient'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestHandoverEnvelopesSealedFieldEvent {
    field: '$.handover.envelopes[].sealed'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestHandoverEnvelopesCreatedAtFieldEvent {
    field: '$.handover.envelopes[].createdAt'
    value: number
    index: number
  }

  export interface MailboxRequestHandoverEnvelopesExpiresAtFieldEvent {
    field: '$.handover.envelopes[].expiresAt'
    value: number
    index: number
  }

  export interface MailboxRequestReconcileRecipientFieldEvent {
    field: '$.reconcile.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestReconcileRangesLowerFieldEvent {
    field: '$.reconcile.ranges[].lower'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestReconcileRangesUpperFieldEvent {
    field: '$.reconcile.ranges[].upper'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestReconcileRangesIdsCountFieldEvent {
    field: '$.reconcile.ranges[].idsCount'
    value: number
    index: number
  }

  export interface MailboxRequestReconcileRangesIdsFingerprintFieldEvent {
    field: '$.reconcile.ranges[].idsFingerprint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestReconcileRangesTombstonesCountFieldEvent {
    field: '$.reconcile.ranges[].tombstonesCount'
    value: number
    index: number
  }

  export interface MailboxRequestReconcileRangesTombstonesFingerprintFieldEvent {
    field: '$.reconcile.ranges[].tombstonesFingerprint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestReconcileRangesListedFieldEvent {
    field: '$.reconcile.ranges[].listed'
    value: boolean
    index: number
  }

  export interface MailboxRequestReconcileRangesIdsFieldEvent {
    field: '$.reconcile.ranges[].ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestReconcileRangesTombstoneIdsFieldEvent {
    field: '$.reconcile.ranges[].tombstoneIds[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestReconcileBundlePublishedAtFieldEvent {
    field: '$.reconcile.bundlePublishedAt'
    value: number
  }

  export interface MailboxRequestPutChunkRecipientFieldEvent {
    field: '$.putChunk.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestPutChunkCidFieldEvent {
    field: '$.putChunk.cid'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestPutChunkDataFieldEvent {
    field: '$.putChunk.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestPutChunkExpiresAtFieldEvent {
    field: '$.putChunk.expiresAt'
    value: number
  }

  export interface MailboxRequestGetChunkCidFieldEvent {
    field: '$.getChunk.cid'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestDepositBatchEnvelopesVersionFieldEvent {
    field: '$.depositBatch.envelopes[].version'
    value: number
    index: number
  }

  export interface MailboxRequestDepositBatchEnvelopesIdFieldEvent {
    field: '$.depositBatch.envelopes[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestDepositBatchEnvelopesRecipientFieldEvent {
    field: '$.depositBatch.envelopes[].recipient'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestDepositBatchEnvelopesSealedFieldEvent {
    field: '$.depositBatch.envelopes[].sealed'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestDepositBatchEnvelopesCreatedAtFieldEvent {
    field: '$.depositBatch.envelopes[].createdAt'
    value: number
    index: number
  }

  export interface MailboxRequestDepositBatchEnvelopesExpiresAtFieldEvent {
    field: '$.depositBatch.envelopes[].expiresAt'
    value: number
    index: number
  }

  export interface MailboxRequestReconcileChunksRecipientFieldEvent {
    field: '$.reconcileChunks.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestReconcileChunksRangesLowerFieldEvent {
    field: '$.reconcileChunks.ranges[].lower'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestReconcileChunksRangesUpperFieldEvent {
    field: '$.reconcileChunks.ranges[].upper'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestReconcileChunksRangesIdsCountFieldEvent {
    field: '$.reconcileChunks.ranges[].idsCount'
    value: number
    index: number
  }

  export interface MailboxRequestReconcileChunksRangesIdsFingerprintFieldEvent {
    field: '$.reconcileChunks.ranges[].idsFingerprint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestReconcileChunksRangesTombstonesCountFieldEvent {
    field: '$.reconcileChunks.ranges[].tombstonesCount'
    value: number
    index: number
  }

  export interface MailboxRequestReconcileChunksRangesTombstonesFingerprintFieldEvent {
    field: '$.reconcileChunks.ranges[].tombstonesFingerprint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxRequestReconcileChunksRangesListedFieldEvent {
    field: '$.reconcileChunks.ranges[].listed'
    value: boolean
    index: number
  }

  export interface MailboxRequestReconcileChunksRangesIdsFieldEvent {
    field: '$.reconcileChunks.ranges[].ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestReconcileChunksRangesTombstoneIdsFieldEvent {
    field: '$.reconcileChunks.ranges[].tombstoneIds[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestReleaseChunksCidsFieldEvent {
    field: '$.releaseChunks.cids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestOfferChunksRecipientFieldEvent {
    field: '$.offerChunks.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxRequestOfferChunksIdsFieldEvent {
    field: '$.offerChunks.ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<MailboxRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxRequest>): MailboxRequest {
    return decodeMessage(buf, MailboxRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxRequest>): Generator<MailboxRequestVersionFieldEvent | MailboxRequestDepositEnvelopeVersionFieldEvent | MailboxRequestDepositEnvelopeIdFieldEvent | MailboxRequestDepositEnvelopeRecipientFieldEvent | MailboxRequestDepositEnvelopeSealedFieldEvent | MailboxRequestDepositEnvelopeCreatedAtFieldEvent | MailboxRequestDepositEnvelopeExpiresAtFieldEvent | MailboxRequestFetchAfterFieldEvent | MailboxRequestFetchLimitFieldEvent | MailboxRequestFetchIdsOnlyFieldEvent | MailboxRequestFetchIdsFieldEvent | MailboxRequestFetchMaxBytesFieldEvent | MailboxRequestAckAckedIdFieldEvent | MailboxRequestAckAckedExpiresAtFieldEvent | MailboxRequestAckAckedSignatureFieldEvent | MailboxRequestAckDiscardFieldEvent | MailboxRequestPutBundleBundleVersionFieldEvent | MailboxRequestPutBundleBundleCertificatePeerIdFieldEvent | MailboxRequestPutBundleBundleCertificateIdentityKeyFieldEvent | MailboxRequestPutBundleBundleCertificateIssuedAtFieldEvent | MailboxRequestPutBundleBundleCertificateSignatureFieldEvent | MailboxRequestPutBundleBundleRegistrationIdFieldEvent | MailboxRequestPutBundleBundleDeviceIdFieldEvent | MailboxRequestPutBundleBundleSignedPreKeyIdFieldEvent | MailboxRequestPutBundleBundleSignedPreKeyPublicKeyFieldEvent | MailboxRequestPutBundleBundleSignedPreKeySignatureFieldEvent | MailboxRequestPutBundleBundleSignedPreKeyCreatedAtFieldEvent | MailboxRequestPutBundleBundleLastResortKyberPreKeyIdFieldEvent | MailboxRequestPutBundleBundleLastResortKyberPreKeyPublicKeyFieldEvent | MailboxRequestPutBundleBundleLastResortKyberPreKeySignatureFieldEvent | MailboxRequestPutBundleBundleLastResortKyberPreKeyBindingFieldEvent | MailboxRequestPutBundleBundlePreKeysIdFieldEvent | MailboxRequestPutBundleBundlePreKeysPublicKeyFieldEvent | MailboxRequestPutBundleBundlePreKeysSignatureFieldEvent | MailboxRequestPutBundleBundleKyberPreKeysIdFieldEvent | MailboxRequestPutBundleBundleKyberPreKeysPublicKeyFieldEvent | MailboxRequestPutBundleBundleKyberPreKeysSignatureFieldEvent | MailboxRequestPutBundleBundleKyberPreKeysBindingFieldEvent | MailboxRequestPutBundleBundlePublishedAtFieldEvent | MailboxRequestPutBundleBundleSignatureFieldEvent | MailboxRequestTakeBundleRecipientFieldEvent | MailboxRequestOfferRecipientFieldEvent | MailboxRequestOfferIdsFieldEvent | MailboxRequestOfferTombstonesIdFieldEvent | MailboxRequestOfferTombstonesExpiresAtFieldEvent | MailboxRequestOfferTombstonesSignatureFieldEvent | MailboxRequestOfferBundleVersionFieldEvent | MailboxRequestOfferBundleCertificatePeerIdFieldEvent | MailboxRequestOfferBundleCertificateIdentityKeyFieldEvent | MailboxRequestOfferBundleCertificateIssuedAtFieldEvent | MailboxRequestOfferBundleCertificateSignatureFieldEvent | MailboxRequestOfferBundleRegistrationIdFieldEvent | MailboxRequestOfferBundleDeviceIdFieldEvent | MailboxRequestOfferBundleSignedPreKeyIdFieldEvent | MailboxRequestOfferBundleSignedPreKeyPublicKeyFieldEvent | MailboxRequestOfferBundleSignedPreKeySignatureFieldEvent | MailboxRequestOfferBundleSignedPreKeyCreatedAtFieldEvent | MailboxRequestOfferBundleLastResortKyberPreKeyIdFieldEvent | MailboxRequestOfferBundleLastResortKyberPreKeyPublicKeyFieldEvent | MailboxRequestOfferBundleLastResortKyberPreKeySignatureFieldEvent | MailboxRequestOfferBundleLastResortKyberPreKeyBindingFieldEvent | MailboxRequestOfferBundlePreKeysIdFieldEvent | MailboxRequestOfferBundlePreKeysPublicKeyFieldEvent | MailboxRequestOfferBundlePreKeysSignatureFieldEvent | MailboxRequestOfferBundleKyberPreKeysIdFieldEvent | MailboxRequestOfferBundleKyberPreKeysPublicKeyFieldEvent | MailboxRequestOfferBundleKyberPreKeysSignatureFieldEvent | MailboxRequestOfferBundleKyberPreKeysBindingFieldEvent | MailboxRequestOfferBundlePublishedAtFieldEvent | MailboxRequestOfferBundleSignatureFieldEvent | MailboxRequestHandoverEnvelopesVersionFieldEvent | MailboxRequestHandoverEnvelopesIdFieldEvent | MailboxRequestHandoverEnvelopesRecipientFieldEvent | MailboxRequestHandoverEnvelopesSealedFieldEvent | MailboxRequestHandoverEnvelopesCreatedAtFieldEvent | MailboxRequestHandoverEnvelopesExpiresAtFieldEvent | MailboxRequestReconcileRecipientFieldEvent | MailboxRequestReconcileRangesLowerFieldEvent | MailboxRequestReconcileRangesUpperFieldEvent | MailboxRequestReconcileRangesIdsCountFieldEvent | MailboxRequestReconcileRangesIdsFingerprintFieldEvent | MailboxRequestReconcileRangesTombstonesCountFieldEvent | MailboxRequestReconcileRangesTombstonesFingerprintFieldEvent | MailboxRequestReconcileRangesListedFieldEvent | MailboxRequestReconcileRangesIdsFieldEvent | MailboxRequestReconcileRangesTombstoneIdsFieldEvent | MailboxRequestReconcileBundlePublishedAtFieldEvent | MailboxRequestPutChunkRecipientFieldEvent | MailboxRequestPutChunkCidFieldEvent | MailboxRequestPutChunkDataFieldEvent | MailboxRequestPutChunkExpiresAtFieldEvent | MailboxRequestGetChunkCidFieldEvent | MailboxRequestDepositBatchEnvelopesVersionFieldEvent | MailboxRequestDepositBatchEnvelopesIdFieldEvent | MailboxRequestDepositBatchEnvelopesRecipientFieldEvent | MailboxRequestDepositBatchEnvelopesSealedFieldEvent | MailboxRequestDepositBatchEnvelopesCreatedAtFieldEvent | MailboxRequestDepositBatchEnvelopesExpiresAtFieldEvent | MailboxRequestReconcileChunksRecipientFieldEvent | MailboxRequestReconcileChunksRangesLowerFieldEvent | MailboxRequestReconcileChunksRangesUpperFieldEvent | MailboxRequestReconcileChunksRangesIdsCountFieldEvent | MailboxRequestReconcileChunksRangesIdsFingerprintFieldEvent | MailboxRequestReconcileChunksRangesTombstonesCountFieldEvent | MailboxRequestReconcileChunksRangesTombstonesFingerprintFieldEvent | MailboxRequestReconcileChunksRangesListedFieldEvent | MailboxRequestReconcileChunksRangesIdsFieldEvent | MailboxRequestReconcileChunksRangesTombstoneIdsFieldEvent | MailboxRequestReleaseChunksCidsFieldEvent | MailboxRequestOfferChunksRecipientFieldEvent | MailboxRequestOfferChunksIdsFieldEvent> {
    return streamMessage(buf, MailboxRequest.codec(), opts)
  }
}

export interface PutChunk {
  recipient: Uint8Array<ArrayBuffer>
  cid: Uint8Array<ArrayBuffer>
  data: Uint8Array<ArrayBuffer>
  expiresAt: number
}

export namespace PutChunk {
  let _codec: Codec<PutChunk>

  export const codec = (): Codec<PutChunk> => {
    if (_codec == null) {
      _codec = message<PutChunk>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.recipient != null && obj.recipient.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.recipient)
        }

        if ((obj.cid != null && obj.cid.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.cid)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.data)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0)) {
          w.uint32(32)
          w.uint64Number(obj.expiresAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          recipient: uint8ArrayAlloc(0),
          cid: uint8ArrayAlloc(0),
          data: uint8ArrayAlloc(0),
          expiresAt: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.recipient = reader.bytes()
              break
            }
            case 2: {
              obj.cid = reader.bytes()
              break
            }
            case 3: {
              obj.data = reader.bytes()
              break
            }
            case 4: {
              obj.expiresAt = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.recipient`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.cid`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.data`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64Number()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PutChunkRecipientFieldEvent {
    field: '$.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PutChunkCidFieldEvent {
    field: '$.cid'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PutChunkDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PutChunkExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: number
  }

  export function encode (obj: Partial<PutChunk>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PutChunk.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PutChunk>): PutChunk {
    return decodeMessage(buf, PutChunk.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PutChunk>): Generator<PutChunkRecipientFieldEvent | PutChunkCidFieldEvent | PutChunkDataFieldEvent | PutChunkExpiresAtFieldEvent> {
    return streamMessage(buf, PutChunk.codec(), opts)
  }
}

export interface GetChunk {
  cid: Uint8Array<ArrayBuffer>
}

export namespace GetChunk {
  let _codec: Codec<GetChunk>

  export const codec = (): Codec<GetChunk> => {
    if (_codec == null) {
      _codec = message<GetChunk>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cid != null && obj.cid.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.cid)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cid: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cid = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.cid`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface GetChunkCidFieldEvent {
    field: '$.cid'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<GetChunk>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, GetChunk.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GetChunk>): GetChunk {
    return decodeMessage(buf, GetChunk.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GetChunk>): Generator<GetChunkCidFieldEvent> {
    return streamMessage(buf, GetChunk.codec(), opts)
  }
}

export interface ReleaseChunks {
  cids: Uint8Array<ArrayBuffer>[]
}

export namespace ReleaseChunks {
  let _codec: Codec<ReleaseChunks>

  export const codec = (): Codec<ReleaseChunks> => {
    if (_codec == null) {
      _codec = message<ReleaseChunks>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.cids != null && obj.cids.length > 0) {
          for (const value of obj.cids) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cids: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.cids != null && obj.cids.length === opts.limits.cids) {
                throw new MaxLengthError('Decode error - repeated field "cids" had too many elements')
              }

              if (obj.cids.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "cids" had too many elements')
              }

              obj.cids.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          cids: 1024
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.cids != null && obj.cids === opts.limits.cids) {
                throw new MaxLengthError('Streaming decode error - repeated field "cids" had too many elements')
              }

              if (obj.cids === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "cids" had too many elements')
              }

              yield {
                field: `${prefix}.cids[]`,
                index: obj.cids,
                value: reader.bytes()
              }

              obj.cids++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ReleaseChunksCidsFieldEvent {
    field: '$.cids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ReleaseChunks>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ReleaseChunks.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReleaseChunks>): ReleaseChunks {
    return decodeMessage(buf, ReleaseChunks.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReleaseChunks>): Generator<ReleaseChunksCidsFieldEvent> {
    return streamMessage(buf, ReleaseChunks.codec(), opts)
  }
}

export interface Deposit {
  envelope?: Envelope
}

export namespace Deposit {
  let _codec: Codec<Deposit>

  export const codec = (): Codec<Deposit> => {
    if (_codec == null) {
      _codec = message<Deposit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.envelope != null) {
          w.uint32(10)
          Envelope.codec().encode(obj.envelope, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.envelope = Envelope.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.envelope
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Envelope.codec().stream(reader, reader.uint32(), `${prefix}.envelope`, {
                limits: opts.limits?.envelope
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DepositEnvelopeVersionFieldEvent {
    field: '$.envelope.version'
    value: number
  }

  export interface DepositEnvelopeIdFieldEvent {
    field: '$.envelope.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DepositEnvelopeRecipientFieldEvent {
    field: '$.envelope.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DepositEnvelopeSealedFieldEvent {
    field: '$.envelope.sealed'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DepositEnvelopeCreatedAtFieldEvent {
    field: '$.envelope.createdAt'
    value: number
  }

  export interface DepositEnvelopeExpiresAtFieldEvent {
    field: '$.envelope.expiresAt'
    value: number
  }

  export function encode (obj: Partial<Deposit>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Deposit.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Deposit>): Deposit {
    return decodeMessage(buf, Deposit.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Deposit>): Generator<DepositEnvelopeVersionFieldEvent | DepositEnvelopeIdFieldEvent | DepositEnvelopeRecipientFieldEvent | DepositEnvelopeSealedFieldEvent | DepositEnvelopeCreatedAtFieldEvent | DepositEnvelopeExpiresAtFieldEvent> {
    return streamMessage(buf, Deposit.codec(), opts)
  }
}

export interface DepositBatch {
  envelopes: Envelope[]
}

export namespace DepositBatch {
  let _codec: Codec<DepositBatch>

  export const codec = (): Codec<DepositBatch> => {
    if (_codec == null) {
      _codec = message<DepositBatch>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.envelopes != null && obj.envelopes.length > 0) {
          for (const value of obj.envelopes) {
            w.uint32(10)
            Envelope.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          envelopes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.envelopes != null && obj.envelopes.length === opts.limits.envelopes) {
                throw new MaxLengthError('Decode error - repeated field "envelopes" had too many elements')
              }

              if (obj.envelopes.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "envelopes" had too many elements')
              }

              obj.envelopes.push(Envelope.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.envelopes$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          envelopes: 256
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.envelopes != null && obj.envelopes === opts.limits.envelopes) {
                throw new MaxLengthError('Streaming decode error - repeated field "envelopes" had too many elements')
              }

              if (obj.envelopes === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "envelopes" had too many elements')
              }

              for (const evt of Envelope.codec().stream(reader, reader.uint32(), `${prefix}.envelopes[]`, {
                limits: opts.limits?.envelopes$
              })) {
                yield {
                  ...evt,
                  index: obj.envelopes
                }
              }

              obj.envelopes++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DepositBatchEnvelopesVersionFieldEvent {
    field: '$.envelopes[].version'
    value: number
    index: number
  }

  export interface DepositBatchEnvelopesIdFieldEvent {
    field: '$.envelopes[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface DepositBatchEnvelopesRecipientFieldEvent {
    field: '$.envelopes[].recipient'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface DepositBatchEnvelopesSealedFieldEvent {
    field: '$.envelopes[].sealed'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface DepositBatchEnvelopesCreatedAtFieldEvent {
    field: '$.envelopes[].createdAt'
    value: number
    index: number
  }

  export interface DepositBatchEnvelopesExpiresAtFieldEvent {
    field: '$.envelopes[].expiresAt'
    value: number
    index: number
  }

  export function encode (obj: Partial<DepositBatch>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DepositBatch.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DepositBatch>): DepositBatch {
    return decodeMessage(buf, DepositBatch.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DepositBatch>): Generator<DepositBatchEnvelopesVersionFieldEvent | DepositBatchEnvelopesIdFieldEvent | DepositBatchEnvelopesRecipientFieldEvent | DepositBatchEnvelopesSealedFieldEvent | DepositBatchEnvelopesCreatedAtFieldEvent | DepositBatchEnvelopesExpiresAtFieldEvent> {
    return streamMessage(buf, DepositBatch.codec(), opts)
  }
}

export interface DepositStatus {
  status: MailboxStatus
  detail: string
}

export namespace DepositStatus {
  let _codec: Codec<DepositStatus>

  export const codec = (): Codec<DepositStatus> => {
    if (_codec == null) {
      _codec = message<DepositStatus>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __MailboxStatusValues[obj.status] !== 0) {
          w.uint32(8)
          MailboxStatus.codec().encode(obj.status, w)
        }

        if ((obj.detail != null && obj.detail !== '')) {
          w.uint32(18)
          w.string(obj.detail)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: MailboxStatus.MAILBOX_OK,
          detail: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = MailboxStatus.codec().decode(reader)
              break
            }
            case 2: {
              obj.detail = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: MailboxStatus.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.detail`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DepositStatusStatusFieldEvent {
    field: '$.status'
    value: MailboxStatus
  }

  export interface DepositStatusDetailFieldEvent {
    field: '$.detail'
    value: string
  }

  export function encode (obj: Partial<DepositStatus>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DepositStatus.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DepositStatus>): DepositStatus {
    return decodeMessage(buf, DepositStatus.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DepositStatus>): Generator<DepositStatusStatusFieldEvent | DepositStatusDetailFieldEvent> {
    return streamMessage(buf, DepositStatus.codec(), opts)
  }
}

export interface Fetch {
  after: Uint8Array<ArrayBuffer>
  limit: number
  idsOnly: boolean
  ids: Uint8Array<ArrayBuffer>[]
  maxBytes: number
}

export namespace Fetch {
  let _codec: Codec<Fetch>

  export const codec = (): Codec<Fetch> => {
    if (_codec == null) {
      _codec = message<Fetch>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.after != null && obj.after.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.after)
        }

        if ((obj.limit != null && obj.limit !== 0)) {
          w.uint32(16)
          w.uint32(obj.limit)
        }

        if ((obj.idsOnly != null && obj.idsOnly !== false)) {
          w.uint32(24)
          w.bool(obj.idsOnly)
        }

        if (obj.ids != null && obj.ids.length > 0) {
          for (const value of obj.ids) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if ((obj.maxBytes != null && obj.maxBytes !== 0)) {
          w.uint32(40)
          w.uint32(obj.maxBytes)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          after: uint8ArrayAlloc(0),
          limit: 0,
          idsOnly: false,
          ids: [],
          maxBytes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.after = reader.bytes()
              break
            }
            case 2: {
              obj.limit = reader.uint32()
              break
            }
            case 3: {
              obj.idsOnly = reader.bool()
              break
            }
            case 4: {
              if (opts.limits?.ids != null && obj.ids.length === opts.limits.ids) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              if (obj.ids.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              obj.ids.push(reader.bytes())
              break
            }
            case 5: {
              obj.maxBytes = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          ids: 256
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.after`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.limit`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.idsOnly`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              if (opts.limits?.ids != null && obj.ids === opts.limits.ids) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              if (obj.ids === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              yield {
                field: `${prefix}.ids[]`,
                index: obj.ids,
                value: reader.bytes()
              }

              obj.ids++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.maxBytes`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface FetchAfterFieldEvent {
    field: '$.after'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FetchLimitFieldEvent {
    field: '$.limit'
    value: number
  }

  export interface FetchIdsOnlyFieldEvent {
    field: '$.idsOnly'
    value: boolean
  }

  export interface FetchIdsFieldEvent {
    field: '$.ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface FetchMaxBytesFieldEvent {
    field: '$.maxBytes'
    value: number
  }

  export function encode (obj: Partial<Fetch>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Fetch.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Fetch>): Fetch {
    return decodeMessage(buf, Fetch.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Fetch>): Generator<FetchAfterFieldEvent | FetchLimitFieldEvent | FetchIdsOnlyFieldEvent | FetchIdsFieldEvent | FetchMaxBytesFieldEvent> {
    return streamMessage(buf, Fetch.codec(), opts)
  }
}

export interface Ack {
  acked: Tombstone[]
  discard: Uint8Array<ArrayBuffer>[]
}

export namespace Ack {
  let _codec: Codec<Ack>

  export const codec = (): Codec<Ack> => {
    if (_codec == null) {
      _codec = message<Ack>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.acked != null && obj.acked.length > 0) {
          for (const value of obj.acked) {
            w.uint32(10)
            Tombstone.codec().encode(value, w)
          }
        }

        if (obj.discard != null && obj.discard.length > 0) {
          for (const value of obj.discard) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          acked: [],
          discard: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.acked != null && obj.acked.length === opts.limits.acked) {
                throw new MaxLengthError('Decode error - repeated field "acked" had too many elements')
              }

              if (obj.acked.length === 512) {
                throw new MaxLengthError('Decode error - repeated field "acked" had too many elements')
              }

              obj.acked.push(Tombstone.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.acked$
              }))
              break
            }
            case 2: {
              if (opts.limits?.discard != null && obj.discard.length === opts.limits.discard) {
                throw new MaxLengthError('Decode error - repeated field "discard" had too many elements')
              }

              if (obj.discard.length === 512) {
                throw new MaxLengthError('Decode error - repeated field "discard" had too many elements')
              }

              obj.discard.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          acked: 512,
          discard: 512
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.acked != null && obj.acked === opts.limits.acked) {
                throw new MaxLengthError('Streaming decode error - repeated field "acked" had too many elements')
              }

              if (obj.acked === 512) {
                throw new MaxLengthError('Streaming decode error - repeated field "acked" had too many elements')
              }

              for (const evt of Tombstone.codec().stream(reader, reader.uint32(), `${prefix}.acked[]`, {
                limits: opts.limits?.acked$
              })) {
                yield {
                  ...evt,
                  index: obj.acked
                }
              }

              obj.acked++

              break
            }
            case 2: {
              if (opts.limits?.discard != null && obj.discard === opts.limits.discard) {
                throw new MaxLengthError('Streaming decode error - repeated field "discard" had too many elements')
              }

              if (obj.discard === 512) {
                throw new MaxLengthError('Streaming decode error - repeated field "discard" had too many elements')
              }

              yield {
                field: `${prefix}.discard[]`,
                index: obj.discard,
                value: reader.bytes()
              }

              obj.discard++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AckAckedIdFieldEvent {
    field: '$.acked[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface AckAckedExpiresAtFieldEvent {
    field: '$.acked[].expiresAt'
    value: number
    index: number
  }

  export interface AckAckedSignatureFieldEvent {
    field: '$.acked[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface AckDiscardFieldEvent {
    field: '$.discard[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Ack>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Ack.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Ack {
    return decodeMessage(buf, Ack.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Generator<AckAckedIdFieldEvent | AckAckedExpiresAtFieldEvent | AckAckedSignatureFieldEvent | AckDiscardFieldEvent> {
    return streamMessage(buf, Ack.codec(), opts)
  }
}

export interface PutBundle {
  bundle?: PreKeyBundle
}

export namespace PutBundle {
  let _codec: Codec<PutBundle>

  export const codec = (): Codec<PutBundle> => {
    if (_codec == null) {
      _codec = message<PutBundle>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.bundle != null) {
          w.uint32(10)
          PreKeyBundle.codec().encode(obj.bundle, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.bundle = PreKeyBundle.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.bundle
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * PreKeyBundle.codec().stream(reader, reader.uint32(), `${prefix}.bundle`, {
                limits: opts.limits?.bundle
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PutBundleBundleVersionFieldEvent {
    field: '$.bundle.version'
    value: number
  }

  export interface PutBundleBundleCertificatePeerIdFieldEvent {
    field: '$.bundle.certificate.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PutBundleBundleCertificateIdentityKeyFieldEvent {
    field: '$.bundle.certificate.identityKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PutBundleBundleCertificateIssuedAtFieldEvent {
    field: '$.bundle.certificate.issuedAt'
    value: number
  }

  export interface PutBundleBundleCertificateSignatureFieldEvent {
    field: '$.bundle.certificate.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PutBundleBundleRegistrationIdFieldEvent {
    field: '$.bundle.registrationId'
    value: number
  }

  export interface PutBundleBundleDeviceIdFieldEvent {
    field: '$.bundle.deviceId'
    value: number
  }

  export interface PutBundleBundleSignedPreKeyIdFieldEvent {
    field: '$.bundle.signedPreKey.id'
    value: number
  }

  export interface PutBundleBundleSignedPreKeyPublicKeyFieldEvent {
    field: '$.bundle.signedPreKey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PutBundleBundleSignedPreKeySignatureFieldEvent {
    field: '$.bundle.signedPreKey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PutBundleBundleSignedPreKeyCreatedAtFieldEvent {
    field: '$.bundle.signedPreKey.createdAt'
    value: number
  }

  export interface PutBundleBundleLastResortKyberPreKeyIdFieldEvent {
    field: '$.bundle.lastResortKyberPreKey.id'
    value: number
  }

  export interface PutBundleBundleLastResortKyberPreKeyPublicKeyFieldEvent {
    field: '$.bundle.lastResortKyberPreKey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PutBundleBundleLastResortKyberPreKeySignatureFieldEvent {
    field: '$.bundle.lastResortKyberPreKey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PutBundleBundleLastResortKyberPreKeyBindingFieldEvent {
    field: '$.bundle.lastResortKyberPreKey.binding'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PutBundleBundlePreKeysIdFieldEvent {
    field: '$.bundle.preKeys[].id'
    value: number
    index: number
  }

  export interface PutBundleBundlePreKeysPublicKeyFieldEvent {
    field: '$.bundle.preKeys[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PutBundleBundlePreKeysSignatureFieldEvent {
    field: '$.bundle.preKeys[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PutBundleBundleKyberPreKeysIdFieldEvent {
    field: '$.bundle.kyberPreKeys[].id'
    value: number
    index: number
  }

  export interface PutBundleBundleKyberPreKeysPublicKeyFieldEvent {
    field: '$.bundle.kyberPreKeys[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PutBundleBundleKyberPreKeysSignatureFieldEvent {
    field: '$.bundle.kyberPreKeys[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PutBundleBundleKyberPreKeysBindingFieldEvent {
    field: '$.bundle.kyberPreKeys[].binding'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface PutBundleBundlePublishedAtFieldEvent {
    field: '$.bundle.publishedAt'
    value: number
  }

  export interface PutBundleBundleSignatureFieldEvent {
    field: '$.bundle.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<PutBundle>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PutBundle.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PutBundle>): PutBundle {
    return decodeMessage(buf, PutBundle.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PutBundle>): Generator<PutBundleBundleVersionFieldEvent | PutBundleBundleCertificatePeerIdFieldEvent | PutBundleBundleCertificateIdentityKeyFieldEvent | PutBundleBundleCertificateIssuedAtFieldEvent | PutBundleBundleCertificateSignatureFieldEvent | PutBundleBundleRegistrationIdFieldEvent | PutBundleBundleDeviceIdFieldEvent | PutBundleBundleSignedPreKeyIdFieldEvent | PutBundleBundleSignedPreKeyPublicKeyFieldEvent | PutBundleBundleSignedPreKeySignatureFieldEvent | PutBundleBundleSignedPreKeyCreatedAtFieldEvent | PutBundleBundleLastResortKyberPreKeyIdFieldEvent | PutBundleBundleLastResortKyberPreKeyPublicKeyFieldEvent | PutBundleBundleLastResortKyberPreKeySignatureFieldEvent | PutBundleBundleLastResortKyberPreKeyBindingFieldEvent | PutBundleBundlePreKeysIdFieldEvent | PutBundleBundlePreKeysPublicKeyFieldEvent | PutBundleBundlePreKeysSignatureFieldEvent | PutBundleBundleKyberPreKeysIdFieldEvent | PutBundleBundleKyberPreKeysPublicKeyFieldEvent | PutBundleBundleKyberPreKeysSignatureFieldEvent | PutBundleBundleKyberPreKeysBindingFieldEvent | PutBundleBundlePublishedAtFieldEvent | PutBundleBundleSignatureFieldEvent> {
    return streamMessage(buf, PutBundle.codec(), opts)
  }
}

export interface TakeBundle {
  recipient: Uint8Array<ArrayBuffer>
}

export namespace TakeBundle {
  let _codec: Codec<TakeBundle>

  export const codec = (): Codec<TakeBundle> => {
    if (_codec == null) {
      _codec = message<TakeBundle>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.recipient != null && obj.recipient.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.recipient)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          recipient: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.recipient = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.recipient`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TakeBundleRecipientFieldEvent {
    field: '$.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<TakeBundle>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TakeBundle.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TakeBundle>): TakeBundle {
    return decodeMessage(buf, TakeBundle.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TakeBundle>): Generator<TakeBundleRecipientFieldEvent> {
    return streamMessage(buf, TakeBundle.codec(), opts)
  }
}

export interface StatusRequest {}

export namespace StatusRequest {
  let _codec: Codec<StatusRequest>

  export const codec = (): Codec<StatusRequest> => {
    if (_codec == null) {
      _codec = message<StatusRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export function encode (obj: Partial<StatusRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StatusRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StatusRequest>): StatusRequest {
    return decodeMessage(buf, StatusRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StatusRequest>): Generator<{}> {
    return streamMessage(buf, StatusRequest.codec(), opts)
  }
}

export interface Offer {
  recipient: Uint8Array<ArrayBuffer>
  ids: Uint8Array<ArrayBuffer>[]
  tombstones: Tombstone[]
  bundle?: PreKeyBundle
}

export namespace Offer {
  let _codec: Codec<Offer>

  export const codec = (): Codec<Offer> => {
    if (_codec == null) {
      _codec = message<Offer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.recipient != null && obj.recipient.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.recipient)
        }

        if (obj.ids != null && obj.ids.length > 0) {
          for (const value of obj.ids) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (obj.tombstones != null && obj.tombstones.length > 0) {
          for (const value of obj.tombstones) {
            w.uint32(26)
            Tombstone.codec().encode(value, w)
          }
        }

        if (obj.bundle != null) {
          w.uint32(34)
          PreKeyBundle.codec().encode(obj.bundle, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          recipient: uint8ArrayAlloc(0),
          ids: [],
          tombstones: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.recipient = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.ids != null && obj.ids.length === opts.limits.ids) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              if (obj.ids.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              obj.ids.push(reader.bytes())
              break
            }
            case 3: {
              if (opts.limits?.tombstones != null && obj.tombstones.length === opts.limits.tombstones) {
                throw new MaxLengthError('Decode error - repeated field "tombstones" had too many elements')
              }

              if (obj.tombstones.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "tombstones" had too many elements')
              }

              obj.tombstones.push(Tombstone.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.tombstones$
              }))
              break
            }
            case 4: {
              obj.bundle = PreKeyBundle.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.bundle
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          ids: 1024,
          tombstones: 1024
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.recipient`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.ids != null && obj.ids === opts.limits.ids) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              if (obj.ids === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              yield {
                field: `${prefix}.ids[]`,
                index: obj.ids,
                value: reader.bytes()
              }

              obj.ids++

              break
            }
            case 3: {
              if (opts.limits?.tombstones != null && obj.tombstones === opts.limits.tombstones) {
                throw new MaxLengthError('Streaming decode error - repeated field "tombstones" had too many elements')
              }

              if (obj.tombstones === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "tombstones" had too many elements')
              }

              for (const evt of Tombstone.codec().stream(reader, reader.uint32(), `${prefix}.tombstones[]`, {
                limits: opts.limits?.tombstones$
              })) {
                yield {
                  ...evt,
                  index: obj.tombstones
                }
              }

              obj.tombstones++

              break
            }
            case 4: {
              yield * PreKeyBundle.codec().stream(reader, reader.uint32(), `${prefix}.bundle`, {
                limits: opts.limits?.bundle
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface OfferRecipientFieldEvent {
    field: '$.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfferIdsFieldEvent {
    field: '$.ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfferTombstonesIdFieldEvent {
    field: '$.tombstones[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OfferTombstonesExpiresAtFieldEvent {
    field: '$.tombstones[].expiresAt'
    value: number
    index: number
  }

  export interface OfferTombstonesSignatureFieldEvent {
    field: '$.tombstones[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OfferBundleVersionFieldEvent {
    field: '$.bundle.version'
    value: number
  }

  export interface OfferBundleCertificatePeerIdFieldEvent {
    field: '$.bundle.certificate.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfferBundleCertificateIdentityKeyFieldEvent {
    field: '$.bundle.certificate.identityKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfferBundleCertificateIssuedAtFieldEvent {
    field: '$.bundle.certificate.issuedAt'
    value: number
  }

  export interface OfferBundleCertificateSignatureFieldEvent {
    field: '$.bundle.certificate.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfferBundleRegistrationIdFieldEvent {
    field: '$.bundle.registrationId'
    value: number
  }

  export interface OfferBundleDeviceIdFieldEvent {
    field: '$.bundle.deviceId'
    value: number
  }

  export interface OfferBundleSignedPreKeyIdFieldEvent {
    field: '$.bundle.signedPreKey.id'
    value: number
  }

  export interface OfferBundleSignedPreKeyPublicKeyFieldEvent {
    field: '$.bundle.signedPreKey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfferBundleSignedPreKeySignatureFieldEvent {
    field: '$.bundle.signedPreKey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfferBundleSignedPreKeyCreatedAtFieldEvent {
    field: '$.bundle.signedPreKey.createdAt'
    value: number
  }

  export interface OfferBundleLastResortKyberPreKeyIdFieldEvent {
    field: '$.bundle.lastResortKyberPreKey.id'
    value: number
  }

  export interface OfferBundleLastResortKyberPreKeyPublicKeyFieldEvent {
    field: '$.bundle.lastResortKyberPreKey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfferBundleLastResortKyberPreKeySignatureFieldEvent {
    field: '$.bundle.lastResortKyberPreKey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfferBundleLastResortKyberPreKeyBindingFieldEvent {
    field: '$.bundle.lastResortKyberPreKey.binding'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfferBundlePreKeysIdFieldEvent {
    field: '$.bundle.preKeys[].id'
    value: number
    index: number
  }

  export interface OfferBundlePreKeysPublicKeyFieldEvent {
    field: '$.bundle.preKeys[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OfferBundlePreKeysSignatureFieldEvent {
    field: '$.bundle.preKeys[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OfferBundleKyberPreKeysIdFieldEvent {
    field: '$.bundle.kyberPreKeys[].id'
    value: number
    index: number
  }

  export interface OfferBundleKyberPreKeysPublicKeyFieldEvent {
    field: '$.bundle.kyberPreKeys[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OfferBundleKyberPreKeysSignatureFieldEvent {
    field: '$.bundle.kyberPreKeys[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OfferBundleKyberPreKeysBindingFieldEvent {
    field: '$.bundle.kyberPreKeys[].binding'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface OfferBundlePublishedAtFieldEvent {
    field: '$.bundle.publishedAt'
    value: number
  }

  export interface OfferBundleSignatureFieldEvent {
    field: '$.bundle.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Offer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Offer.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Offer>): Offer {
    return decodeMessage(buf, Offer.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Offer>): Generator<OfferRecipientFieldEvent | OfferIdsFieldEvent | OfferTombstonesIdFieldEvent | OfferTombstonesExpiresAtFieldEvent | OfferTombstonesSignatureFieldEvent | OfferBundleVersionFieldEvent | OfferBundleCertificatePeerIdFieldEvent | OfferBundleCertificateIdentityKeyFieldEvent | OfferBundleCertificateIssuedAtFieldEvent | OfferBundleCertificateSignatureFieldEvent | OfferBundleRegistrationIdFieldEvent | OfferBundleDeviceIdFieldEvent | OfferBundleSignedPreKeyIdFieldEvent | OfferBundleSignedPreKeyPublicKeyFieldEvent | OfferBundleSignedPreKeySignatureFieldEvent | OfferBundleSignedPreKeyCreatedAtFieldEvent | OfferBundleLastResortKyberPreKeyIdFieldEvent | OfferBundleLastResortKyberPreKeyPublicKeyFieldEvent | OfferBundleLastResortKyberPreKeySignatureFieldEvent | OfferBundleLastResortKyberPreKeyBindingFieldEvent | OfferBundlePreKeysIdFieldEvent | OfferBundlePreKeysPublicKeyFieldEvent | OfferBundlePreKeysSignatureFieldEvent | OfferBundleKyberPreKeysIdFieldEvent | OfferBundleKyberPreKeysPublicKeyFieldEvent | OfferBundleKyberPreKeysSignatureFieldEvent | OfferBundleKyberPreKeysBindingFieldEvent | OfferBundlePublishedAtFieldEvent | OfferBundleSignatureFieldEvent> {
    return streamMessage(buf, Offer.codec(), opts)
  }
}

export interface Tombstone {
  id: Uint8Array<ArrayBuffer>
  expiresAt: number
  signature: Uint8Array<ArrayBuffer>
}

export namespace Tombstone {
  let _codec: Codec<Tombstone>

  export const codec = (): Codec<Tombstone> => {
    if (_codec == null) {
      _codec = message<Tombstone>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if ((obj.expiresAt != null && obj.expiresAt !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.expiresAt)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          expiresAt: 0,
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.bytes()
              break
            }
            case 2: {
              obj.expiresAt = reader.uint64Number()
              break
            }
            case 3: {
              obj.signature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.expiresAt`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TombstoneIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TombstoneExpiresAtFieldEvent {
    field: '$.expiresAt'
    value: number
  }

  export interface TombstoneSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Tombstone>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Tombstone.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Tombstone>): Tombstone {
    return decodeMessage(buf, Tombstone.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Tombstone>): Generator<TombstoneIdFieldEvent | TombstoneExpiresAtFieldEvent | TombstoneSignatureFieldEvent> {
    return streamMessage(buf, Tombstone.codec(), opts)
  }
}

export interface Handover {
  envelopes: Envelope[]
}

export namespace Handover {
  let _codec: Codec<Handover>

  export const codec = (): Codec<Handover> => {
    if (_codec == null) {
      _codec = message<Handover>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.envelopes != null && obj.envelopes.length > 0) {
          for (const value of obj.envelopes) {
            w.uint32(10)
            Envelope.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          envelopes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.envelopes != null && obj.envelopes.length === opts.limits.envelopes) {
                throw new MaxLengthError('Decode error - repeated field "envelopes" had too many elements')
              }

              if (obj.envelopes.length === 64) {
                throw new MaxLengthError('Decode error - repeated field "envelopes" had too many elements')
              }

              obj.envelopes.push(Envelope.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.envelopes$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          envelopes: 64
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.envelopes != null && obj.envelopes === opts.limits.envelopes) {
                throw new MaxLengthError('Streaming decode error - repeated field "envelopes" had too many elements')
              }

              if (obj.envelopes === 64) {
                throw new MaxLengthError('Streaming decode error - repeated field "envelopes" had too many elements')
              }

              for (const evt of Envelope.codec().stream(reader, reader.uint32(), `${prefix}.envelopes[]`, {
                limits: opts.limits?.envelopes$
              })) {
                yield {
                  ...evt,
                  index: obj.envelopes
                }
              }

              obj.envelopes++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HandoverEnvelopesVersionFieldEvent {
    field: '$.envelopes[].version'
    value: number
    index: number
  }

  export interface HandoverEnvelopesIdFieldEvent {
    field: '$.envelopes[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface HandoverEnvelopesRecipientFieldEvent {
    field: '$.envelopes[].recipient'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface HandoverEnvelopesSealedFieldEvent {
    field: '$.envelopes[].sealed'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface HandoverEnvelopesCreatedAtFieldEvent {
    field: '$.envelopes[].createdAt'
    value: number
    index: number
  }

  export interface HandoverEnvelopesExpiresAtFieldEvent {
    field: '$.envelopes[].expiresAt'
    value: number
    index: number
  }

  export function encode (obj: Partial<Handover>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Handover.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Handover>): Handover {
    return decodeMessage(buf, Handover.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Handover>): Generator<HandoverEnvelopesVersionFieldEvent | HandoverEnvelopesIdFieldEvent | HandoverEnvelopesRecipientFieldEvent | HandoverEnvelopesSealedFieldEvent | HandoverEnvelopesCreatedAtFieldEvent | HandoverEnvelopesExpiresAtFieldEvent> {
    return streamMessage(buf, Handover.codec(), opts)
  }
}

export interface Reconcile {
  recipient: Uint8Array<ArrayBuffer>
  ranges: SyncRange[]
  bundlePublishedAt: number
}

export namespace Reconcile {
  let _codec: Codec<Reconcile>

  export const codec = (): Codec<Reconcile> => {
    if (_codec == null) {
      _codec = message<Reconcile>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.recipient != null && obj.recipient.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.recipient)
        }

        if (obj.ranges != null && obj.ranges.length > 0) {
          for (const value of obj.ranges) {
            w.uint32(18)
            SyncRange.codec().encode(value, w)
          }
        }

        if ((obj.bundlePublishedAt != null && obj.bundlePublishedAt !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.bundlePublishedAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          recipient: uint8ArrayAlloc(0),
          ranges: [],
          bundlePublishedAt: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.recipient = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.ranges != null && obj.ranges.length === opts.limits.ranges) {
                throw new MaxLengthError('Decode error - repeated field "ranges" had too many elements')
              }

              if (obj.ranges.length === 128) {
                throw new MaxLengthError('Decode error - repeated field "ranges" had too many elements')
              }

              obj.ranges.push(SyncRange.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ranges$
              }))
              break
            }
            case 3: {
              obj.bundlePublishedAt = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          ranges: 128
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.recipient`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.ranges != null && obj.ranges === opts.limits.ranges) {
                throw new MaxLengthError('Streaming decode error - repeated field "ranges" had too many elements')
              }

              if (obj.ranges === 128) {
                throw new MaxLengthError('Streaming decode error - repeated field "ranges" had too many elements')
              }

              for (const evt of SyncRange.codec().stream(reader, reader.uint32(), `${prefix}.ranges[]`, {
                limits: opts.limits?.ranges$
              })) {
                yield {
                  ...evt,
                  index: obj.ranges
                }
              }

              obj.ranges++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.bundlePublishedAt`,
                value: reader.uint64Number()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ReconcileRecipientFieldEvent {
    field: '$.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReconcileRangesLowerFieldEvent {
    field: '$.ranges[].lower'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ReconcileRangesUpperFieldEvent {
    field: '$.ranges[].upper'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ReconcileRangesIdsCountFieldEvent {
    field: '$.ranges[].idsCount'
    value: number
    index: number
  }

  export interface ReconcileRangesIdsFingerprintFieldEvent {
    field: '$.ranges[].idsFingerprint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ReconcileRangesTombstonesCountFieldEvent {
    field: '$.ranges[].tombstonesCount'
    value: number
    index: number
  }

  export interface ReconcileRangesTombstonesFingerprintFieldEvent {
    field: '$.ranges[].tombstonesFingerprint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ReconcileRangesListedFieldEvent {
    field: '$.ranges[].listed'
    value: boolean
    index: number
  }

  export interface ReconcileRangesIdsFieldEvent {
    field: '$.ranges[].ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReconcileRangesTombstoneIdsFieldEvent {
    field: '$.ranges[].tombstoneIds[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReconcileBundlePublishedAtFieldEvent {
    field: '$.bundlePublishedAt'
    value: number
  }

  export function encode (obj: Partial<Reconcile>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Reconcile.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Reconcile>): Reconcile {
    return decodeMessage(buf, Reconcile.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Reconcile>): Generator<ReconcileRecipientFieldEvent | ReconcileRangesLowerFieldEvent | ReconcileRangesUpperFieldEvent | ReconcileRangesIdsCountFieldEvent | ReconcileRangesIdsFingerprintFieldEvent | ReconcileRangesTombstonesCountFieldEvent | ReconcileRangesTombstonesFingerprintFieldEvent | ReconcileRangesListedFieldEvent | ReconcileRangesIdsFieldEvent | ReconcileRangesTombstoneIdsFieldEvent | ReconcileBundlePublishedAtFieldEvent> {
    return streamMessage(buf, Reconcile.codec(), opts)
  }
}

export interface SyncRange {
  lower: Uint8Array<ArrayBuffer>
  upper: Uint8Array<ArrayBuffer>
  idsCount: number
  idsFingerprint: Uint8Array<ArrayBuffer>
  tombstonesCount: number
  tombstonesFingerprint: Uint8Array<ArrayBuffer>
  listed: boolean
  ids: Uint8Array<ArrayBuffer>[]
  tombstoneIds: Uint8Array<ArrayBuffer>[]
}

export namespace SyncRange {
  let _codec: Codec<SyncRange>

  export const codec = (): Codec<SyncRange> => {
    if (_codec == null) {
      _codec = message<SyncRange>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.lower != null && obj.lower.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.lower)
        }

        if ((obj.upper != null && obj.upper.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.upper)
        }

        if ((obj.idsCount != null && obj.idsCount !== 0)) {
          w.uint32(24)
          w.uint32(obj.idsCount)
        }

        if ((obj.idsFingerprint != null && obj.idsFingerprint.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.idsFingerprint)
        }

        if ((obj.tombstonesCount != null && obj.tombstonesCount !== 0)) {
          w.uint32(40)
          w.uint32(obj.tombstonesCount)
        }

        if ((obj.tombstonesFingerprint != null && obj.tombstonesFingerprint.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.tombstonesFingerprint)
        }

        if ((obj.listed != null && obj.listed !== false)) {
          w.uint32(56)
          w.bool(obj.listed)
        }

        if (obj.ids != null && obj.ids.length > 0) {
          for (const value of obj.ids) {
            w.uint32(66)
            w.bytes(value)
          }
        }

        if (obj.tombstoneIds != null && obj.tombstoneIds.length > 0) {
          for (const value of obj.tombstoneIds) {
            w.uint32(74)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          lower: uint8ArrayAlloc(0),
          upper: uint8ArrayAlloc(0),
          idsCount: 0,
          idsFingerprint: uint8ArrayAlloc(0),
          tombstonesCount: 0,
          tombstonesFingerprint: uint8ArrayAlloc(0),
          listed: false,
          ids: [],
          tombstoneIds: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.lower = reader.bytes()
              break
            }
            case 2: {
              obj.upper = reader.bytes()
              break
            }
            case 3: {
              obj.idsCount = reader.uint32()
              break
            }
            case 4: {
              obj.idsFingerprint = reader.bytes()
              break
            }
            case 5: {
              obj.tombstonesCount = reader.uint32()
              break
            }
            case 6: {
              obj.tombstonesFingerprint = reader.bytes()
              break
            }
            case 7: {
              obj.listed = reader.bool()
              break
            }
            case 8: {
              if (opts.limits?.ids != null && obj.ids.length === opts.limits.ids) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              if (obj.ids.length === 64) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              obj.ids.push(reader.bytes())
              break
            }
            case 9: {
              if (opts.limits?.tombstoneIds != null && obj.tombstoneIds.length === opts.limits.tombstoneIds) {
                throw new MaxLengthError('Decode error - repeated field "tombstoneIds" had too many elements')
              }

              if (obj.tombstoneIds.length === 64) {
                throw new MaxLengthError('Decode error - repeated field "tombstoneIds" had too many elements')
              }

              obj.tombstoneIds.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          ids: 64,
          tombstoneIds: 64
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.lower`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.upper`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.idsCount`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.idsFingerprint`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.tombstonesCount`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.tombstonesFingerprint`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.listed`,
                value: reader.bool()
              }
              break
            }
            case 8: {
              if (opts.limits?.ids != null && obj.ids === opts.limits.ids) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              if (obj.ids === 64) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              yield {
                field: `${prefix}.ids[]`,
                index: obj.ids,
                value: reader.bytes()
              }

              obj.ids++

              break
            }
            case 9: {
              if (opts.limits?.tombstoneIds != null && obj.tombstoneIds === opts.limits.tombstoneIds) {
                throw new MaxLengthError('Streaming decode error - repeated field "tombstoneIds" had too many elements')
              }

              if (obj.tombstoneIds === 64) {
                throw new MaxLengthError('Streaming decode error - repeated field "tombstoneIds" had too many elements')
              }

              yield {
                field: `${prefix}.tombstoneIds[]`,
                index: obj.tombstoneIds,
                value: reader.bytes()
              }

              obj.tombstoneIds++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SyncRangeLowerFieldEvent {
    field: '$.lower'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncRangeUpperFieldEvent {
    field: '$.upper'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncRangeIdsCountFieldEvent {
    field: '$.idsCount'
    value: number
  }

  export interface SyncRangeIdsFingerprintFieldEvent {
    field: '$.idsFingerprint'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncRangeTombstonesCountFieldEvent {
    field: '$.tombstonesCount'
    value: number
  }

  export interface SyncRangeTombstonesFingerprintFieldEvent {
    field: '$.tombstonesFingerprint'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncRangeListedFieldEvent {
    field: '$.listed'
    value: boolean
  }

  export interface SyncRangeIdsFieldEvent {
    field: '$.ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncRangeTombstoneIdsFieldEvent {
    field: '$.tombstoneIds[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SyncRange>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncRange.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncRange>): SyncRange {
    return decodeMessage(buf, SyncRange.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncRange>): Generator<SyncRangeLowerFieldEvent | SyncRangeUpperFieldEvent | SyncRangeIdsCountFieldEvent | SyncRangeIdsFingerprintFieldEvent | SyncRangeTombstonesCountFieldEvent | SyncRangeTombstonesFingerprintFieldEvent | SyncRangeListedFieldEvent | SyncRangeIdsFieldEvent | SyncRangeTombstoneIdsFieldEvent> {
    return streamMessage(buf, SyncRange.codec(), opts)
  }
}

export interface ReconcileChunks {
  recipient: Uint8Array<ArrayBuffer>
  ranges: SyncRange[]
}

export namespace ReconcileChunks {
  let _codec: Codec<ReconcileChunks>

  export const codec = (): Codec<ReconcileChunks> => {
    if (_codec == null) {
      _codec = message<ReconcileChunks>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.recipient != null && obj.recipient.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.recipient)
        }

        if (obj.ranges != null && obj.ranges.length > 0) {
          for (const value of obj.ranges) {
            w.uint32(18)
            SyncRange.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          recipient: uint8ArrayAlloc(0),
          ranges: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.recipient = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.ranges != null && obj.ranges.length === opts.limits.ranges) {
                throw new MaxLengthError('Decode error - repeated field "ranges" had too many elements')
              }

              if (obj.ranges.length === 128) {
                throw new MaxLengthError('Decode error - repeated field "ranges" had too many elements')
              }

              obj.ranges.push(SyncRange.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ranges$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          ranges: 128
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.recipient`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.ranges != null && obj.ranges === opts.limits.ranges) {
                throw new MaxLengthError('Streaming decode error - repeated field "ranges" had too many elements')
              }

              if (obj.ranges === 128) {
                throw new MaxLengthError('Streaming decode error - repeated field "ranges" had too many elements')
              }

              for (const evt of SyncRange.codec().stream(reader, reader.uint32(), `${prefix}.ranges[]`, {
                limits: opts.limits?.ranges$
              })) {
                yield {
                  ...evt,
                  index: obj.ranges
                }
              }

              obj.ranges++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ReconcileChunksRecipientFieldEvent {
    field: '$.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReconcileChunksRangesLowerFieldEvent {
    field: '$.ranges[].lower'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ReconcileChunksRangesUpperFieldEvent {
    field: '$.ranges[].upper'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ReconcileChunksRangesIdsCountFieldEvent {
    field: '$.ranges[].idsCount'
    value: number
    index: number
  }

  export interface ReconcileChunksRangesIdsFingerprintFieldEvent {
    field: '$.ranges[].idsFingerprint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ReconcileChunksRangesTombstonesCountFieldEvent {
    field: '$.ranges[].tombstonesCount'
    value: number
    index: number
  }

  export interface ReconcileChunksRangesTombstonesFingerprintFieldEvent {
    field: '$.ranges[].tombstonesFingerprint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ReconcileChunksRangesListedFieldEvent {
    field: '$.ranges[].listed'
    value: boolean
    index: number
  }

  export interface ReconcileChunksRangesIdsFieldEvent {
    field: '$.ranges[].ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReconcileChunksRangesTombstoneIdsFieldEvent {
    field: '$.ranges[].tombstoneIds[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ReconcileChunks>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ReconcileChunks.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReconcileChunks>): ReconcileChunks {
    return decodeMessage(buf, ReconcileChunks.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReconcileChunks>): Generator<ReconcileChunksRecipientFieldEvent | ReconcileChunksRangesLowerFieldEvent | ReconcileChunksRangesUpperFieldEvent | ReconcileChunksRangesIdsCountFieldEvent | ReconcileChunksRangesIdsFingerprintFieldEvent | ReconcileChunksRangesTombstonesCountFieldEvent | ReconcileChunksRangesTombstonesFingerprintFieldEvent | ReconcileChunksRangesListedFieldEvent | ReconcileChunksRangesIdsFieldEvent | ReconcileChunksRangesTombstoneIdsFieldEvent> {
    return streamMessage(buf, ReconcileChunks.codec(), opts)
  }
}

export interface OfferChunks {
  recipient: Uint8Array<ArrayBuffer>
  ids: Uint8Array<ArrayBuffer>[]
}

export namespace OfferChunks {
  let _codec: Codec<OfferChunks>

  export const codec = (): Codec<OfferChunks> => {
    if (_codec == null) {
      _codec = message<OfferChunks>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.recipient != null && obj.recipient.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.recipient)
        }

        if (obj.ids != null && obj.ids.length > 0) {
          for (const value of obj.ids) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          recipient: uint8ArrayAlloc(0),
          ids: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.recipient = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.ids != null && obj.ids.length === opts.limits.ids) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              if (obj.ids.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              obj.ids.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          ids: 1024
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.recipient`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              if (opts.limits?.ids != null && obj.ids === opts.limits.ids) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              if (obj.ids === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              yield {
                field: `${prefix}.ids[]`,
                index: obj.ids,
                value: reader.bytes()
              }

              obj.ids++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface OfferChunksRecipientFieldEvent {
    field: '$.recipient'
    value: Uint8Array<ArrayBuffer>
  }

  export interface OfferChunksIdsFieldEvent {
    field: '$.ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<OfferChunks>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OfferChunks.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OfferChunks>): OfferChunks {
    return decodeMessage(buf, OfferChunks.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OfferChunks>): Generator<OfferChunksRecipientFieldEvent | OfferChunksIdsFieldEvent> {
    return streamMessage(buf, OfferChunks.codec(), opts)
  }
}

export interface ReconcileAnswer {
  differ: SyncRange[]
  wantTombstones: Uint8Array<ArrayBuffer>[]
  wantBundle: boolean
}

export namespace ReconcileAnswer {
  let _codec: Codec<ReconcileAnswer>

  export const codec = (): Codec<ReconcileAnswer> => {
    if (_codec == null) {
      _codec = message<ReconcileAnswer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.differ != null && obj.differ.length > 0) {
          for (const value of obj.differ) {
            w.uint32(10)
            SyncRange.codec().encode(value, w)
          }
        }

        if (obj.wantTombstones != null && obj.wantTombstones.length > 0) {
          for (const value of obj.wantTombstones) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if ((obj.wantBundle != null && obj.wantBundle !== false)) {
          w.uint32(24)
          w.bool(obj.wantBundle)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          differ: [],
          wantTombstones: [],
          wantBundle: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.differ != null && obj.differ.length === opts.limits.differ) {
                throw new MaxLengthError('Decode error - repeated field "differ" had too many elements')
              }

              if (obj.differ.length === 128) {
                throw new MaxLengthError('Decode error - repeated field "differ" had too many elements')
              }

              obj.differ.push(SyncRange.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.differ$
              }))
              break
            }
            case 2: {
              if (opts.limits?.wantTombstones != null && obj.wantTombstones.length === opts.limits.wantTombstones) {
                throw new MaxLengthError('Decode error - repeated field "wantTombstones" had too many elements')
              }

              if (obj.wantTombstones.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "wantTombstones" had too many elements')
              }

              obj.wantTombstones.push(reader.bytes())
              break
            }
            case 3: {
              obj.wantBundle = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          differ: 128,
          wantTombstones: 1024
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.differ != null && obj.differ === opts.limits.differ) {
                throw new MaxLengthError('Streaming decode error - repeated field "differ" had too many elements')
              }

              if (obj.differ === 128) {
                throw new MaxLengthError('Streaming decode error - repeated field "differ" had too many elements')
              }

              for (const evt of SyncRange.codec().stream(reader, reader.uint32(), `${prefix}.differ[]`, {
                limits: opts.limits?.differ$
              })) {
                yield {
                  ...evt,
                  index: obj.differ
                }
              }

              obj.differ++

              break
            }
            case 2: {
              if (opts.limits?.wantTombstones != null && obj.wantTombstones === opts.limits.wantTombstones) {
                throw new MaxLengthError('Streaming decode error - repeated field "wantTombstones" had too many elements')
              }

              if (obj.wantTombstones === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "wantTombstones" had too many elements')
              }

              yield {
                field: `${prefix}.wantTombstones[]`,
                index: obj.wantTombstones,
                value: reader.bytes()
              }

              obj.wantTombstones++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.wantBundle`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ReconcileAnswerDifferLowerFieldEvent {
    field: '$.differ[].lower'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ReconcileAnswerDifferUpperFieldEvent {
    field: '$.differ[].upper'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ReconcileAnswerDifferIdsCountFieldEvent {
    field: '$.differ[].idsCount'
    value: number
    index: number
  }

  export interface ReconcileAnswerDifferIdsFingerprintFieldEvent {
    field: '$.differ[].idsFingerprint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ReconcileAnswerDifferTombstonesCountFieldEvent {
    field: '$.differ[].tombstonesCount'
    value: number
    index: number
  }

  export interface ReconcileAnswerDifferTombstonesFingerprintFieldEvent {
    field: '$.differ[].tombstonesFingerprint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ReconcileAnswerDifferListedFieldEvent {
    field: '$.differ[].listed'
    value: boolean
    index: number
  }

  export interface ReconcileAnswerDifferIdsFieldEvent {
    field: '$.differ[].ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReconcileAnswerDifferTombstoneIdsFieldEvent {
    field: '$.differ[].tombstoneIds[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReconcileAnswerWantTombstonesFieldEvent {
    field: '$.wantTombstones[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface ReconcileAnswerWantBundleFieldEvent {
    field: '$.wantBundle'
    value: boolean
  }

  export function encode (obj: Partial<ReconcileAnswer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ReconcileAnswer.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReconcileAnswer>): ReconcileAnswer {
    return decodeMessage(buf, ReconcileAnswer.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ReconcileAnswer>): Generator<ReconcileAnswerDifferLowerFieldEvent | ReconcileAnswerDifferUpperFieldEvent | ReconcileAnswerDifferIdsCountFieldEvent | ReconcileAnswerDifferIdsFingerprintFieldEvent | ReconcileAnswerDifferTombstonesCountFieldEvent | ReconcileAnswerDifferTombstonesFingerprintFieldEvent | ReconcileAnswerDifferListedFieldEvent | ReconcileAnswerDifferIdsFieldEvent | ReconcileAnswerDifferTombstoneIdsFieldEvent | ReconcileAnswerWantTombstonesFieldEvent | ReconcileAnswerWantBundleFieldEvent> {
    return streamMessage(buf, ReconcileAnswer.codec(), opts)
  }
}

export enum MailboxStatus {
  MAILBOX_OK = 'MAILBOX_OK',
  MAILBOX_DUPLICATE = 'MAILBOX_DUPLICATE',
  MAILBOX_BAD_REQUEST = 'MAILBOX_BAD_REQUEST',
  MAILBOX_TOO_LARGE = 'MAILBOX_TOO_LARGE',
  MAILBOX_QUOTA_EXCEEDED = 'MAILBOX_QUOTA_EXCEEDED',
  MAILBOX_RATE_LIMITED = 'MAILBOX_RATE_LIMITED',
  MAILBOX_NOT_OWNER = 'MAILBOX_NOT_OWNER',
  MAILBOX_EXPIRED = 'MAILBOX_EXPIRED',
  MAILBOX_BAD_SIGNATURE = 'MAILBOX_BAD_SIGNATURE',
  MAILBOX_NOT_FOUND = 'MAILBOX_NOT_FOUND',
  MAILBOX_INTERNAL = 'MAILBOX_INTERNAL',
  MAILBOX_NOT_RESPONSIBLE = 'MAILBOX_NOT_RESPONSIBLE',
  MAILBOX_NODE_FULL = 'MAILBOX_NODE_FULL'
}

enum __MailboxStatusValues {
  MAILBOX_OK = 0,
  MAILBOX_DUPLICATE = 1,
  MAILBOX_BAD_REQUEST = 2,
  MAILBOX_TOO_LARGE = 3,
  MAILBOX_QUOTA_EXCEEDED = 4,
  MAILBOX_RATE_LIMITED = 5,
  MAILBOX_NOT_OWNER = 6,
  MAILBOX_EXPIRED = 7,
  MAILBOX_BAD_SIGNATURE = 8,
  MAILBOX_NOT_FOUND = 9,
  MAILBOX_INTERNAL = 10,
  MAILBOX_NOT_RESPONSIBLE = 11,
  MAILBOX_NODE_FULL = 12
}

export namespace MailboxStatus {
  export const codec = (): Codec<MailboxStatus> => {
    return enumeration<MailboxStatus>(__MailboxStatusValues)
  }
}

export interface MailboxResponse {
  status: MailboxStatus
  detail: string
  envelopes: Envelope[]
  more: boolean
  bundle?: PreKeyBundle
  info?: MailboxInfo
  wanted: Uint8Array<ArrayBuffer>[]
  tombstones: Tombstone[]
  reconcile?: ReconcileAnswer
  chunk?: Uint8Array<ArrayBuffer>
  deposited: DepositStatus[]
  released?: number
}

export namespace MailboxResponse {
  let _codec: Codec<MailboxResponse>

  export const codec = (): Codec<MailboxResponse> => {
    if (_codec == null) {
      _codec = message<MailboxResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __MailboxStatusValues[obj.status] !== 0) {
          w.uint32(8)
          MailboxStatus.codec().encode(obj.status, w)
        }

        if ((obj.detail != null && obj.detail !== '')) {
          w.uint32(18)
          w.string(obj.detail)
        }

        if (obj.envelopes != null && obj.envelopes.length > 0) {
          for (const value of obj.envelopes) {
            w.uint32(26)
            Envelope.codec().encode(value, w)
          }
        }

        if ((obj.more != null && obj.more !== false)) {
          w.uint32(32)
          w.bool(obj.more)
        }

        if (obj.bundle != null) {
          w.uint32(42)
          PreKeyBundle.codec().encode(obj.bundle, w)
        }

        if (obj.info != null) {
          w.uint32(50)
          MailboxInfo.codec().encode(obj.info, w)
        }

        if (obj.wanted != null && obj.wanted.length > 0) {
          for (const value of obj.wanted) {
            w.uint32(58)
            w.bytes(value)
          }
        }

        if (obj.tombstones != null && obj.tombstones.length > 0) {
          for (const value of obj.tombstones) {
            w.uint32(66)
            Tombstone.codec().encode(value, w)
          }
        }

        if (obj.reconcile != null) {
          w.uint32(74)
          ReconcileAnswer.codec().encode(obj.reconcile, w)
        }

        if (obj.chunk != null) {
          w.uint32(82)
          w.bytes(obj.chunk)
        }

        if (obj.deposited != null && obj.deposited.length > 0) {
          for (const value of obj.deposited) {
            w.uint32(90)
            DepositStatus.codec().encode(value, w)
          }
        }

        if (obj.released != null) {
          w.uint32(96)
          w.uint32(obj.released)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: MailboxStatus.MAILBOX_OK,
          detail: '',
          envelopes: [],
          more: false,
          wanted: [],
          tombstones: [],
          deposited: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = MailboxStatus.codec().decode(reader)
              break
            }
            case 2: {
              obj.detail = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.envelopes != null && obj.envelopes.length === opts.limits.envelopes) {
                throw new MaxLengthError('Decode error - repeated field "envelopes" had too many elements')
              }

              if (obj.envelopes.length === 4096) {
                throw new MaxLengthError('Decode error - repeated field "envelopes" had too many elements')
              }

              obj.envelopes.push(Envelope.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.envelopes$
              }))
              break
            }
            case 4: {
              obj.more = reader.bool()
              break
            }
            case 5: {
              obj.bundle = PreKeyBundle.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.bundle
              })
              break
            }
            case 6: {
              obj.info = MailboxInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.info
              })
              break
            }
            case 7: {
              if (opts.limits?.wanted != null && obj.wanted.length === opts.limits.wanted) {
                throw new MaxLengthError('Decode error - repeated field "wanted" had too many elements')
              }

              if (obj.wanted.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "wanted" had too many elements')
              }

              obj.wanted.push(reader.bytes())
              break
            }
            case 8: {
              if (opts.limits?.tombstones != null && obj.tombstones.length === opts.limits.tombstones) {
                throw new MaxLengthError('Decode error - repeated field "tombstones" had too many elements')
              }

              if (obj.tombstones.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "tombstones" had too many elements')
              }

              obj.tombstones.push(Tombstone.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.tombstones$
              }))
              break
            }
            case 9: {
              obj.reconcile = ReconcileAnswer.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.reconcile
              })
              break
            }
            case 10: {
              obj.chunk = reader.bytes()
              break
            }
            case 11: {
              if (opts.limits?.deposited != null && obj.deposited.length === opts.limits.deposited) {
                throw new MaxLengthError('Decode error - repeated field "deposited" had too many elements')
              }

              if (obj.deposited.length === 256) {
                throw new MaxLengthError('Decode error - repeated field "deposited" had too many elements')
              }

              obj.deposited.push(DepositStatus.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.deposited$
              }))
              break
            }
            case 12: {
              obj.released = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          envelopes: 4096,
          wanted: 1024,
          tombstones: 1024,
          deposited: 256
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: MailboxStatus.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.detail`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.envelopes != null && obj.envelopes === opts.limits.envelopes) {
                throw new MaxLengthError('Streaming decode error - repeated field "envelopes" had too many elements')
              }

              if (obj.envelopes === 4096) {
                throw new MaxLengthError('Streaming decode error - repeated field "envelopes" had too many elements')
              }

              for (const evt of Envelope.codec().stream(reader, reader.uint32(), `${prefix}.envelopes[]`, {
                limits: opts.limits?.envelopes$
              })) {
                yield {
                  ...evt,
                  index: obj.envelopes
                }
              }

              obj.envelopes++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.more`,
                value: reader.bool()
              }
              break
            }
            case 5: {
              yield * PreKeyBundle.codec().stream(reader, reader.uint32(), `${prefix}.bundle`, {
                limits: opts.limits?.bundle
              })

              break
            }
            case 6: {
              yield * MailboxInfo.codec().stream(reader, reader.uint32(), `${prefix}.info`, {
                limits: opts.limits?.info
              })

              break
            }
            case 7: {
              if (opts.limits?.wanted != null && obj.wanted === opts.limits.wanted) {
                throw new MaxLengthError('Streaming decode error - repeated field "wanted" had too many elements')
              }

              if (obj.wanted === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "wanted" had too many elements')
              }

              yield {
                field: `${prefix}.wanted[]`,
                index: obj.wanted,
                value: reader.bytes()
              }

              obj.wanted++

              break
            }
            case 8: {
              if (opts.limits?.tombstones != null && obj.tombstones === opts.limits.tombstones) {
                throw new MaxLengthError('Streaming decode error - repeated field "tombstones" had too many elements')
              }

              if (obj.tombstones === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "tombstones" had too many elements')
              }

              for (const evt of Tombstone.codec().stream(reader, reader.uint32(), `${prefix}.tombstones[]`, {
                limits: opts.limits?.tombstones$
              })) {
                yield {
                  ...evt,
                  index: obj.tombstones
                }
              }

              obj.tombstones++

              break
            }
            case 9: {
              yield * ReconcileAnswer.codec().stream(reader, reader.uint32(), `${prefix}.reconcile`, {
                limits: opts.limits?.reconcile
              })

              break
            }
            case 10: {
              yield {
                field: `${prefix}.chunk`,
                value: reader.bytes()
              }
              break
            }
            case 11: {
              if (opts.limits?.deposited != null && obj.deposited === opts.limits.deposited) {
                throw new MaxLengthError('Streaming decode error - repeated field "deposited" had too many elements')
              }

              if (obj.deposited === 256) {
                throw new MaxLengthError('Streaming decode error - repeated field "deposited" had too many elements')
              }

              for (const evt of DepositStatus.codec().stream(reader, reader.uint32(), `${prefix}.deposited[]`, {
                limits: opts.limits?.deposited$
              })) {
                yield {
                  ...evt,
                  index: obj.deposited
                }
              }

              obj.deposited++

              break
            }
            case 12: {
              yield {
                field: `${prefix}.released`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MailboxResponseStatusFieldEvent {
    field: '$.status'
    value: MailboxStatus
  }

  export interface MailboxResponseDetailFieldEvent {
    field: '$.detail'
    value: string
  }

  export interface MailboxResponseEnvelopesVersionFieldEvent {
    field: '$.envelopes[].version'
    value: number
    index: number
  }

  export interface MailboxResponseEnvelopesIdFieldEvent {
    field: '$.envelopes[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxResponseEnvelopesRecipientFieldEvent {
    field: '$.envelopes[].recipient'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxResponseEnvelopesSealedFieldEvent {
    field: '$.envelopes[].sealed'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxResponseEnvelopesCreatedAtFieldEvent {
    field: '$.envelopes[].createdAt'
    value: number
    index: number
  }

  export interface MailboxResponseEnvelopesExpiresAtFieldEvent {
    field: '$.envelopes[].expiresAt'
    value: number
    index: number
  }

  export interface MailboxResponseMoreFieldEvent {
    field: '$.more'
    value: boolean
  }

  export interface MailboxResponseBundleVersionFieldEvent {
    field: '$.bundle.version'
    value: number
  }

  export interface MailboxResponseBundleCertificatePeerIdFieldEvent {
    field: '$.bundle.certificate.peerId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxResponseBundleCertificateIdentityKeyFieldEvent {
    field: '$.bundle.certificate.identityKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxResponseBundleCertificateIssuedAtFieldEvent {
    field: '$.bundle.certificate.issuedAt'
    value: number
  }

  export interface MailboxResponseBundleCertificateSignatureFieldEvent {
    field: '$.bundle.certificate.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxResponseBundleRegistrationIdFieldEvent {
    field: '$.bundle.registrationId'
    value: number
  }

  export interface MailboxResponseBundleDeviceIdFieldEvent {
    field: '$.bundle.deviceId'
    value: number
  }

  export interface MailboxResponseBundleSignedPreKeyIdFieldEvent {
    field: '$.bundle.signedPreKey.id'
    value: number
  }

  export interface MailboxResponseBundleSignedPreKeyPublicKeyFieldEvent {
    field: '$.bundle.signedPreKey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxResponseBundleSignedPreKeySignatureFieldEvent {
    field: '$.bundle.signedPreKey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxResponseBundleSignedPreKeyCreatedAtFieldEvent {
    field: '$.bundle.signedPreKey.createdAt'
    value: number
  }

  export interface MailboxResponseBundleLastResortKyberPreKeyIdFieldEvent {
    field: '$.bundle.lastResortKyberPreKey.id'
    value: number
  }

  export interface MailboxResponseBundleLastResortKyberPreKeyPublicKeyFieldEvent {
    field: '$.bundle.lastResortKyberPreKey.publicKey'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxResponseBundleLastResortKyberPreKeySignatureFieldEvent {
    field: '$.bundle.lastResortKyberPreKey.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxResponseBundleLastResortKyberPreKeyBindingFieldEvent {
    field: '$.bundle.lastResortKyberPreKey.binding'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxResponseBundlePreKeysIdFieldEvent {
    field: '$.bundle.preKeys[].id'
    value: number
    index: number
  }

  export interface MailboxResponseBundlePreKeysPublicKeyFieldEvent {
    field: '$.bundle.preKeys[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxResponseBundlePreKeysSignatureFieldEvent {
    field: '$.bundle.preKeys[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxResponseBundleKyberPreKeysIdFieldEvent {
    field: '$.bundle.kyberPreKeys[].id'
    value: number
    index: number
  }

  export interface MailboxResponseBundleKyberPreKeysPublicKeyFieldEvent {
    field: '$.bundle.kyberPreKeys[].publicKey'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxResponseBundleKyberPreKeysSignatureFieldEvent {
    field: '$.bundle.kyberPreKeys[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxResponseBundleKyberPreKeysBindingFieldEvent {
    field: '$.bundle.kyberPreKeys[].binding'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxResponseBundlePublishedAtFieldEvent {
    field: '$.bundle.publishedAt'
    value: number
  }

  export interface MailboxResponseBundleSignatureFieldEvent {
    field: '$.bundle.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxResponseInfoEnvelopesFieldEvent {
    field: '$.info.envelopes'
    value: number
  }

  export interface MailboxResponseInfoBytesFieldEvent {
    field: '$.info.bytes'
    value: number
  }

  export interface MailboxResponseInfoOneTimePreKeysFieldEvent {
    field: '$.info.oneTimePreKeys'
    value: number
  }

  export interface MailboxResponseInfoOneTimeKyberPreKeysFieldEvent {
    field: '$.info.oneTimeKyberPreKeys'
    value: number
  }

  export interface MailboxResponseInfoHasBundleFieldEvent {
    field: '$.info.hasBundle'
    value: boolean
  }

  export interface MailboxResponseWantedFieldEvent {
    field: '$.wanted[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxResponseTombstonesIdFieldEvent {
    field: '$.tombstones[].id'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxResponseTombstonesExpiresAtFieldEvent {
    field: '$.tombstones[].expiresAt'
    value: number
    index: number
  }

  export interface MailboxResponseTombstonesSignatureFieldEvent {
    field: '$.tombstones[].signature'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxResponseReconcileDifferLowerFieldEvent {
    field: '$.reconcile.differ[].lower'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxResponseReconcileDifferUpperFieldEvent {
    field: '$.reconcile.differ[].upper'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxResponseReconcileDifferIdsCountFieldEvent {
    field: '$.reconcile.differ[].idsCount'
    value: number
    index: number
  }

  export interface MailboxResponseReconcileDifferIdsFingerprintFieldEvent {
    field: '$.reconcile.differ[].idsFingerprint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxResponseReconcileDifferTombstonesCountFieldEvent {
    field: '$.reconcile.differ[].tombstonesCount'
    value: number
    index: number
  }

  export interface MailboxResponseReconcileDifferTombstonesFingerprintFieldEvent {
    field: '$.reconcile.differ[].tombstonesFingerprint'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface MailboxResponseReconcileDifferListedFieldEvent {
    field: '$.reconcile.differ[].listed'
    value: boolean
    index: number
  }

  export interface MailboxResponseReconcileDifferIdsFieldEvent {
    field: '$.reconcile.differ[].ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxResponseReconcileDifferTombstoneIdsFieldEvent {
    field: '$.reconcile.differ[].tombstoneIds[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxResponseReconcileWantTombstonesFieldEvent {
    field: '$.reconcile.wantTombstones[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxResponseReconcileWantBundleFieldEvent {
    field: '$.reconcile.wantBundle'
    value: boolean
  }

  export interface MailboxResponseChunkFieldEvent {
    field: '$.chunk'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MailboxResponseDepositedStatusFieldEvent {
    field: '$.deposited[].status'
    value: MailboxStatus
    index: number
  }

  export interface MailboxResponseDepositedDetailFieldEvent {
    field: '$.deposited[].detail'
    value: string
    index: number
  }

  export interface MailboxResponseReleasedFieldEvent {
    field: '$.released'
    value: number
  }

  export function encode (obj: Partial<MailboxResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxResponse>): MailboxResponse {
    return decodeMessage(buf, MailboxResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxResponse>): Generator<MailboxResponseStatusFieldEvent | MailboxResponseDetailFieldEvent | MailboxResponseEnvelopesVersionFieldEvent | MailboxResponseEnvelopesIdFieldEvent | MailboxResponseEnvelopesRecipientFieldEvent | MailboxResponseEnvelopesSealedFieldEvent | MailboxResponseEnvelopesCreatedAtFieldEvent | MailboxResponseEnvelopesExpiresAtFieldEvent | MailboxResponseMoreFieldEvent | MailboxResponseBundleVersionFieldEvent | MailboxResponseBundleCertificatePeerIdFieldEvent | MailboxResponseBundleCertificateIdentityKeyFieldEvent | MailboxResponseBundleCertificateIssuedAtFieldEvent | MailboxResponseBundleCertificateSignatureFieldEvent | MailboxResponseBundleRegistrationIdFieldEvent | MailboxResponseBundleDeviceIdFieldEvent | MailboxResponseBundleSignedPreKeyIdFieldEvent | MailboxResponseBundleSignedPreKeyPublicKeyFieldEvent | MailboxResponseBundleSignedPreKeySignatureFieldEvent | MailboxResponseBundleSignedPreKeyCreatedAtFieldEvent | MailboxResponseBundleLastResortKyberPreKeyIdFieldEvent | MailboxResponseBundleLastResortKyberPreKeyPublicKeyFieldEvent | MailboxResponseBundleLastResortKyberPreKeySignatureFieldEvent | MailboxResponseBundleLastResortKyberPreKeyBindingFieldEvent | MailboxResponseBundlePreKeysIdFieldEvent | MailboxResponseBundlePreKeysPublicKeyFieldEvent | MailboxResponseBundlePreKeysSignatureFieldEvent | MailboxResponseBundleKyberPreKeysIdFieldEvent | MailboxResponseBundleKyberPreKeysPublicKeyFieldEvent | MailboxResponseBundleKyberPreKeysSignatureFieldEvent | MailboxResponseBundleKyberPreKeysBindingFieldEvent | MailboxResponseBundlePublishedAtFieldEvent | MailboxResponseBundleSignatureFieldEvent | MailboxResponseInfoEnvelopesFieldEvent | MailboxResponseInfoBytesFieldEvent | MailboxResponseInfoOneTimePreKeysFieldEvent | MailboxResponseInfoOneTimeKyberPreKeysFieldEvent | MailboxResponseInfoHasBundleFieldEvent | MailboxResponseWantedFieldEvent | MailboxResponseTombstonesIdFieldEvent | MailboxResponseTombstonesExpiresAtFieldEvent | MailboxResponseTombstonesSignatureFieldEvent | MailboxResponseReconcileDifferLowerFieldEvent | MailboxResponseReconcileDifferUpperFieldEvent | MailboxResponseReconcileDifferIdsCountFieldEvent | MailboxResponseReconcileDifferIdsFingerprintFieldEvent | MailboxResponseReconcileDifferTombstonesCountFieldEvent | MailboxResponseReconcileDifferTombstonesFingerprintFieldEvent | MailboxResponseReconcileDifferListedFieldEvent | MailboxResponseReconcileDifferIdsFieldEvent | MailboxResponseReconcileDifferTombstoneIdsFieldEvent | MailboxResponseReconcileWantTombstonesFieldEvent | MailboxResponseReconcileWantBundleFieldEvent | MailboxResponseChunkFieldEvent | MailboxResponseDepositedStatusFieldEvent | MailboxResponseDepositedDetailFieldEvent | MailboxResponseReleasedFieldEvent> {
    return streamMessage(buf, MailboxResponse.codec(), opts)
  }
}

export interface MailboxInfo {
  envelopes: number
  bytes: number
  oneTimePreKeys: number
  oneTimeKyberPreKeys: number
  hasBundle: boolean
}

export namespace MailboxInfo {
  let _codec: Codec<MailboxInfo>

  export const codec = (): Codec<MailboxInfo> => {
    if (_codec == null) {
      _codec = message<MailboxInfo>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.envelopes != null && obj.envelopes !== 0)) {
          w.uint32(8)
          w.uint32(obj.envelopes)
        }

        if ((obj.bytes != null && obj.bytes !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.bytes)
        }

        if ((obj.oneTimePreKeys != null && obj.oneTimePreKeys !== 0)) {
          w.uint32(24)
          w.uint32(obj.oneTimePreKeys)
        }

        if ((obj.oneTimeKyberPreKeys != null && obj.oneTimeKyberPreKeys !== 0)) {
          w.uint32(32)
          w.uint32(obj.oneTimeKyberPreKeys)
        }

        if ((obj.hasBundle != null && obj.hasBundle !== false)) {
          w.uint32(40)
          w.bool(obj.hasBundle)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          envelopes: 0,
          bytes: 0,
          oneTimePreKeys: 0,
          oneTimeKyberPreKeys: 0,
          hasBundle: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.envelopes = reader.uint32()
              break
            }
            case 2: {
              obj.bytes = reader.uint64Number()
              break
            }
            case 3: {
              obj.oneTimePreKeys = reader.uint32()
              break
            }
            case 4: {
              obj.oneTimeKyberPreKeys = reader.uint32()
              break
            }
            case 5: {
              obj.hasBundle = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.envelopes`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.bytes`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.oneTimePreKeys`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.oneTimeKyberPreKeys`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.hasBundle`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MailboxInfoEnvelopesFieldEvent {
    field: '$.envelopes'
    value: number
  }

  export interface MailboxInfoBytesFieldEvent {
    field: '$.bytes'
    value: number
  }

  export interface MailboxInfoOneTimePreKeysFieldEvent {
    field: '$.oneTimePreKeys'
    value: number
  }

  export interface MailboxInfoOneTimeKyberPreKeysFieldEvent {
    field: '$.oneTimeKyberPreKeys'
    value: number
  }

  export interface MailboxInfoHasBundleFieldEvent {
    field: '$.hasBundle'
    value: boolean
  }

  export function encode (obj: Partial<MailboxInfo>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, MailboxInfo.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxInfo>): MailboxInfo {
    return decodeMessage(buf, MailboxInfo.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MailboxInfo>): Generator<MailboxInfoEnvelopesFieldEvent | MailboxInfoBytesFieldEvent | MailboxInfoOneTimePreKeysFieldEvent | MailboxInfoOneTimeKyberPreKeysFieldEvent | MailboxInfoHasBundleFieldEvent> {
    return streamMessage(buf, MailboxInfo.codec(), opts)
  }
}

export interface ChunkOffer {
  version: number
  fileId: Uint8Array<ArrayBuffer>
}

export namespace ChunkOffer {
  let _codec: Codec<ChunkOffer>

  export const codec = (): Codec<ChunkOffer> => {
    if (_codec == null) {
      _codec = message<ChunkOffer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.fileId != null && obj.fileId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.fileId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          fileId: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.fileId = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.fileId`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ChunkOfferVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface ChunkOfferFileIdFieldEvent {
    field: '$.fileId'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ChunkOffer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChunkOffer.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkOffer>): ChunkOffer {
    return decodeMessage(buf, ChunkOffer.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkOffer>): Generator<ChunkOfferVersionFieldEvent | ChunkOfferFileIdFieldEvent> {
    return streamMessage(buf, ChunkOffer.codec(), opts)
  }
}

export enum ChunkStatus {
  CHUNK_OK = 'CHUNK_OK',
  CHUNK_UNKNOWN_FILE = 'CHUNK_UNKNOWN_FILE',
  CHUNK_BAD_REQUEST = 'CHUNK_BAD_REQUEST',
  CHUNK_CORRUPT = 'CHUNK_CORRUPT',
  CHUNK_INTERNAL = 'CHUNK_INTERNAL'
}

enum __ChunkStatusValues {
  CHUNK_OK = 0,
  CHUNK_UNKNOWN_FILE = 1,
  CHUNK_BAD_REQUEST = 2,
  CHUNK_CORRUPT = 3,
  CHUNK_INTERNAL = 4
}

export namespace ChunkStatus {
  export const codec = (): Codec<ChunkStatus> => {
    return enumeration<ChunkStatus>(__ChunkStatusValues)
  }
}

export interface ChunkWant {
  status: ChunkStatus
  detail: string
  missing: number[]
}

export namespace ChunkWant {
  let _codec: Codec<ChunkWant>

  export const codec = (): Codec<ChunkWant> => {
    if (_codec == null) {
      _codec = message<ChunkWant>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __ChunkStatusValues[obj.status] !== 0) {
          w.uint32(8)
          ChunkStatus.codec().encode(obj.status, w)
        }

        if ((obj.detail != null && obj.detail !== '')) {
          w.uint32(18)
          w.string(obj.detail)
        }

        if (obj.missing != null && obj.missing.length > 0) {
          for (const value of obj.missing) {
            w.uint32(24)
            w.uint32(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: ChunkStatus.CHUNK_OK,
          detail: '',
          missing: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = ChunkStatus.codec().decode(reader)
              break
            }
            case 2: {
              obj.detail = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.missing != null && obj.missing.length === opts.limits.missing) {
                throw new MaxLengthError('Decode error - repeated field "missing" had too many elements')
              }

              if (obj.missing.length === 2048) {
                throw new MaxLengthError('Decode error - repeated field "missing" had too many elements')
              }

              obj.missing.push(reader.uint32())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          missing: 2048
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: ChunkStatus.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.detail`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.missing != null && obj.missing === opts.limits.missing) {
                throw new MaxLengthError('Streaming decode error - repeated field "missing" had too many elements')
              }

              if (obj.missing === 2048) {
                throw new MaxLengthError('Streaming decode error - repeated field "missing" had too many elements')
              }

              yield {
                field: `${prefix}.missing[]`,
                index: obj.missing,
                value: reader.uint32()
              }

              obj.missing++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ChunkWantStatusFieldEvent {
    field: '$.status'
    value: ChunkStatus
  }

  export interface ChunkWantDetailFieldEvent {
    field: '$.detail'
    value: string
  }

  export interface ChunkWantMissingFieldEvent {
    field: '$.missing[]'
    index: number
    value: number
  }

  export function encode (obj: Partial<ChunkWant>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChunkWant.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkWant>): ChunkWant {
    return decodeMessage(buf, ChunkWant.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkWant>): Generator<ChunkWantStatusFieldEvent | ChunkWantDetailFieldEvent | ChunkWantMissingFieldEvent> {
    return streamMessage(buf, ChunkWant.codec(), opts)
  }
}

export interface ChunkData {
  index: number
  data: Uint8Array<ArrayBuffer>
}

export namespace ChunkData {
  let _codec: Codec<ChunkData>

  export const codec = (): Codec<ChunkData> => {
    if (_codec == null) {
      _codec = message<ChunkData>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            case 2: {
              obj.data = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.data`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ChunkDataIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface ChunkDataDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ChunkData>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChunkData.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkData>): ChunkData {
    return decodeMessage(buf, ChunkData.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkData>): Generator<ChunkDataIndexFieldEvent | ChunkDataDataFieldEvent> {
    return streamMessage(buf, ChunkData.codec(), opts)
  }
}

export interface ChunkEnd {
  tagsSha256: Uint8Array<ArrayBuffer>
}

export namespace ChunkEnd {
  let _codec: Codec<ChunkEnd>

  export const codec = (): Codec<ChunkEnd> => {
    if (_codec == null) {
      _codec = message<ChunkEnd>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.tagsSha256 != null && obj.tagsSha256.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.tagsSha256)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          tagsSha256: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.tagsSha256 = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.tagsSha256`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ChunkEndTagsSha256FieldEvent {
    field: '$.tagsSha256'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ChunkEnd>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChunkEnd.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkEnd>): ChunkEnd {
    return decodeMessage(buf, ChunkEnd.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkEnd>): Generator<ChunkEndTagsSha256FieldEvent> {
    return streamMessage(buf, ChunkEnd.codec(), opts)
  }
}

export interface ChunkDone {
  status: ChunkStatus
  detail: string
  stored: number
}

export namespace ChunkDone {
  let _codec: Codec<ChunkDone>

  export const codec = (): Codec<ChunkDone> => {
    if (_codec == null) {
      _codec = message<ChunkDone>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __ChunkStatusValues[obj.status] !== 0) {
          w.uint32(8)
          ChunkStatus.codec().encode(obj.status, w)
        }

        if ((obj.detail != null && obj.detail !== '')) {
          w.uint32(18)
          w.string(obj.detail)
        }

        if ((obj.stored != null && obj.stored !== 0)) {
          w.uint32(24)
          w.uint32(obj.stored)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: ChunkStatus.CHUNK_OK,
          detail: '',
          stored: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = ChunkStatus.codec().decode(reader)
              break
            }
            case 2: {
              obj.detail = reader.string()
              break
            }
            case 3: {
              obj.stored = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: ChunkStatus.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.detail`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.stored`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ChunkDoneStatusFieldEvent {
    field: '$.status'
    value: ChunkStatus
  }

  export interface ChunkDoneDetailFieldEvent {
    field: '$.detail'
    value: string
  }

  export interface ChunkDoneStoredFieldEvent {
    field: '$.stored'
    value: number
  }

  export function encode (obj: Partial<ChunkDone>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChunkDone.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkDone>): ChunkDone {
    return decodeMessage(buf, ChunkDone.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChunkDone>): Generator<ChunkDoneStatusFieldEvent | ChunkDoneDetailFieldEvent | ChunkDoneStoredFieldEvent> {
    return streamMessage(buf, ChunkDone.codec(), opts)
  }
}
