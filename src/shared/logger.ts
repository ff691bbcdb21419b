/**
 * Logging: pino JSON on stderr (stdout is for results). libp2p's own debug output stays on its
 * `DEBUG=libp2p:*` switch (weald, to stderr) unless CAIRN_LIBP2P_LOG routes it into pino.
 * Nothing here ever receives a key or a plaintext; callers log ids, sizes and peers only.
 */
import { format } from 'node:util'
import { pino, type Logger } from 'pino'
import type { ComponentLogger, Logger as Libp2pLogger } from '@libp2p/interface'
import type { LogLevel } from './config.js'

export type { Logger }

/** `destination`: where the JSON lines go instead of stderr itself (the CLI keeps them off its status line). */
export function createLogger (level: LogLevel, bindings: Record<string, unknown> = {}, destination?: { write: (line: string) => void }): Logger {
  return pino({ level, base: { pid: process.pid, ...bindings } }, destination ?? pino.destination({ dest: 2, sync: true }))
}

/** `log` labelled with a component's name (each line carries `component`), as each part of a client or node logs. */
export function forComponent (log: Logger, component: string): Logger {
  return log.child({ component })
}

/** A logger that discards everything: for library use in tests. */
export function silentLogger (): Logger {
  return pino({ level: 'silent' })
}

/**
 * libp2p's own logs for a node: into `base` when CAIRN_LIBP2P_LOG is set; libp2p's default logger
 * (weald, `DEBUG=libp2p:*`) when DEBUG is set; otherwise none at all. libp2p's default builds a
 * logger for every stream and connection scope even when nothing is enabled, each asking whether
 * stderr is a terminal and matching its name against DEBUG's patterns: ~3 % of a mailbox node's
 * CPU time under load (test/README.md, "Where the suite's time goes").
 */
export function libp2pLoggerFor (base: Logger, env: NodeJS.ProcessEnv = process.env): ComponentLogger | undefined {
  const on = env.CAIRN_LIBP2P_LOG
  if (!(on === undefined || on === '' || on === '0' || on === 'false')) return libp2pPinoLogger(base)
  return env.DEBUG === undefined || env.DEBUG === '' ? silentLibp2pLogger() : undefined
}

/** A ComponentLogger that logs nothing and costs nothing: one disabled logger for every component and scope. */
export function silentLibp2pLogger (): ComponentLogger {
  const nothing = (): void => {}
  const log: Libp2pLogger = Object.assign(nothing.bind(undefined), { error: nothing, trace: nothing, enabled: false, newScope: () => log })
  return { forComponent: () => log }
}

/**
 * libp2p's ComponentLogger backed by pino, so libp2p's messages can be read in the same JSON stream.
 * Only used when CAIRN_LIBP2P_LOG is set (libp2p is chatty); its level then applies.
 */
export function libp2pPinoLogger (base: Logger): ComponentLogger {
  const make = (name: string): Libp2pLogger => {
    const child = base.child({ component: name })
    const text = (fmt: unknown, args: unknown[]): string => format(String(fmt), ...args.map(a => (typeof a === 'object' && a !== null && !(a instanceof Error)) ? String(a) : a))
    const log = ((fmt: unknown, ...args: unknown[]) => { if (child.isLevelEnabled('debug')) child.debug(text(fmt, args)) }) as Libp2pLogger
    log.error = (fmt: unknown, ...args: unknown[]) => { child.warn(text(fmt, args)) }
    log.trace = (fmt: unknown, ...args: unknown[]) => { if (child.isLevelEnabled('trace')) child.trace(text(fmt, args)) }
    log.enabled = child.isLevelEnabled('debug')
    log.newScope = (scope: string) => make(`${name}:${scope}`)
    return log
  }
  return { forComponent: make }
}
