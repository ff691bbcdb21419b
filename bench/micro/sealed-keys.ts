/**
 * What sealing record keys (at-rest/key-cipher.ts) costs the Store, in one process, against the
 * same store with values sealed and keys plain (a version-1 data dir) and a plain store: writes,
 * single gets (a namespace the read cache does not hold), and listing a namespace (which, with
 * sealed keys, reads it whole and sorts it). Rounds alternate the three, so a shared machine's
 * load falls on all alike; medians are reported with the ratios.
 *   node dist/bench/micro/sealed-keys.js [--records 5000] [--rounds 3] --out DIR
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { ValueCipher } from '../../src/shared/at-rest/value-cipher.js'
import { Store } from '../../src/shared/store.js'

const PEER = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'
type Variant = 'plain' | 'values' | 'keys'
const VARIANTS: Variant[] = ['plain', 'values', 'keys']

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
const round3 = (x: number): number => Math.round(x * 1000) / 1000

async function once (root: string, variant: Variant, n: number, seq: number): Promise<Record<string, number>> {
  const key = new Uint8Array(randomBytes(32))
  const cipher = variant === 'plain' ? undefined : new ValueCipher(key, { sealKeys: variant === 'keys' })
  const store = await Store.open(join(root, `${variant}-${seq}`), { cipher })
  try {
    const keys = Array.from({ length: n }, (_, i) => `/cairn/inbox/${String(1_700_000_000_000 + i).padStart(15, '0')}-${PEER}-${randomBytes(16).toString('hex')}`)
    const value = new Uint8Array(randomBytes(1024))
    let t0 = performance.now()
    for (let i = 0; i < n; i += 100) await store.write(keys.slice(i, i + 100).map(k => ({ type: 'put' as const, key: k, value })))
    const writeUs = (performance.now() - t0) * 1000 / n
    t0 = performance.now()
    for (const k of keys) await store.get(k)
    const getUs = (performance.now() - t0) * 1000 / n
    t0 = performance.now()
    let listed = 0
    for await (const _ of store.list('/cairn/inbox/')) listed++
    const listMs = performance.now() - t0
    if (listed !== n) throw new Error(`listed ${listed} of ${n}`)
    return { writeUs, getUs, listMs }
  } finally {
    await store.close()
  }
}

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { records: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '3' }, out: { type: 'string' } } })
  if (values.out === undefined) throw new Error('--out DIR is required')
  const n = Number(values.records)
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-sealed-keys-'))
  const runs: Record<Variant, Array<Record<string, number>>> = { plain: [], values: [], keys: [] }
  try {
    for (let r = 0; r < Number(values.rounds); r++) for (const v of VARIANTS) runs[v].push(await once(root, v, n, r))
  } finally {
    await rm(root, { recursive: true, force: true })
  }
  const med = (v: Variant, f: string): number => median(runs[v].map(x => x[f] as number))
  const rows = ['writeUs', 'getUs', 'listMs'].map(f => ({ figure: f, plain: round3(med('plain', f)), values: round3(med('values', f)), keys: round3(med('keys', f)), keysOverValues: round3(med('keys', f) / med('values', f)) }))
  mkdirSync(values.out, { recursive: true })
  writeFileSync(join(values.out, 'sealed-keys.json'), JSON.stringify({ records: n, rounds: Number(values.rounds), rows, runs }, null, 2) + '\n')
  console.log(JSON.stringify(rows))
}

await main()
