/**
 * A child process that starts one kind of node and reports its memory once idle, so each figure
 * is a whole process's RSS and nothing else the bench holds. Modules are imported only for the
 * kind asked for (a bare node does not load libsignal). Prints one JSON line on stdout: RSS, V8's
 * heap (used, total) and external memory, and where the RSS is by mapping (bench/lib/smaps.ts).
 * The memory suite runs it as scripts/bundle-cli.mjs bundles it (dist/bench-bundle/), with the
 * CLI's own options: the client's code loads as a user's daemon loads it, the bare node's alike.
 *
 *   node --expose-gc dist/bench-bundle/memory-probe.js --kind bare|client|mailbox|fill --dir DIR [--fill N] [--crashed] [--settle MS]
 *   (--fill: how many envelopes `fill` writes, and for `mailbox`, how many the store was filled with: the node's cap fits them;
 *   --crashed: start the mailbox as after a crash, without the filter of ids held its clean stop saved)
 */
import { parseArgs } from 'node:util'
import { rssBreakdown, type RssBreakdown } from '../lib/smaps.js'


/** Wait until idle (by default past the mailbox's start-up handover, 5 s after start), then GC and measure. */
async function idleMemory (settleMs: number): Promise<{ rss: number, heapUsed: number, heapTotal: number, external: number, mapped?: RssBreakdown }> {
  await new Promise(resolve => setTimeout(resolve, settleMs))
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  await new Promise(resolve => setTimeout(resolve, 300))
  const m = process.memoryUsage()
  const mapped = rssBreakdown()
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, ...(mapped === undefined ? {} : { mapped }) }
}

async function main (): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ options: { kind: { type: 'string' }, dir: { type: 'string', default: '' }, fill: { type: 'string', default: '0' }, crashed: { type: 'boolean', default: false }, settle: { type: 'string', default: '6000' } } })
  const settle = Number(values.settle)
  const dir = values.dir
  if (values.kind === 'bare') {
    const { bareNode } = await import('../lib/bare.js')
    const node = await bareNode()
    const m = await idleMemory(settle)
    await node.stop()
    return m
  }
  const { CairnClient } = await import('../../src/client/client.js')
  const { peerConfig: plainConfig } = await import('../lib/cluster.js')
  // a node-wide cap with room for what the fill holds (the default, 256 MiB, fits ~200,000 of them)
  const fits = Number(values.fill) * 1536
  const peerConfig: typeof plainConfig = (d, port, options) => plainConfig(d, port, fits <= 256 * 2 ** 20 ? options : { ...options, overrides: { mailbox: { maxTotalBytes: fits } } })
  if (values.kind === 'fill') {
    const { MailboxStore } = await import('../../src/mailbox/index.js')
    const { paths } = await import('../../src/shared/data-dir.js')
    const { Store } = await import('../../src/shared/store.js')
    const { makeEnvelopes, pool } = await import('./ingest.js')
    const config = peerConfig(dir, 0, { mailbox: true })
    await CairnClient.init(config)
    const store = await Store.open(paths.store(dir))
    const box = new MailboxStore({ store }, config)
    await box.open()
    const n = Number(values.fill)
    const t = Date.now()
    for (let done = 0; done < n; done += 10_000) {
      const envelopes = await makeEnvelopes(Math.min(10_000, n - done), 1024, 100, t)
      await pool(envelopes.length, 256, async (i) => box.deposit(envelopes[i] as (typeof envelopes)[0], t))
    }
    const totals = await box.totals()
    await box.close() // a clean stop, as a node's: the filter of ids held is saved for the next open
    await store.close()
    return { ...totals }
  }
  if (values.kind === 'client' || values.kind === 'mailbox') {
    const { silentLogger } = await import('../../src/shared/logger.js')
    const mailbox = values.kind === 'mailbox'
    if (!mailbox) await CairnClient.init(peerConfig(dir, 0, { mailbox }))
    if (mailbox && values.crashed) {
      // as after a crash: no filter of ids held was saved, so the open lists them all
      const { NAMESPACES } = await import('../../src/shared/namespaces.js')
      const { paths } = await import('../../src/shared/data-dir.js')
      const { Store } = await import('../../src/shared/store.js')
      const store = await Store.open(paths.store(dir))
      const saved = []
      for await (const key of store.listKeys(NAMESPACES.mailboxHeldFilter)) saved.push(key)
      await store.write(saved.map(key => ({ type: 'del' as const, key })))
      await store.close()
    }
    const client = await CairnClient.open({ config: peerConfig(dir, 0, { mailbox }), log: silentLogger() })
    const m = await idleMemory(settle)
    const held = mailbox ? (await client.mailbox?.store.totals())?.count ?? 0 : 0
    await client.stop()
    return { ...m, held }
  }
  throw new Error(`unknown --kind ${String(values.kind)}`)
}

main().then(out => { process.stdout.write(JSON.stringify(out) + '\n') }, (err: unknown) => { console.error(err); process.exitCode = 1 })
