import { InvalidInputError } from '../../../shared/errors.js'
import { requirePositionals } from '../args.js'
import { openSession } from '../context.js'
import { printJson, printLine } from '../output.js'
import type { Command } from './command.js'

const USAGE = 'cairn contact add NAME PEER_ID|MULTIADDR | list | remove NAME | verify NAME [--confirm] | accept NAME'

export const contact: Command = {
  name: 'contact',
  usage: USAGE,
  summary: 'manage contacts and their trust',
  flags: { confirm: { type: 'boolean' } },
  async run (ctx) {
    const { parsed } = ctx
    const [sub] = requirePositionals(parsed, ['SUBCOMMAND'], USAGE)
    const session = await openSession(ctx, { network: false })
    const api = session.api
    try {
      switch (sub) {
        case 'add': {
          const [, name, peer] = requirePositionals(parsed, ['SUBCOMMAND', 'NAME', 'PEER_ID'], 'cairn contact add NAME PEER_ID')
          const c = await api.contactAdd(name as string, peer as string)
          if (parsed.json) printJson(c)
          else printLine(`added ${c.name} (${c.peerId})`)
          break
        }
        case 'list': {
          const list = await api.contactList()
          if (parsed.json) printJson(list)
          else if (list.length === 0) printLine('no contacts yet: cairn contact add NAME PEER_ID')
          else for (const c of list) printLine(`${c.name.padEnd(16)} ${c.peerId}  ${c.trust}`)
          break
        }
        case 'remove': {
          const [, name] = requirePositionals(parsed, ['SUBCOMMAND', 'NAME'], 'cairn contact remove NAME')
          await api.contactRemove(name as string)
          if (parsed.json) printJson({ removed: name })
          else printLine(`removed ${name}`)
          break
        }
        case 'verify':
        case 'accept': {
          const [, name] = requirePositionals(parsed, ['SUBCOMMAND', 'NAME'], `cairn contact ${sub} NAME`)
          const v = sub === 'verify' ? await api.contactVerify(name as string, parsed.flags.confirm === true) : await api.contactAccept(name as string)
          if (parsed.json) printJson(v)
          else {
            printLine(`safety number with ${v.name}:`)
            printLine(`  ${v.safetyNumber}`)
            printLine(`trust: ${v.trust}`)
            if (v.trust !== 'verified' && sub === 'verify') printLine(`compare it with ${v.name} in person or by a call, then run: cairn contact verify ${v.name} --confirm`)
          }
          break
        }
        default:
          throw new InvalidInputError(`unknown subcommand "${sub}"; usage: ${USAGE}`, 'USAGE')
      }
    } finally {
      await session.close()
    }
  }
}
