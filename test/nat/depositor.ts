/**
 * Deposits from inside a network namespace (test/mailbox/network-budget-netns.test.ts): `--identities`
 * fresh PeerIds, each dialling the mailbox node and depositing `--each` envelopes for `--recipient`
 * (random sealed bytes, ids bound as a sender binds them), or hands them over (`--as handover`) or
 * offers their ids (`--as offer`) as a holder outside the replica set would, or, with `--chunk-bytes N`,
 * uploads `--each` attachment chunks of N random bytes (named by their content address), as a
 * flooder that makes a new identity per request would. Prints one JSON line: the status and detail
 * of every request, in order.
 *
 *   node dist/test/nat/depositor.js --mailbox MULTIADDR --recipient PEERID --listen IP --identities N [--each 1] [--as deposit|handover|offer] [--chunk-bytes N]
 */
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { MemoryDatastore } from 'datastore-core'
import { askMailbox } from '../../src/client/mailbox/mailbox-rpc.js'
import { chunkCid } from '../../src/shared/chunk-address.js'
import { systemClock } from '../../src/shared/clock.js'
import { resolveConfig } from '../../src/shared/config.js'
import { createNode } from '../../src/shared/node/create-node.js'
import { peerIdBytes } from '../../src/shared/peer-id.js'
import { boundEnvelope } from '../helpers/envelopes.js'

const { values } = parseArgs({ options: { mailbox: { type: 'string' }, recipient: { type: 'string' }, listen: { type: 'string' }, identities: { type: 'string', default: '1' }, each: { type: 'string', default: '1' }, as: { type: 'string', default: 'deposit' }, 'chunk-bytes': { type: 'string' } } })
const to = multiaddr(values.mailbox as string)
const mailbox = peerIdFromString(to.getComponents().find(c => c.name === 'p2p')?.value as string)
const recipient = peerIdBytes(peerIdFromString(values.recipient as string))
const config = resolveConfig([{ dataDir: '/nonexistent', listen: [`/ip4/${values.listen as string}/tcp/0`], logLevel: 'silent', network: { allowPrivateAddresses: true } }])
const out: Array<{ status: string, detail: string }> = []
for (let i = 0; i < Number(values.identities); i++) {
  const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), datastore: new MemoryDatastore(), config, clock: systemClock, dhtServer: false })
  try {
    await node.dial(to)
    for (let j = 0; j < Number(values.each); j++) {
      const data = randomBytes(Number(values['chunk-bytes'] ?? 0))
      const envelope = boundEnvelope({ recipient, sealed: randomBytes(200) })
      const req = values['chunk-bytes'] !== undefined
        ? { putChunk: { recipient, cid: chunkCid(data), data, expiresAt: Date.now() + 3600_000 } }
        : values.as === 'handover'
          ? { handover: { envelopes: [envelope] } }
          : values.as === 'offer' ? { offer: { recipient, ids: [envelope.id], tombstones: [] } } : { deposit: { envelope } }
      const res = await askMailbox(node, config, mailbox, req, { clock: systemClock })
      out.push({ status: res.status, detail: res.detail ?? '' })
    }
  } finally {
    await node.stop()
  }
}
process.stdout.write(JSON.stringify(out) + '\n')
