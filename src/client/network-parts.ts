/**
 * What a client needs only once it goes online: libp2p itself, gossipsub and the anonymous deposit
 * hosts. CairnClient imports this in startNetwork, so a command that stays offline never loads it
 * (the CLI's bundle splits at that import: libp2p is its largest chunk).
 */
export { gossipsub, StrictNoSign } from '@libp2p/gossipsub'
export { createNode } from '../shared/node/create-node.js'
export { libp2pDatastore } from '../shared/node/peer-datastore.js'
export { anonymousDepositHosts } from './anonymous/index.js'
