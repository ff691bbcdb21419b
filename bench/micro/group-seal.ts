/**
 * The sender's crypto for the copies of one group message, per recipient: today's wrapping (the
 * group Content — distribution message and sender-key ciphertext — sealed in each member's 1:1
 * session: a Double Ratchet step and sealed sender v1 each) against sealed sender v2
 * multi-recipient (the sender-key ciphertext sealed once for all, then split per recipient, as
 * each recipient's mailbox replicas would need it), and sealed sender v2 one recipient a seal
 * (no ephemeral key or ciphertext shared between the parts), and sealed sender v1 one recipient a
 * seal (what a group send does: the same unlinkability, no session read). Each in one transaction of a real Store (the
 * sessions are read and written through it, as a send does), the sender-key encrypt included in
 * each; process CPU (user + system), alternated, median of rounds. Recipients of the v2 seal are
 * named by a UUIDv8 derived from their PeerId string (libsignal refuses other names); each has a
 * session under both names. One v2 copy is opened by its recipient (sealedSenderDecryptToUsmc,
 * then groupDecrypt) to check it is what the receiver would need.
 *   node dist/bench/micro/group-seal.js [--members 10,50] [--rounds 15] [--text 200]
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import {
  Aci, ContentHint, IdentityKeyPair, KEMKeyPair, KyberPreKeyRecord, PreKeyBundle, PrivateKey, ProtocolAddress, SenderCertificate,
  SenderKeyDistributionMessage, ServerCertificate, SignedPreKeyRecord, UnidentifiedSenderMessageContent, groupDecrypt, groupEncrypt,
  processPreKeyBundle, processSenderKeyDistributionMessage, sealedSenderDecryptToUsmc, sealedSenderEncrypt, sealedSenderEncryptMessage, sealedSenderMultiRecipientEncrypt
} from '@signalapp/libsignal-client'
import SealedSenderMultiRecipientMessage from '@signalapp/libsignal-client/dist/SealedSenderMultiRecipientMessage.js'
import { Content } from '../../proto/cairn.js'
import type { Kv } from '../../src/client/crypto/kv.js'
import { KvSenderKeyStore, signalStores } from '../../src/client/crypto/signal-stores.js'
import { Store } from '../../src/shared/store.js'

/** A Kv in memory: each recipient's own stores. */
function memoryKv (): Kv {
  const m = new Map<string, Uint8Array>()
  return {
    get: async (k) => m.get(k),
    getMany: async (ks) => ks.map(k => m.get(k)),
    put: (k, v) => { m.set(k, v) },
    delete: (k) => { m.delete(k) }
  }
}

/** A UUIDv8 from SHA-256 of a PeerId string (STACK-NOTES §10): the name sealed sender v2 takes. */
function serviceIdOf (peerId: string): string {
  const b = createHash('sha256').update(peerId).digest().subarray(0, 16)
  b[6] = ((b[6] as number) & 0x0f) | 0x80
  b[8] = ((b[8] as number) & 0x3f) | 0x80
  return Aci.fromUuidBytes(b).getRawUuid()
}

interface Recipient { peer: string, uuid: string, kv: Kv, ikp: IdentityKeyPair, regId: number, bundle: PreKeyBundle }

async function recipient (i: number): Promise<Recipient> {
  const ikp = IdentityKeyPair.generate()
  const regId = 1 + i
  const kv = memoryKv()
  const s = signalStores(kv, ikp, regId)
  const spkPriv = PrivateKey.generate()
  const spk = SignedPreKeyRecord.new(1, Date.now(), spkPriv.getPublicKey(), spkPriv, ikp.privateKey.sign(spkPriv.getPublicKey().serialize()))
  const kem = KEMKeyPair.generate()
  const kpk = KyberPreKeyRecord.new(1, Date.now(), kem, ikp.privateKey.sign(kem.getPublicKey().serialize()))
  await s.signedPreKeys.saveSignedPreKey(1, spk)
  await s.kyberPreKeys.saveKyberPreKey(1, kpk)
  const bundle = PreKeyBundle.new(regId, 1, null, null, 1, spk.publicKey(), spk.signature(), ikp.publicKey, 1, kpk.publicKey(), kpk.signature())
  const peer = `12D3KooWBench${i.toString().padStart(4, '0')}${randomBytes(12).toString('hex')}`
  return { peer, uuid: serviceIdOf(peer), kv, ikp, regId, bundle }
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] as number }

