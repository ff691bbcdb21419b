/**
 * The image's HEALTHCHECK (`cairn mailbox --health`) follows the node's effective configuration:
 * a port set by a flag in CMD, by config.json, metrics bound to another address, metrics off. It
 * runs as the engine runs it (the container's environment, not the node's flags), and when it
 * fails it says why: refused at which address, disabled, or which check is failing.
 */
import assert from 'node:assert/strict'
import { existsSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { ensureDataDir, paths } from '../../src/shared/data-dir.js'
import { tempRoot } from '../helpers/users.js'
import { freePort, runHealthcheck, startOperator } from './container.js'

test('the HEALTHCHECK finds /healthz wherever the node serves it, whatever set the port', async (t) => {
  const root = await tempRoot(t, 'cairn-hc-')
  // a port given as a flag in CMD (`docker run image --json --metrics-port N`); the env names another
  const flagPort = await freePort()
  const byFlag = await startOperator(t, join(root, 'flag'), {}, ['--metrics-port', String(flagPort)])
  assert.notEqual(byFlag.env.CAIRN_METRICS_PORT, String(flagPort))
  let hc = await runHealthcheck(byFlag.env)
  assert.equal(hc.code, 0, hc.stderr)
  assert.match(hc.stdout, new RegExp(`^healthy: http://127\\.0\\.0\\.1:${flagPort}/healthz \\(recorded by the node`))
  assert.equal(statSync(paths.healthEndpoint(byFlag.env.CAIRN_DATA_DIR as string)).mode & 0o777, 0o600)

  // the port in config.json, with the image's CAIRN_METRICS_PORT cleared so the file's value applies
  const filePort = await freePort()
  const fileDir = join(root, 'file')
  ensureDataDir(fileDir)
  writeFileSync(join(fileDir, 'config.json'), JSON.stringify({ metrics: { port: filePort } }), { mode: 0o600 })
  const byFile = await startOperator(t, fileDir, { CAIRN_METRICS_PORT: '' })
  assert.equal(byFile.metrics, `http://127.0.0.1:${filePort}`)
  hc = await runHealthcheck(byFile.env)
  assert.equal(hc.code, 0, hc.stderr)

  // metrics on an address other than loopback's 127.0.0.1 (as a private interface would be)
  const other = await startOperator(t, join(root, 'other'), { CAIRN_METRICS_HOST: '127.0.0.2' })
  hc = await runHealthcheck(other.env)
  assert.equal(hc.code, 0, hc.stderr)
  assert.match(hc.stdout, /^healthy: http:\/\/127\.0\.0\.2:\d+\/healthz/)

  // metrics off: /healthz alone, on a free loopback port, and /metrics is not there
  const off = await startOperator(t, join(root, 'off'), { CAIRN_METRICS_ENABLED: 'false' })
  assert.equal(off.metrics, '', 'the start line names no metrics endpoint')
  hc = await runHealthcheck(off.env)
  assert.equal(hc.code, 0, hc.stderr)
  const url = /metrics disabled: health served at (http:\/\/127\.0\.0\.1:\d+\/healthz)/.exec(hc.stdout)?.[1]
  assert.ok(url !== undefined, hc.stdout)
  assert.equal((await fetch(url)).status, 200)
  assert.equal((await fetch(url.replace('/healthz', '/metrics'))).status, 404)

  for (const op of [byFlag, byFile, other, off]) assert.equal(await op.stop(), 0)
})

test('a failing HEALTHCHECK says why: refused where, disabled, the record gone with a clean stop', async (t) => {
  const root = await tempRoot(t, 'cairn-hc-')
  const op = await startOperator(t, join(root, 'a'))
  const dataDir = op.env.CAIRN_DATA_DIR as string
  assert.equal(await op.stop('SIGTERM'), 0)
  assert.equal(existsSync(paths.healthEndpoint(dataDir)), false, 'a clean stop removes the record')
  let hc = await runHealthcheck(op.env)
  assert.equal(hc.code, 1)
  assert.match(hc.stderr, new RegExp(`connection refused at 127\\.0\\.0\\.1:${op.env.CAIRN_METRICS_PORT} \\(from the configuration`))

  // a crash leaves the record: the probe asks there and says so
  const crashed = await startOperator(t, join(root, 'b'), { CAIRN_METRICS_ENABLED: 'false' })
  assert.equal(await crashed.stop('SIGKILL'), null)
  hc = await runHealthcheck(crashed.env)
  assert.equal(hc.code, 1)
  assert.match(hc.stderr, /connection refused at 127\.0\.0\.1:\d+ \(metrics disabled: health served at/)

  hc = await runHealthcheck({ ...op.env, CAIRN_DATA_DIR: join(root, 'empty'), CAIRN_METRICS_ENABLED: 'false' })
  assert.equal(hc.code, 1)
  assert.match(hc.stderr, /metrics disabled and no running node has recorded a health endpoint/)
})
