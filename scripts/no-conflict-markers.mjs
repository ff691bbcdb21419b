// Fails (exit 1, naming file and line) if a tracked text file still holds a merge's conflict
// markers: a merge resolved by hand once left one in docs/DECISIONS.md for a session unseen.
import { execFileSync } from 'node:child_process'
import console from 'node:console'
import process from 'node:process'

let out = ''
try {
  out = execFileSync('git', ['grep', '-n', '-I', '-E', '^(<<<<<<< |=======$|>>>>>>> )', '--', '.'], { encoding: 'utf8' })
} catch (err) {
  // git grep exits 1 when nothing matches; not a git checkout (a tarball): nothing to check
  if (err.status === 1 || err.code === 'ENOENT' || /not a git repository/.test(String(err.stderr))) process.exit(0)
  throw err
}
const hits = out.split('\n').filter(line => line !== '')
if (hits.length > 0) {
  console.error(`merge conflict markers left in:\n${hits.join('\n')}`)
  process.exit(1)
}
