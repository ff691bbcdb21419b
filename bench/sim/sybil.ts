/**
 * `npm run sim:sybil -- [--honest 200] [--attackers 1000] [--attacker-subnets 1] [--recipients 2000]
 *   [--k 5] [--per-subnet 2] [--horizon 40] [--json]`
 *
 * What an attacker with many identities captures of the replica sets, today (the k closest) and
 * with replica diversity (at most `per-subnet` per IPv4 /24), using the placement functions the
 * nodes run (src/shared/placement.ts). Honest peers sit on their own /24s; the attacker's
 * identities on `attacker-subnets` /24s. A lookup sees the `horizon` closest peers (kad-dht's K),
 * as a real one does. Two attackers: one with random identities (capturing whoever it can), and
 * one that grinds identities next to a single victim's key (the whole horizon is its own).
 * A recipient is captured when every replica chosen for it is the attacker's. `--horizon` is
 * network.dhtK (40 by default; it was 20).
 */
import { parseArgs } from 'node:util'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { diversify, mailboxKey, rankByDistance } from '../../src/shared/placement.js'

export interface SybilOptions {
  honest: number
  attackers: number
  attackerSubnets: number
  recipients: number
  k: number
  perSubnet: number
  horizon: number
}

export interface SybilRow {
  design: 'closest k (before)' | 'diverse by /24 (now)'
  attacker: 'random identities' | 'ground for one victim'
  captured: number
  recipients: number
  /** Share of all replica slots the attacker holds. */
  slotShare: number
  /** Recipients whose replica set came out short of k (the horizon held too few subnets). */
  short: number
}

async function peers (n: number): Promise<PeerId[]> {
  return Promise.all(Array.from({ length: n }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
}

export async function sybilCapture (o: SybilOptions): Promise<SybilRow[]> {
  const honest = await peers(o.honest)
  const attackers = await peers(o.attackers)
  const subnet = new Map<string, string>()
  honest.forEach((p, i) => subnet.set(p.toString(), `ip4/10.${i >> 8}.${i & 255}`))
  attackers.forEach((p, i) => subnet.set(p.toString(), `ip4/198.51.${i % o.attackerSubnets}`))
  const evil = new Set(attackers.map(p => p.toString()))
  const victims = await peers(o.recipients)
  const rows: SybilRow[] = []
  const tally = (design: SybilRow['design'], attacker: SybilRow['attacker'], sets: PeerId[][]): void => {
    let captured = 0; let slots = 0; let theirs = 0; let short = 0
    for (const set of sets) {
      const mine = set.filter(p => evil.has(p.toString())).length
      if (set.length > 0 && mine === set.length) captured++
      if (set.length < o.k) short++
      slots += set.length
      theirs += mine
    }
    rows.push({ design, attacker, captured, recipients: sets.length, slotShare: slots === 0 ? 0 : theirs / slots, short })
  }
  const all = [...honest, ...attackers]
  const horizonOf = (victim: PeerId, pool: PeerId[]): PeerId[] => rankByDistance(mailboxKey(victim), pool).slice(0, o.horizon)
  const random = victims.map(v => horizonOf(v, all))
  tally('closest k (before)', 'random identities', random.map(h => h.slice(0, o.k)))
  tally('diverse by /24 (now)', 'random identities', random.map(h => diversify(h, p => [subnet.get(p.toString()) ?? 'unknown'], o.perSubnet, o.k)))
  // a grinding attacker puts the whole horizon next to one victim: model it by ranking its
  // identities ahead of every honest peer for each victim
  const ground = victims.map(v => [...attackers.slice(0, o.horizon), ...horizonOf(v, honest)].slice(0, o.horizon))
  tally('closest k (before)', 'ground for one victim', ground.map(h => h.slice(0, o.k)))
  tally('diverse by /24 (now)', 'ground for one victim', ground.map(h => diversify(h, p => [subnet.get(p.toString()) ?? 'unknown'], o.perSubnet, o.k)))
  return rows
}

export function sybilTable (o: SybilOptions, rows: SybilRow[]): string {
  const pct = (x: number): string => `${(100 * x).toFixed(2)} %`
  return [
    `Sybil placement: ${o.honest} honest peers (each its own /24), ${o.attackers} attacker identities on ${o.attackerSubnets} /24(s), k = ${o.k}, at most ${o.perSubnet} per /24, lookup horizon ${o.horizon}, ${o.recipients} recipients`,
    '',
    '| replica choice | attacker | recipients fully captured | attacker\'s share of replica slots | short sets |',
    '| --- | --- | ---: | ---: | ---: |',
    ...rows.map(r => `| ${r.design} | ${r.attacker} | ${r.captured} / ${r.recipients} (${pct(r.captured / r.recipients)}) | ${pct(r.slotShare)} | ${r.short} |`)
  ].join('\n')
}

async function main (): Promise<void> {
  const { values } = parseArgs({
    options: {
      honest: { type: 'string', default: '200' },
      attackers: { type: 'string', default: '1000' },
      'attacker-subnets': { type: 'string', default: '1' },
      recipients: { type: 'string', default: '2000' },
      k: { type: 'string', default: '5' },
      'per-subnet': { type: 'string', default: '2' },
      horizon: { type: 'string', default: '40' },
      json: { type: 'boolean', default: false }
    }
  })
  const o: SybilOptions = {
    honest: Number(values.honest),
    attackers: Number(values.attackers),
    attackerSubnets: Number(values['attacker-subnets']),
    recipients: Number(values.recipients),
    k: Number(values.k),
    perSubnet: Number(values['per-subnet']),
    horizon: Number(values.horizon)
  }
  const rows = await sybilCapture(o)
  console.log(values.json ? JSON.stringify({ options: o, rows }, null, 2) : sybilTable(o, rows))
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) await main()
