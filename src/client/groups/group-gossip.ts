/**
 * Live group delivery over gossipsub. Each group's topic is derived from the group's secret (in
 * its create change, which only members receive), so outsiders cannot name it from the group id.
 * Messages are published unsigned (StrictNoSign: no publisher PeerId, seqno or signature on the
 * wire; the sender is found inside, by its sender-key chain). We subscribe to the topics of the
 * groups we are a member of, and leave a topic when we leave the group.
 */
import { createHmac } from 'node:crypto'
import { GroupGossip } from '../../../proto/cairn.js'
import { describeError } from '../../shared/errors.js'
import type { Logger } from '../../shared/logger.js'
import { GROUP_GOSSIP_VERSION } from './group-receive.js'
import type { GroupPublisher, Groups } from './group-service.js'
import type { GroupState } from './state.js'

/** What we use of a gossipsub service. */
export interface TopicPubSub {
  subscribe: (topic: string) => void
  unsubscribe: (topic: string) => void
  publish: (topic: string, data: Uint8Array) => Promise<{ recipients: Array<{ toString: () => string }> }>
  /** Peers connected to us that we know are subscribed to `topic`. */
  getSubscribers: (topic: string) => Array<{ toString: () => string }>
  addEventListener: (type: 'message', listener: (evt: CustomEvent<{ topic: string, data: Uint8Array }>) => void) => void
  removeEventListener: (type: 'message', listener: (evt: CustomEvent<{ topic: string, data: Uint8Array }>) => void) => void
}

export function groupTopic (secret: Uint8Array): string {
  return `/cairn/group/${createHmac('sha256', secret).update('cairn/group-topic/v1').digest('hex').slice(0, 32)}`
}

export interface GroupTopicsComponents {
  /** gossipsub (StrictNoSign: the sender is inside the ciphertext). */
  pubsub: TopicPubSub
  /** What a topic's messages are opened by, and whose membership decides the subscriptions. */
  groups: Groups
  /** Our PeerId (our own publications are not opened again). */
  me: string
  log: Logger
}

export class GroupTopics implements GroupPublisher {
  /** topic → group id, for the topics we are subscribed to. */
  private readonly topics = new Map<string, string>()
  private readonly pubsub: TopicPubSub
  private readonly groups: Groups
  private readonly me: string
  private readonly log: Logger

  constructor (components: GroupTopicsComponents) {
    this.pubsub = components.pubsub
    this.groups = components.groups
    this.me = components.me
    this.log = components.log
  }

  async start (): Promise<void> {
    this.pubsub.addEventListener('message', this.onMessage)
    for (const g of await this.groups.list()) {
      const state = await this.groups.state(g.id)
      if (state !== undefined) this.refresh(state)
    }
    this.groups.publisher = this
  }

  stop (): void {
    if (this.groups.publisher === this) delete this.groups.publisher
    this.pubsub.removeEventListener('message', this.onMessage)
    for (const topic of this.topics.keys()) this.pubsub.unsubscribe(topic)
    this.topics.clear()
  }

  refresh (state: GroupState): void {
    const topic = groupTopic(state.secret)
    const member = state.members.includes(this.me)
    if (member && !this.topics.has(topic)) {
      this.topics.set(topic, state.id)
      this.pubsub.subscribe(topic)
    } else if (!member && this.topics.has(topic)) {
      this.topics.delete(topic)
      this.pubsub.unsubscribe(topic)
    }
  }

  async publish (state: GroupState, ciphertext: Uint8Array): Promise<string[]> {
    const data = GroupGossip.encode({ version: GROUP_GOSSIP_VERSION, ciphertext: new Uint8Array(ciphertext) })
    try {
      const r = await this.pubsub.publish(groupTopic(state.secret), data)
      this.log.debug({ group: state.id, recipients: r.recipients.length }, 'group message published')
      return r.recipients.map(p => p.toString())
    } catch (err) {
      this.log.info({ group: state.id, err: describeError(err) }, 'group publish failed; every member gets its 1:1 copy')
      return []
    }
  }

  subscribers (state: GroupState): string[] {
    return this.pubsub.getSubscribers(groupTopic(state.secret)).map(p => p.toString())
  }

  private readonly onMessage = (evt: CustomEvent<{ topic: string, data: Uint8Array }>): void => {
    const gid = this.topics.get(evt.detail.topic)
    if (gid === undefined) return
    this.groups.openGossip(gid, evt.detail.data).catch((err: unknown) => {
      this.log.info({ group: gid, err: describeError(err) }, 'gossip message not stored')
    })
  }
}
