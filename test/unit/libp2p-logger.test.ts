/** Unit: CAIRN_LIBP2P_LOG routes libp2p's own logs into our pino JSON (documented in deploy/README.md). */
import assert from 'node:assert/strict'
import test from 'node:test'
import { createLogger, libp2pLoggerFor } from '../../src/shared/logger.js'

test('CAIRN_LIBP2P_LOG switches libp2p\'s logs into pino, each line named by its libp2p component; with DEBUG set, libp2p keeps its own; with neither, nothing is logged', () => {
  const lines: string[] = []
  const base = createLogger('debug', {}, { write: (line: string) => { lines.push(line) } })
  assert.equal(libp2pLoggerFor(base, { DEBUG: 'libp2p:*' }), undefined)
  assert.equal(libp2pLoggerFor(base, { DEBUG: 'libp2p:*', CAIRN_LIBP2P_LOG: '0' }), undefined)
  for (const env of [{}, { CAIRN_LIBP2P_LOG: '0' }, { DEBUG: '' }]) {
    const silent = libp2pLoggerFor(base, env)
    assert.ok(silent !== undefined, JSON.stringify(env))
    const quiet = silent.forComponent('libp2p:yamux').newScope('stream')
    assert.equal(quiet.enabled, false)
    quiet('opened %s', 'x')
    quiet.error('failed')
    assert.deepEqual(lines, [])
  }
  const logger = libp2pLoggerFor(base, { CAIRN_LIBP2P_LOG: '1' })
  assert.ok(logger !== undefined)
  const log = logger.forComponent('libp2p:kad-dht')
  log('query %s found %d peers', 'abc', 3)
  log.error('dial failed: %s', 'refused')
  const parsed = lines.map(l => JSON.parse(l) as { component: string, msg: string, level: number })
  assert.deepEqual(parsed.map(p => [p.component, p.msg, p.level]), [
    ['libp2p:kad-dht', 'query abc found 3 peers', 20],
    ['libp2p:kad-dht', 'dial failed: refused', 40]
  ])
})
