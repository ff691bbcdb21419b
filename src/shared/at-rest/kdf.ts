/**
 * The key-encryption key from a passphrase: argon2id (@node-rs/argon2, prebuilt; node:crypto's
 * argon2 needs Node ≥ 24.7 and the project runs on 22 too). The parameters travel in the header
 * beside the salt, so they can be raised later without breaking old data dirs.
 */
import { randomBytes } from 'node:crypto'
import { hashRaw, type Algorithm } from '@node-rs/argon2'

export interface KdfParams {
  algorithm: 'argon2id'
  /** Memory, KiB. */
  memoryKiB: number
  /** Passes over the memory. */
  iterations: number
  parallelism: number
  /** Random per data dir (and per passphrase change), base64. */
  salt: string
}

/**
 * RFC 9106's second recommended choice (64 MiB, t=3), one lane: ~300 ms on a loaded laptop core
 * (STACK-NOTES §10), paid once per command that opens the data dir.
 */
export const DEFAULT_KDF = { memoryKiB: 64 * 1024, iterations: 3, parallelism: 1 } as const

/** Floors below which a header is refused: a tampered header must not make guessing cheap. */
const MIN = { memoryKiB: 8 * 1024, iterations: 1, parallelism: 1 }
const MAX = { memoryKiB: 4 * 1024 * 1024, iterations: 64, parallelism: 16 }

const ARGON2ID = 2 as Algorithm

export function newKdfParams (cost: Partial<Pick<KdfParams, 'memoryKiB' | 'iterations' | 'parallelism'>> = {}): KdfParams {
  return { algorithm: 'argon2id', ...DEFAULT_KDF, ...cost, salt: randomBytes(16).toString('base64') }
}

/** Why `params` is unacceptable, or undefined when it is fine. */
export function kdfParamsProblem (params: KdfParams): string | undefined {
  if (params.algorithm !== 'argon2id') return `unknown key derivation ${JSON.stringify(params.algorithm)}`
  for (const key of ['memoryKiB', 'iterations', 'parallelism'] as const) {
    const v = params[key]
    if (!Number.isInteger(v) || v < MIN[key] || v > MAX[key]) return `${key} ${v} is outside ${MIN[key]}..${MAX[key]}`
  }
  if (Buffer.from(params.salt, 'base64').length < 16) return 'salt shorter than 16 bytes'
  return undefined
}

export async function deriveKek (passphrase: Uint8Array, params: KdfParams): Promise<Uint8Array> {
  const key = await hashRaw(passphrase, {
    algorithm: ARGON2ID,
    salt: Buffer.from(params.salt, 'base64'),
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.parallelism,
    outputLen: 32
  })
  return new Uint8Array(key)
}
