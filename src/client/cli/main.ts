/**
 * The `cairn` command: parse, call the client (or the daemon), print. Expected errors become one
 * line on stderr and exit code 2 (bad usage or input) or 1 (the operation failed).
 */
import { restrictUmask } from '../../shared/data-dir.js'
import { CairnError, describeError } from '../../shared/errors.js'
import { GLOBAL_FLAGS, parse } from './args.js'
import { chat } from './commands/chat.js'
import type { Command } from './commands/command.js'
import { contact } from './commands/contact.js'
import { daemon } from './commands/daemon.js'
import { del } from './commands/delete.js'
import { demo } from './commands/demo.js'
import { group } from './commands/group.js'
import { id } from './commands/id.js'
import { inbox } from './commands/inbox.js'
import { init } from './commands/init.js'
import { mailbox } from './commands/mailbox.js'
import { passphrase } from './commands/passphrase.js'
import { save } from './commands/save.js'
import { send } from './commands/send.js'
import { status } from './commands/status.js'
import { sync } from './commands/sync.js'
import { makeContext } from './context.js'
import { safeLine } from './safe-text.js'

const COMMANDS: Command[] = [init, id, contact, group, send, save, del, sync, inbox, chat, daemon, mailbox, status, passphrase, demo]

function usage (): string {
  const lines = ['usage: cairn [global flags] COMMAND ...', '', 'commands:']
  for (const c of COMMANDS) lines.push(`  ${c.name.padEnd(8)} ${c.summary}`)
  lines.push('', 'global flags: ' + Object.keys(GLOBAL_FLAGS).map(f => `--${f}`).join(' '))
  lines.push('environment: CAIRN_DATA_DIR CAIRN_LISTEN CAIRN_BOOTSTRAP CAIRN_LOG_LEVEL CAIRN_PASSPHRASE; DEBUG=libp2p:* for libp2p\'s own logs')
  return lines.join('\n')
}

/** The command word: the first argument that is neither a flag nor the value of a global flag. */
function commandIndex (argv: string[]): number {
  const takesValue = new Set(Object.entries(GLOBAL_FLAGS).filter(([, spec]) => spec.type === 'string').map(([f]) => `--${f}`))
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (takesValue.has(a)) { i++; continue }
    if (!a.startsWith('-')) return i
  }
  return -1
}

async function main (argv: string[]): Promise<number> {
  // keys, the store and the daemon's socket are for this user alone, whatever the shell's umask
  restrictUmask()
  const at = commandIndex(argv)
  const name = at < 0 ? undefined : argv[at]
  const command = COMMANDS.find(c => c.name === name)
  if (command === undefined) {
    if (name === undefined || argv.includes('--help') || argv.includes('-h')) { process.stdout.write(usage() + '\n'); return name === undefined && !argv.includes('--help') && !argv.includes('-h') ? 2 : 0 }
    process.stderr.write(`cairn: unknown command "${name}"\n\n${usage()}\n`)
    return 2
  }
  const rest = [...argv]
  rest.splice(at, 1)
  try {
    const parsed = parse(rest, command.flags)
    if (parsed.flags.help === true) { process.stdout.write(`usage: ${command.usage}\n${command.summary}\n`); return 0 }
    await command.run(makeContext(parsed, command.defaults))
    return 0
  } catch (err) {
    if (CairnError.is(err)) {
      // a message may quote a peer (a refusal's detail) or the command line: made inert like peer text
      process.stderr.write(`cairn ${command.name}: ${safeLine(err.message)}\n`)
      return err.exitCode
    }
    process.stderr.write(`cairn ${command.name}: ${safeLine(describeError(err))}\n`)
    if (process.env.CAIRN_DEBUG !== undefined) process.stderr.write(`${(err as Error).stack ?? ''}\n`)
    return 1
  }
}

// exit explicitly: libp2p and LevelDB can leave handles that would keep a finished command alive
main(process.argv.slice(2)).then(code => { process.exit(code) }, (err: unknown) => {
  process.stderr.write(`cairn: ${describeError(err)}\n`)
  process.exit(1)
})
