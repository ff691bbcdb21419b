/** SIGINT/SIGTERM: the first stops cleanly, a second exits at once. */
export function onShutdown (stop: () => Promise<void>, log: { warn: (o: object, m: string) => void }): void {
  let stopping = false
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) { process.exit(130) }
    stopping = true
    stop().then(() => { process.exit(0) }, (err: unknown) => {
      log.warn({ err: String(err), signal }, 'unclean shutdown')
      process.exit(1)
    })
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
}
