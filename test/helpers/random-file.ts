/** A file of random bytes, for the attachment tests. */
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** A file `name` in `dir` of `size` random bytes: its path and the bytes written. */
export async function randomFile (dir: string, name: string, size: number): Promise<{ path: string, data: Buffer }> {
  const path = join(dir, name)
  const data = randomBytes(size)
  await writeFile(path, data)
  return { path, data }
}
