import { InvalidInputError } from '../../../shared/errors.js'
import type { GroupView } from '../../groups/index.js'
import { requirePositionals } from '../args.js'
import { withSession } from '../context.js'
import { printJson, printLine } from '../output.js'
import { statusLine } from '../progress.js'
import { safeLine } from '../safe-text.js'
import type { Command } from './command.js'

const USAGE = 'cairn group create NAME [MEMBER...] | add NAME MEMBER... | remove NAME MEMBER... | promote NAME MEMBER... | leave NAME | list | info NAME'

/** Group names come from whoever created the group: made safe like any received text. */
function printGroup (g: GroupView): void {
  printLine(`${safeLine(g.name)} (${g.id})${g.me.member ? (g.me.admin ? '  you: admin' : '  you: member') : '  you: not a member'}`)
  for (const m of g.members) printLine(`  ${(m.name === null ? '(not a contact)' : safeLine(m.name)).padEnd(16)} ${m.peerId}${m.admin ? '  admin' : ''}${m.trust === null ? '' : `  ${m.trust}`}`)
}

export const group: Command = {
  name: 'group',
  usage: USAGE,
  summary: 'create groups and manage their members; send to one with `cairn send @NAME TEXT`',
  flags: {},
  async run (ctx) {
    const { parsed } = ctx
    const [sub] = requirePositionals(parsed, ['SUBCOMMAND'], USAGE)
    const changes = ['create', 'add', 'remove', 'promote', 'leave']
    if (sub !== 'list' && sub !== 'info' && !changes.includes(sub as string)) throw new InvalidInputError(`unknown subcommand "${sub}"; usage: ${USAGE}`, 'USAGE')
    const progress = statusLine
    await withSession(ctx, { network: changes.includes(sub as string), progress }, async ({ api }) => {
      progress.clear()
      let result: GroupView | GroupView[]
      switch (sub) {
        case 'list': result = await api.groupList(); break
        case 'info': result = await api.groupInfo(requirePositionals(parsed, ['SUBCOMMAND', 'NAME'], 'cairn group info NAME')[1] as string); break
        case 'leave': result = await api.groupLeave(requirePositionals(parsed, ['SUBCOMMAND', 'NAME'], 'cairn group leave NAME')[1] as string); break
        case 'create': {
          const [, name, ...members] = requirePositionals(parsed, ['SUBCOMMAND', 'NAME'], 'cairn group create NAME [MEMBER...]')
          result = await api.groupCreate(name as string, members)
          break
        }
        default: {
          const [, name, ...members] = requirePositionals(parsed, ['SUBCOMMAND', 'NAME', 'MEMBER'], `cairn group ${sub} NAME MEMBER...`)
          result = sub === 'add' ? await api.groupAdd(name as string, members) : sub === 'remove' ? await api.groupRemove(name as string, members) : await api.groupPromote(name as string, members)
        }
      }
      if (parsed.json) printJson(result)
      else if (Array.isArray(result)) {
        if (result.length === 0) printLine('no groups yet: cairn group create NAME MEMBER...')
        for (const g of result) printLine(`${safeLine(g.name).padEnd(16)} ${g.id}  ${g.members.length} members${g.me.member ? '' : '  (you left or were removed)'}`)
      } else printGroup(result)
    }).finally(() => { progress.clear() })
  }
}
