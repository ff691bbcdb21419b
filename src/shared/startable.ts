/**
 * The lifecycle contract every component implements, and the one place that starts a set of them
 * in order and stops them in reverse. A stop that fails does not keep the others running: every
 * component is asked to stop, and every failure is reported together.
 */
import { CairnError, describeError } from './errors.js'
import type { Logger } from './logger.js'

export interface Startable {
  start: () => void | Promise<void>
  /** Stop, aborting work in flight; safe to call when not started. */
  stop: () => void | Promise<void>
}

/** Some components failed to stop; `failures` names each. */
export class StopError extends CairnError {
  constructor (readonly failures: Array<{ name: string, error: unknown }>) {
    super('INTERNAL', `could not stop cleanly: ${failures.map(f => `${f.name}: ${describeError(f.error)}`).join('; ')}`)
    this.name = 'StopError'
  }
}

/** Components started so far, in order. */
export class Lifecycle {
  private readonly started: Array<{ name: string, part: Startable }> = []

  constructor (private readonly log: Logger) {}

  /** Start `part`; if it fails, everything started before it is stopped and the error thrown. */
  async start (name: string, part: Startable): Promise<void> {
    try {
      await part.start()
    } catch (err) {
      await this.stop().catch((stopErr: unknown) => { this.log.warn({ err: describeError(stopErr) }, 'after a failed start') })
      throw err
    }
    this.started.push({ name, part })
  }

  /** Stop every started component, last first; throws a StopError naming every one that failed. */
  async stop (): Promise<void> {
    const failures: Array<{ name: string, error: unknown }> = []
    for (const { name, part } of this.started.splice(0).reverse()) {
      try {
        await part.stop()
      } catch (error) {
        this.log.warn({ component: name, err: describeError(error) }, 'component failed to stop')
        failures.push({ name, error })
      }
    }
    if (failures.length > 0) throw new StopError(failures)
  }
}
