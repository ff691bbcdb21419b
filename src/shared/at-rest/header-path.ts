/** Where a data dir's at-rest header lives: its presence alone says the data dir is encrypted. */
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export const HEADER_FILE = 'at-rest.json'

export const headerPath = (dataDir: string): string => join(dataDir, HEADER_FILE)

export function isEncrypted (dataDir: string): boolean {
  return existsSync(headerPath(dataDir))
}
