import type { ConfigLayer } from '../../../shared/config.js'
import type { FlagSpec } from '../args.js'
import type { CommandContext } from '../context.js'

export interface Command {
  name: string
  usage: string
  summary: string
  flags: FlagSpec
  /** This command's defaults, over the built-in ones and under config.json, CAIRN_* and flags. */
  defaults?: ConfigLayer
  run: (ctx: CommandContext) => Promise<void>
}
