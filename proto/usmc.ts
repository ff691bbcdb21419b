import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface UnidentifiedSenderContent {
  type?: number
  senderCertificate?: Uint8Array<ArrayBuffer>
  content?: Uint8Array<ArrayBuffer>
  contentHint?: number
  groupId?: Uint8Array<ArrayBuffer>
}

export namespace UnidentifiedSenderContent {
  let _codec: Codec<UnidentifiedSenderContent>

  export const codec = (): Codec<UnidentifiedSenderContent> => {
    if (_codec == null) {
      _codec = message<UnidentifiedSenderContent>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.type != null) {
          w.uint32(8)
          w.int32(obj.type)
        }

        if (obj.senderCertificate != null) {
          w.uint32(18)
          w.bytes(obj.senderCertificate)
        }

        if (obj.content != null) {
          w.uint32(26)
          w.bytes(obj.content)
        }

        if (obj.contentHint != null) {
          w.uint32(32)
          w.int32(obj.contentHint)
        }

        if (obj.groupId != null) {
          w.uint32(42)
          w.bytes(obj.groupId)
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
              obj.type = reader.int32()
              break
            }
            case 2: {
              obj.senderCertificate = reader.bytes()
              break
            }
            case 3: {
              obj.content = reader.bytes()
              break
            }
            case 4: {
              obj.contentHint = reader.int32()
              break
            }
            case 5: {
              obj.groupId = reader.bytes()
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
                field: `${prefix}.type`,
                value: reader.int32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.senderCertificate`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.content`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.contentHint`,
                value: reader.int32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.groupId`,
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

  export interface UnidentifiedSenderContentTypeFieldEvent {
    field: '$.type'
    value: number
  }

  export interface UnidentifiedSenderContentSenderCertificateFieldEvent {
    field: '$.senderCertificate'
    value: Uint8Array<ArrayBuffer>
  }

  export interface UnidentifiedSenderContentContentFieldEvent {
    field: '$.content'
    value: Uint8Array<ArrayBuffer>
  }

  export interface UnidentifiedSenderContentContentHintFieldEvent {
    field: '$.contentHint'
    value: number
  }

  export interface UnidentifiedSenderContentGroupIdFieldEvent {
    field: '$.groupId'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<UnidentifiedSenderContent>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, UnidentifiedSenderContent.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UnidentifiedSenderContent>): UnidentifiedSenderContent {
    return decodeMessage(buf, UnidentifiedSenderContent.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UnidentifiedSenderContent>): Generator<UnidentifiedSenderContentTypeFieldEvent | UnidentifiedSenderContentSenderCertificateFieldEvent | UnidentifiedSenderContentContentFieldEvent | UnidentifiedSenderContentContentHintFieldEvent | UnidentifiedSenderContentGroupIdFieldEvent> {
    return streamMessage(buf, UnidentifiedSenderContent.codec(), opts)
  }
}
