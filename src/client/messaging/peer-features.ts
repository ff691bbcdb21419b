/**
 * What each peer's client said it can open (`Content.features`, CONTENT_FEATURES bits), as of the
 * latest message or receipt opened from it: remembered per peer in the receive transaction, and
 * asked before a send uses a feature (a peer never heard from with it gets what every client opens).
 */
import { decodeNumber, encodeNumber, keys, type Kv } from '../crypto/kv.js'

const featuresKey = (peer: string): string => keys.meta(`features/${peer}`)

/** Remember `peer`'s advertised `features` (written only when they changed). */
export async function notePeerFeatures (kv: Kv, peer: string, features: number): Promise<void> {
  const key = featuresKey(peer)
  if (decodeNumber(await kv.get(key), 0) === features) return
  if (features === 0) kv.delete(key)
  else kv.put(key, encodeNumber(features))
}

/** Per peer of `peers`, whether it advertised `feature` (one read for all). */
export async function peersWith (kv: Pick<Kv, 'getMany'>, peers: string[], feature: number): Promise<boolean[]> {
  const values = await kv.getMany(peers.map(featuresKey))
  return values.map(v => (decodeNumber(v, 0) & feature) !== 0)
}
