/**
 * What `cairn passphrase --encrypt` (and `--rotate-key`) cost on a data dir of some size, as a
 * user runs them: whole processes of the built CLI, beside `cairn id` on the same data dir (Node's
 * start, loading libp2p, opening the store; with argon2id once encrypted).
 *   node dist/bench/micro/encrypt-existing.js [--values 20000]
 * The data dir is a fresh identity plus VALUES inbox-like values of 1 KiB written with Store.write.
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Store } from '../../src/shared/store.js'

const CAIRN = fileURLToPath(new URL('../../cli/main.js', import.meta.url))

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { values: { type: 'string', default: '20000' } } })
  const n = Number(values.values)
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-encrypt-'))
  const dir = join(root, 'd')
  const cairn = (args: string[], env: Record<string, string> = {}): { ms: number, stdout: string } => {
    const t0 = performance.now()
    const r = spawnSync(process.execPath, [CAIRN, '--data-dir', dir, ...args], { env: { ...process.env, CAIRN_LOG_LEVEL: 'warn', ...env }, encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`cairn ${args.join(' ')}: ${r.stderr}`)
    return { ms: Math.round(performance.now() - t0), stdout: r.stdout }
  }
  try {
    cairn(['init'])
    const store = await Store.open(join(dir, 'store'))
    for (let i = 0; i < n; i += 500) {
      await store.write(Array.from({ length: Math.min(500, n - i) }, (_, j) => ({ type: 'put' as const, key: `/cairn/inbox/bench/${String(i + j).padStart(8, '0')}`, value: new Uint8Array(randomBytes(1024)) })))
    }
    await store.close()
    const pw = { CAIRN_PASSPHRASE: 'bench passphrase' }
    const plainId = cairn(['id'])
    const encrypt = cairn(['passphrase', '--encrypt', '--json'], pw)
    const encryptedId = cairn(['id'], pw)
    const rotate = cairn(['passphrase', '--rotate-key', '--json'], pw)
    const sealed = (JSON.parse(encrypt.stdout) as { values: number }).values
    console.log(JSON.stringify({ values: sealed, encryptMs: encrypt.ms, rotateMs: rotate.ms, idPlainMs: plainId.ms, idEncryptedMs: encryptedId.ms }))
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

await main()
