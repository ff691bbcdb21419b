import { InvalidInputError } from '../../../shared/errors.js'
import { requirePositionals } from '../args.js'
import { openSession } from '../context.js'
import { printJson, printLine } from '../output.js'
import type { Command } from './command.js'

const USAGE = 'cairn contact add NAME PEER_ID|MULTIADDR | list | remove NAME | verify NAME [--confirm] | accept NAME | block NAME|PEER_ID | unblock NAME|PEER_ID'

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
          // blocked peers who are not contacts are listed too, with no name
          const strangers = (await api.blockList()).filter(b => !list.some(c => c.peerId === b.peerId))
          if (parsed.json) printJson([...list, ...strangers.map(b => ({ name: null, peerId: b.peerId, blocked: true, blockedAt: b.blockedAt }))])
          else if (list.length === 0 && strangers.length === 0) printLine('no contacts yet: cairn contact add NAME PEER_ID')
          else {
            for (const c of list) printLine(`${c.name.padEnd(16)} ${c.peerId}  ${c.trust}${c.blocked ? '  blocked' : ''}`)
            for (const b of strangers) printLine(`${'(not a contact)'.padEnd(16)} ${b.peerId}  blocked`)
          }
          break
        }
        case 'block':
        case 'unblock': {
          const [, target] = requirePositionals(parsed, ['SUBCOMMAND', 'NAME|PEER_ID'], `cairn contact ${sub} NAME|PEER_ID`)
          const r = sub === 'block' ? await api.contactBlock(target as string) : await api.contactUnblock(target as string)
          const who = r.name === null ? r.peerId : `${r.name} (${r.peerId})`
          if (parsed.json) printJson(r)
          else if (r.changed) printLine(`${sub}ed ${who}`)
          else printLine(`${who} was ${r.blocked ? 'already' : 'not'} blocked`)
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