async function cpuUs (fn: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage()
  await fn()
  const d = process.cpuUsage(before)
  return d.user + d.system
}

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { members: { type: 'string', default: '10,50' }, rounds: { type: 'string', default: '15' }, text: { type: 'string', default: '200' } } })
  const sizes = values.members.split(',').map(Number)
  const rounds = Number(values.rounds)
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-group-seal-'))
  const store = await Store.open(join(root, 'store'))
  try {
    const me = 'sender-' + randomUUID()
    const ikp = IdentityKeyPair.generate()
    const cert = SenderCertificate.new(me, null, 1, ikp.publicKey, Date.now() + 86_400_000, ServerCertificate.new(1, ikp.publicKey, ikp.privateKey), ikp.privateKey)
    const all = await Promise.all(Array.from({ length: Math.max(...sizes) }, async (_, i) => recipient(i)))
    const distributionId = randomUUID()
    const meAddr = ProtocolAddress.new(me, 1)
    {
      const tx = store.transaction()
      const s = signalStores(tx, ikp, 4242)
      for (const r of all) {
        for (const name of [r.peer, r.uuid]) await processPreKeyBundle(r.bundle, ProtocolAddress.new(name, 1), meAddr, s.sessions, s.identities, new Date())
      }
      await SenderKeyDistributionMessage.create(meAddr, distributionId, new KvSenderKeyStore(tx))
      await tx.commit()
    }
    const distribution = (await SenderKeyDistributionMessage.create(meAddr, distributionId, new KvSenderKeyStore(store.transaction()))).serialize()
    const payload = new Uint8Array(randomBytes(Number(values.text) + 60)) // a GroupPayload: text, ids, heads
    const out: Array<Record<string, unknown>> = []
    for (const n of sizes) {
      const members = all.slice(0, n)
      // today: the group Content sealed in each member's 1:1 session
      const oneToOne = async (): Promise<number> => {
        const tx = store.transaction()
        const s = signalStores(tx, ikp, 4242)
        const ct = (await groupEncrypt(meAddr, distributionId, new KvSenderKeyStore(tx), payload)).serialize()
        let bytes = 0
        for (const r of members) {
          const content = Content.encode({ version: 1, id: new Uint8Array(randomBytes(16)), sentAt: Date.now(), seq: 1, groupMessage: { groupId: new Uint8Array(16), distribution, ciphertext: ct, changes: [] } })
          bytes += (await sealedSenderEncryptMessage(content, ProtocolAddress.new(r.peer, 1), cert, s.sessions, s.identities)).length
        }
        await tx.commit()
        return bytes / n
      }
      // sealed sender v2: the sender-key ciphertext sealed once, split per recipient
      let lastV1 = 0
      let lastV2: { parsed: SealedSenderMultiRecipientMessage, ct: Uint8Array } | undefined
      const multi = async (): Promise<number> => {
        const tx = store.transaction()
        const s = signalStores(tx, ikp, 4242)
        const ct = await groupEncrypt(meAddr, distributionId, new KvSenderKeyStore(tx), payload)
        const usmc = UnidentifiedSenderMessageContent.new(ct, cert, ContentHint.Resendable, new Uint8Array(16))
        const sent = await sealedSenderMultiRecipientEncrypt({ content: usmc, recipients: members.map(r => ProtocolAddress.new(r.uuid, 1)), identityStore: s.identities, sessionStore: s.sessions })
        const parsed = new SealedSenderMultiRecipientMessage(sent)
        const byId = parsed.recipientsByServiceIdString()
        let bytes = 0
        for (const r of members) bytes += parsed.messageForRecipient(byId[r.uuid] as never).length
        await tx.commit()
        lastV2 = { parsed, ct: ct.serialize() }
        return bytes / n
      }
      // one seal per member of one sender-key ciphertext, in one transaction: bytes per member
      const perMember = async (seal: (usmc: UnidentifiedSenderMessageContent, r: Recipient, s: ReturnType<typeof signalStores>) => Promise<number>): Promise<number> => {
        const tx = store.transaction()
        const s = signalStores(tx, ikp, 4242)
        const ct = await groupEncrypt(meAddr, distributionId, new KvSenderKeyStore(tx), payload)
        const usmc = UnidentifiedSenderMessageContent.new(ct, cert, ContentHint.Resendable, new Uint8Array(16))
        let bytes = 0
        for (const r of members) bytes += await seal(usmc, r, s)
        await tx.commit()
        return bytes / n
      }
      // sealed sender v2 with one recipient a seal: no ephemeral key or ciphertext shared between parts
      const single = async (): Promise<number> => perMember(async (usmc, r, s) => {
        const parsed = new SealedSenderMultiRecipientMessage(await sealedSenderMultiRecipientEncrypt({ content: usmc, recipients: [ProtocolAddress.new(r.uuid, 1)], identityStore: s.identities, sessionStore: s.sessions }))
        return parsed.messageForRecipient(parsed.recipientsByServiceIdString()[r.uuid] as never).length
      })
      // sealed sender v1 with one recipient a seal (what a group send does since session 55): no session read
      const singleV1 = async (): Promise<number> => {
        lastV1 = await perMember(async (usmc, r, s) => (await sealedSenderEncrypt(usmc, ProtocolAddress.new(r.peer, 1), s.identities)).length)
        return lastV1
      }
      await oneToOne()
      await multi()
      await single()
      await singleV1()
      const d: number[] = []
      const c: number[] = []
      const a: number[] = []
      const b: number[] = []
      let bytesA = 0
      let bytesB = 0
      for (let i = 0; i < rounds; i++) {
        a.push(await cpuUs(async () => { bytesA = await oneToOne() }) / n)
        b.push(await cpuUs(async () => { bytesB = await multi() }) / n)
        c.push(await cpuUs(async () => { await single() }) / n)
        d.push(await cpuUs(async () => { await singleV1() }) / n)
      }
      // the first recipient opens its v2 copy as a receiver would
      const r0 = members[0] as Recipient
      const v2 = lastV2 as NonNullable<typeof lastV2>
      const rs = signalStores(r0.kv, r0.ikp, r0.regId)
      await processSenderKeyDistributionMessage(meAddr, SenderKeyDistributionMessage.deserialize(distribution), new KvSenderKeyStore(r0.kv))
      const usmc = await sealedSenderDecryptToUsmc(v2.parsed.messageForRecipient(v2.parsed.recipientsByServiceIdString()[r0.uuid] as never), rs.identities)
      const opened = await groupDecrypt(meAddr, new KvSenderKeyStore(r0.kv), usmc.contents())
      out.push({
        members: n,
        rounds,
        oneToOneUsPerRecipient: Math.round(median(a)),
        multiRecipientUsPerRecipient: Math.round(median(b)),
        ratio: Number((median(b) / median(a)).toFixed(3)),
        singleRecipientV2UsPerRecipient: Math.round(median(c)),
        singleRatio: Number((median(c) / median(a)).toFixed(3)),
        singleRecipientV1UsPerRecipient: Math.round(median(d)),
        singleV1Ratio: Number((median(d) / median(a)).toFixed(3)),
        singleV1BytesPerRecipient: Math.round(lastV1),
        oneToOneBytesPerRecipient: Math.round(bytesA),
        multiRecipientBytesPerRecipient: Math.round(bytesB),
        v2OpenedType: usmc.msgType(),
        v2Opened: opened.length === payload.length
      })
    }
    console.log(JSON.stringify(out, null, 1))
  } finally {
    await store.close()
    await rm(root, { recursive: true, force: true })
  }
}

await main()
