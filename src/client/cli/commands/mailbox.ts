import { OperatorNode } from '../../../mailbox/operator-node.js'
import { printJson, printLine } from '../output.js'
import { onShutdown } from '../signals.js'
import type { Command } from './command.js'

export const mailbox: Command = {
  name: 'mailbox',
  usage: 'cairn mailbox [--metrics-port PORT]',
  summary: 'run an operator node: DHT server, mailbox, bootstrap peer',
  flags: { 'metrics-port': { type: 'string' } },
  async run ({ parsed, config, log }) {
    const op = await OperatorNode.start({ ...config, mailbox: { ...config.mailbox, enabled: true } }, log)
    onShutdown(async () => { await op.stop() }, log)
    const peerId = op.node.peerId.toString()
    if (parsed.json) printJson({ peerId, addresses: op.addresses() })
    else {
      printLine(`cairn mailbox node ${peerId}`)
      for (const a of op.addresses()) printLine(`  ${a}`)
    }
    log.info({ peerId, addresses: op.addresses() }, 'mailbox node started')
    await new Promise(() => {}) // until a signal
  }
}
