/**
 * fast-check inputs for Cairn's protobuf decoders and protocol handlers that need no schema, so
 * they follow proto/cairn.proto as it changes: random bytes; well-formed protobuf wire data
 * (random field numbers and wire types, nested messages), which a decoder often accepts as a
 * message with arbitrary field values; and mutations of valid encodings (flips, cuts, splices).
 * Every message codec in proto/cairn.ts is found by what it exports (encode and decode).
 */
import fc from 'fast-check'
import * as pb from '../../proto/cairn.js'

export interface MessageCodec {
  name: string
  encode: (value: any) => Uint8Array
  decode: (bytes: Uint8Array) => any
}

/** Every message in proto/cairn.ts (enums have no encode/decode and are left out). */
export function messageCodecs (): MessageCodec[] {
  return Object.entries(pb as Record<string, any>)
    .filter(([, v]) => typeof v?.encode === 'function' && typeof v?.decode === 'function')
    .map(([name, v]) => ({ name, encode: (x: any) => v.encode(x), decode: (b: Uint8Array) => v.decode(b) }))
}

const varint = (n: bigint): number[] => {
  const out: number[] = []
  do { let b = Number(n & 0x7fn); n >>= 7n; if (n > 0n) b |= 0x80; out.push(b) } while (n > 0n)
  return out
}

/** One protobuf field as raw wire bytes (its tag included). */
type Field = { num: number, kind: 'varint', value: bigint } | { num: number, kind: 'bytes', value: Uint8Array } | { num: number, kind: 'fixed32' | 'fixed64', value: Uint8Array }

function encodeFields (fields: Field[]): Uint8Array {
  const out: number[] = []
  for (const f of fields) {
    const wire = f.kind === 'varint' ? 0 : f.kind === 'fixed64' ? 1 : f.kind === 'bytes' ? 2 : 5
    out.push(...varint(BigInt(f.num) << 3n | BigInt(wire)))
    if (f.kind === 'varint') out.push(...varint(f.value))
    else if (f.kind === 'bytes') out.push(...varint(BigInt(f.value.length)), ...f.value)
    else out.push(...f.value)
  }
  return new Uint8Array(out)
}

/** Field numbers: mostly those a small schema uses, sometimes any. */
const fieldNumber = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 12 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 536_870_911 }) })
const varintValue = fc.oneof(fc.bigInt({ min: 0n, max: 300n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(1n, 0xffffffffn, 1n << 53n, Date.now() + 3_600_000))
  .map(v => BigInt(v))

/** Well-formed protobuf wire data, nested up to `depth` messages deep. */
export function wireData (depth = 3): fc.Arbitrary<Uint8Array> {
  const { message } = fc.letrec<{ message: Uint8Array, field: Field }>(tie => ({
    message: fc.array(tie('field'), { maxLength: 8 }).map(encodeFields),
    field: fc.oneof(
      { depthSize: 'small', maxDepth: depth },
      fc.record({ num: fieldNumber, kind: fc.constant('varint' as const), value: varintValue }),
      fc.record({ num: fieldNumber, kind: fc.constant('bytes' as const), value: fc.uint8Array({ maxLength: 64 }) }),
      fc.record({ num: fieldNumber, kind: fc.constant('bytes' as const), value: tie('message') }),
      fc.record({ num: fieldNumber, kind: fc.constantFrom('fixed32' as const, 'fixed64' as const), value: fc.uint8Array({ minLength: 8, maxLength: 8 }) })
        .map(f => ({ ...f, value: f.value.subarray(0, f.kind === 'fixed32' ? 4 : 8) }))
    )
  }))
  return message
}

type Mutation = { op: 'flip', at: number, bit: number } | { op: 'cut', at: number } | { op: 'insert', at: number, bytes: Uint8Array } | { op: 'dup', at: number, len: number } | { op: 'set', at: number, byte: number }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ op: fc.constant('dup' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 32 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.constantFrom(0x00, 0x7f, 0x80, 0xff) })
)

export function mutate (bytes: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b = Array.from(bytes)
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1)
    if (m.op === 'flip' && at < b.length) b[at] = (b[at] as number) ^ (1 << m.bit)
    else if (m.op === 'set' && at < b.length) b[at] = m.byte
    else if (m.op === 'cut') b = b.slice(0, at)
    else if (m.op === 'insert') b.splice(at, 0, ...m.bytes)
    else if (m.op === 'dup') b.splice(at, 0, ...b.slice(at, at + m.len))
  }
  return new Uint8Array(b)
}

/** A valid encoding of `codec`'s message (wire data it decodes, encoded again), or the wire data itself. */
export function validEncoding (codec: Omit<MessageCodec, 'name'>, wire: Uint8Array, fix: (v: any) => any = v => v): Uint8Array {
  try {
    return codec.encode(fix(codec.decode(wire)))
  } catch {
    return wire
  }
}

/** Inputs for one decoder: random bytes, wire data, and mutated valid encodings, in about equal parts. */
export function decoderInput (codec: MessageCodec): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 1024 }),
    wireData(),
    fc.tuple(wireData(), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([w, m]) => mutate(validEncoding(codec, w), m))
  )
}

/**
 * A request as a handler sees it: arbitrary field values, with some fields steered so requests
 * get past the first checks (version 1, a recipient that is a real PeerId, an expiry ahead).
 */
export function steer (now: number, recipients: Uint8Array[], choice: number): (v: any) => any {
  const visit = (v: any): any => {
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v
    if (Array.isArray(v)) return v.map(visit)
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) {
      if (k === 'version' && choice % 5 !== 0) out[k] = 1
      else if (k === 'expiresAt' && choice % 3 !== 0) out[k] = now + 60_000 + (choice % 3_600_000)
      else if ((k === 'recipient' || k === 'owner') && choice % 4 !== 0) out[k] = recipients[choice % recipients.length]
      else out[k] = visit(x)
    }
    return out
  }
  return visit
}

export { mutation }
