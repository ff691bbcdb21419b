import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { createInterface } from 'node:readline'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { CAIRN, cairn, cliPair, startCairn } from '../helpers/cli.js'
import { stablePort } from '../helpers/ports.js'
import { tempRoot } from '../helpers/users.js'

test('cairn chat: each line typed is sent, and messages from the other side are shown', async (t) => {
  const root = await tempRoot(t)
  const { A, B, alice } = await cliPair(t, root)
  const aliceDaemon = await startCairn<{ addresses: string[] }>(t, [...A, 'daemon', '--json', '--listen', '/ip4/127.0.0.1/tcp/0'])
  assert.equal((await cairn([...B, 'contact', 'add', 'alice', aliceDaemon.first.addresses[0] as string])).code, 0)
  assert.equal(JSON.parse((await cairn([...B, 'send', 'alice', 'earlier, from bob', '--json'])).stdout).route, 'direct')

  const chat = await cairn([...A, 'chat', 'bob'], { input: 'first line\n\nsecond line\n' })
  assert.equal(chat.code, 0, chat.stderr)
  assert.match(chat.stdout, /chatting with bob/)
  assert.match(chat.stdout, /bob: earlier, from bob/, 'recent history is shown')
  // each line's state, read through the daemon (its sentOne) right after the send
  assert.match(chat.stdout, /^ {2}\[#[0-9a-f]{8} delivered\] first line$/m, chat.stdout)
  const inbox = JSON.parse((await cairn([...B, 'inbox', '--json'])).stdout) as Array<{ text: string, from: string }>
  assert.deepEqual(inbox.map(m => m.text), ['first line', 'second line'], 'blank lines are not sent')
  assert.ok(inbox.every(m => m.from === alice.peerId))
})

test('cairn chat: the prompt comes before the network is up; each line shows its state as it changes: queued, delivered, read', async (t) => {
  const root = await tempRoot(t)
  const { A, B, alice, bobDaemon } = await cliPair(t, root)
  const port = await stablePort()
  assert.equal((await cairn([...B, 'contact', 'add', 'alice', `/ip4/127.0.0.1/tcp/${port}/p2p/${alice.peerId}`])).code, 0)

  // a bootstrap peer that accepts connections and never answers: starting the network takes the
  // whole dial timeout, and the prompt must not wait for it
  const sockets: Socket[] = []
  const stall = createServer(s => { sockets.push(s) })
  await new Promise<void>(resolve => stall.listen(0, '127.0.0.1', resolve))
  t.after(() => { for (const s of sockets) s.destroy(); stall.close() })
  const nobody = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  const env = { CAIRN_BOOTSTRAP: `/ip4/127.0.0.1/tcp/${(stall.address() as AddressInfo).port}/p2p/${nobody}`, CAIRN_NETWORK_DIAL_TIMEOUT_MS: '4000' }

  const chat = spawn(process.execPath, [CAIRN, ...A, 'chat', 'bob', '--listen', `/ip4/127.0.0.1/tcp/${port}`], { env: { ...process.env, CAIRN_LOG_LEVEL: 'warn', ...env }, stdio: 'pipe' })
  t.after(() => { chat.kill('SIGKILL') })
  const started = Date.now()
  chat.stdin.write('typed before the prompt\n') // typed at once: kept, queued, sent once connected
  const out: Array<{ at: number, line: string }> = []
  let stderr = ''
  chat.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  createInterface({ input: chat.stdout }).on('line', line => { out.push({ at: Date.now() - started, line }) })
  const waitLine = async (re: RegExp, what: string): Promise<{ at: number, line: string }> => {
    const end = Date.now() + 30_000
    for (;;) {
      const hit = out.find(o => re.test(o.line))
      if (hit !== undefined) return hit
      if (Date.now() > end || chat.exitCode !== null) throw new Error(`no ${what} line; stdout:\n${out.map(o => o.line).join('\n')}\nstderr: ${stderr}`)
      await sleep(25)
    }
  }
  const intro = await waitLine(/chatting with bob/, 'intro')
  const queued = await waitLine(/^ {2}\[#[0-9a-f]{8} queued\] typed before the prompt$/, 'queued')
  const delivered = await waitLine(/^ {2}\[#[0-9a-f]{8} delivered\] typed before the prompt$/, 'delivered')
  assert.ok(intro.at < delivered.at && queued.at < delivered.at, `the prompt (${intro.at} ms) and the queued line (${queued.at} ms) come before the network is up (${delivered.at} ms)`)
  assert.ok(delivered.at - intro.at >= 2000, `the prompt did not wait for the stalled bootstrap (${intro.at} ms, delivered at ${delivered.at} ms)`)

  // bob shows his inbox: his daemon sends the read receipt, and alice's chat prints the new state
  const inbox = await cairn([...B, 'inbox'])
  assert.match(inbox.stdout, /alice: typed before the prompt/)
  await waitLine(/^ {2}\[#[0-9a-f]{8} read\] typed before the prompt$/, 'read')
  chat.stdin.end()
  const code = await new Promise<number | null>(resolve => { if (chat.exitCode !== null) resolve(chat.exitCode); else chat.on('close', resolve) })
  assert.equal(code, 0, stderr)

  // the sent line, with its state, in `inbox --sent --json` and in chat's history
  const all = JSON.parse((await cairn([...A, 'inbox', '--sent', '--json'])).stdout) as Array<{ outgoing?: boolean, text: string, state?: string, to?: string }>
  assert.deepEqual(all.filter(m => m.outgoing === true).map(m => [m.text, m.state, m.to]), [['typed before the prompt', 'read', bobDaemon.first.addresses[0]?.split('/p2p/')[1]]])
  assert.equal(JSON.parse((await cairn([...A, 'inbox', '--json'])).stdout).length, 0, 'without --sent: received messages only, as before')
})
