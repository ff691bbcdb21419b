/**
 * A message's time as Cairn shows it to a person (`inbox`, `chat`, the candidates an ambiguous id
 * names): UTC, to the second. It is the sender's clock, any number, even one no Date can hold.
 */
export function shownTime (ms: number): string {
  const at = new Date(ms)
  return Number.isNaN(at.getTime()) ? '????-??-?? ??:??:??' : at.toISOString().replace('T', ' ').slice(0, 19)
}
