import type { FlagSpec } from '../args.js'
import type { CommandContext } from '../context.js'

export interface Command {
  name: string
  usage: string
  summary: string
  flags: FlagSpec
  run: (ctx: CommandContext) => Promise<void>
}
