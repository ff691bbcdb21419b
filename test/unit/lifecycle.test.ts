/** Unit: components start in order and stop in reverse, every failure reported. */
import assert from 'node:assert/strict'
import test from 'node:test'
import { silentLogger } from '../../src/shared/logger.js'
import { Lifecycle, StopError, type Startable } from '../../src/shared/startable.js'

const part = (name: string, log: string[], fail: { start?: boolean, stop?: boolean } = {}): Startable => ({
  start: async () => { if (fail.start === true) throw new Error(`${name} would not start`); log.push(`start ${name}`) },
  stop: async () => { log.push(`stop ${name}`); if (fail.stop === true) throw new Error(`${name} would not stop`) }
})

test('stop runs in reverse order of start', async () => {
  const log: string[] = []
  const life = new Lifecycle(silentLogger())
  for (const n of ['store', 'libp2p', 'mailbox']) await life.start(n, part(n, log))
  await life.stop()
  assert.deepEqual(log, ['start store', 'start libp2p', 'start mailbox', 'stop mailbox', 'stop libp2p', 'stop store'])
})

test('a failed stop does not keep the rest running, and every failure is named', async () => {
  const log: string[] = []
  const life = new Lifecycle(silentLogger())
  await life.start('store', part('store', log))
  await life.start('libp2p', part('libp2p', log, { stop: true }))
  await life.start('mailbox', part('mailbox', log, { stop: true }))
  const err = await life.stop().then(() => undefined, (e: unknown) => e)
  assert.ok(err instanceof StopError)
  assert.deepEqual(err.failures.map(f => f.name), ['mailbox', 'libp2p'])
  assert.match(err.message, /mailbox: mailbox would not stop; libp2p: libp2p would not stop/)
  assert.ok(log.includes('stop store'), 'the store was still closed')
})

test('a failed start stops what started before it and throws the start failure', async () => {
  const log: string[] = []
  const life = new Lifecycle(silentLogger())
  await life.start('store', part('store', log))
  await assert.rejects(life.start('direct', part('direct', log, { start: true })), /direct would not start/)
  assert.deepEqual(log, ['start store', 'stop store'])
  await life.stop() // nothing left: no error
})
