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
  text?: Text
  receipt?: Receipt
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


        if (obj.receipt != null) {
          obj.text = undefined
        }

        if (obj.text != null) {
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

        if (obj.text != null) {
          w.uint32(82)
          Text.codec().encode(obj.text, w)
        }

        if (obj.receipt != null) {
          w.uint32(90)
          Receipt.codec().encode(obj.receipt, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          id: uint8ArrayAlloc(0),
          sentAt: 0,
          seq: 0
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
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }


        if (obj.receipt != null) {
          delete obj.text
        }

        if (obj.text != null) {
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

  export function encode (obj: Partial<Content>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Content.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Content>): Content {
    return decodeMessage(buf, Content.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Content>): Generator<ContentVersionFieldEvent | ContentIdFieldEvent | ContentSentAtFieldEvent | ContentSeqFieldEvent | ContentSenderCertificatePeerIdFieldEvent | ContentSenderCertificateIdentityKeyFieldEvent | ContentSenderCertificateIssuedAtFieldEvent | ContentSenderCertificateSignatureFieldEvent | ContentTextBodyFieldEvent | ContentReceiptKindFieldEvent | ContentReceiptIdsFieldEvent> {
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

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: 0,
          publicKey: uint8ArrayAlloc(0)
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

  export function encode (obj: Partial<OneTimePreKey>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, OneTimePreKey.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OneTimePreKey>): OneTimePreKey {
    return decodeMessage(buf, OneTimePreKey.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OneTimePreKey>): Generator<OneTimePreKeyIdFieldEvent | OneTimePreKeyPublicKeyFieldEvent> {
    return streamMessage(buf, OneTimePreKey.codec(), opts)
  }
}

export interface KyberPreKey {
  id: number
  publicKey: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
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

  export function encode (obj: Partial<KyberPreKey>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, KyberPreKey.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KyberPreKey>): KyberPreKey {
    return decodeMessage(buf, KyberPreKey.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<KyberPreKey>): Generator<KyberPreKeyIdFieldEvent | KyberPreKeyPublicKeyFieldEvent | KyberPreKeySignatureFieldEvent> {
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
          publishedAt: 0
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

  export interface PreKeyBundlePublishedAtFieldEvent {
    field: '$.publishedAt'
    value: number
  }

  export function encode (obj: Partial<PreKeyBundle>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PreKeyBundle.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PreKeyBundle>): PreKeyBundle {
    return decodeMessage(buf, PreKeyBundle.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PreKeyBundle>): Generator<PreKeyBundleVersionFieldEvent | PreKeyBundleCertificatePeerIdFieldEvent | PreKeyBundleCertificateIdentityKeyFieldEvent | PreKeyBundleCertificateIssuedAtFieldEvent | PreKeyBundleCertificateSignatureFieldEvent | PreKeyBundleRegistrationIdFieldEvent | PreKeyBundleDeviceIdFieldEvent | PreKeyBundleSignedPreKeyIdFieldEvent | PreKeyBundleSignedPreKeyPublicKeyFieldEvent | PreKeyBundleSignedPreKeySignatureFieldEvent | PreKeyBundleSignedPreKeyCreatedAtFieldEvent | PreKeyBundleLastResortKyberPreKeyIdFieldEvent | PreKeyBundleLastResortKyberPreKeyPublicKeyFieldEvent | PreKeyBundleLastResortKyberPreKeySignatureFieldEvent | PreKeyBundlePreKeysIdFieldEvent | PreKeyBundlePreKeysPublicKeyFieldEvent | PreKeyBundleKyberPreKeysIdFieldEvent | PreKeyBundleKyberPreKeysPublicKeyFieldEvent | PreKeyBundleKyberPreKeysSignatureFieldEvent | PreKeyBundlePublishedAtFieldEvent> {
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

  export interface DirectResponseBundlePublishedAtFieldEvent {
    field: '$.bundle.publishedAt'
    value: number
  }

  export function encode (obj: Partial<DirectResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DirectResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectResponse>): DirectResponse {
    return decodeMessage(buf, DirectResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectResponse>): Generator<DirectResponseStatusFieldEvent | DirectResponseDetailFieldEvent | DirectResponseIdFieldEvent | DirectResponseBundleVersionFieldEvent | DirectResponseBundleCertificatePeerIdFieldEvent | DirectResponseBundleCertificateIdentityKeyFieldEvent | DirectResponseBundleCertificateIssuedAtFieldEvent | DirectResponseBundleCertificateSignatureFieldEvent | DirectResponseBundleRegistrationIdFieldEvent | DirectResponseBundleDeviceIdFieldEvent | DirectResponseBundleSignedPreKeyIdFieldEvent | DirectResponseBundleSignedPreKeyPublicKeyFieldEvent | DirectResponseBundleSignedPreKeySignatureFieldEvent | DirectResponseBundleSignedPreKeyCreatedAtFieldEvent | DirectResponseBundleLastResortKyberPreKeyIdFieldEvent | DirectResponseBundleLastResortKyberPreKeyPublicKeyFieldEvent | DirectResponseBundleLastResortKyberPreKeySignatureFieldEvent | DirectResponseBundlePreKeysIdFieldEvent | DirectResponseBundlePreKeysPublicKeyFieldEvent | DirectResponseBundleKyberPreKeysIdFieldEvent | DirectResponseBundleKyberPreKeysPublicKeyFieldEvent | DirectResponseBundleKyberPreKeysSignatureFieldEvent | DirectResponseBundlePublishedAtFieldEvent> {
    return streamMessage(buf, DirectResponse.codec(), opts)
  }
}
