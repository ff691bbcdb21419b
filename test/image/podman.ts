/**
 * Podman for the image test, as it works on our CI VMs (see /work/shared/image-example): runc
 * rather than crun (crun refuses the VMs' hybrid cgroups) and rlimits at the hard limits (root
 * lacks CAP_SYS_RESOURCE), through a containers.conf of our own so /etc stays untouched. Also the
 * one place that decides whether the image test can run here, and why not.
 */
import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Built images and downloads are kept here between runs (the base is keyed by its recipe). */
export const CACHE = process.env.CAIRN_IMAGE_CACHE ?? '/var/cache/cairn-image'

const has = (tool: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/**
 * Undefined when the image test can run here, else why not. In CI (CI=true) a reason is a
 * failure, not a skip: .ci/run installs the tools, so missing ones mean the set-up broke.
 */
export function cannotRun (): string | undefined {
  if (process.platform !== 'linux') return `needs Linux (this is ${process.platform})`
  if (process.getuid?.() !== 0) return 'needs root: podman as root and debootstrap (.ci/run runs it as root)'
  const missing = ['podman', 'runc', 'debootstrap', 'chroot'].filter(t => !has(t))
  if (missing.length > 0) return `missing ${missing.join(', ')}: apt-get install podman buildah runc debootstrap fuse-overlayfs uidmap (.ci/run does)`
  return undefined
}

/** Write our containers.conf and point podman at it (for this process and its children). */
export function configurePodman (): void {
  mkdirSync(CACHE, { recursive: true })
  let nofile = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim()
  if (nofile === 'unlimited') nofile = '1048576'
  const conf = join(CACHE, 'containers.conf')
  writeFileSync(conf, `[containers]\ndefault_ulimits = ["nofile=${nofile}:${nofile}", "nproc=32768:32768"]\n[engine]\nruntime = "runc"\n`)
  process.env.CONTAINERS_CONF = conf
}

export interface Result { code: number, stdout: string, stderr: string }

/** Run podman; resolves with its exit code and output whatever the code. */
export async function podmanRun (args: string[], timeoutMs = 120_000): Promise<Result> {
  return new Promise(resolve => {
    execFile('podman', args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1
      resolve({ code, stdout, stderr })
    })
  })
}

/** Run podman; its stdout, trimmed, or an error carrying its stderr. */
export async function podman (args: string[], timeoutMs = 120_000): Promise<string> {
  const r = await podmanRun(args, timeoutMs)
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')} exited ${r.code}: ${r.stderr.split('\n').filter(l => !l.includes('CNI config')).join('\n').trim()}`)
  return r.stdout.trim()
}

/** An image's size in MB (10^6 bytes, as podman prints it). */
export async function imageMB (image: string): Promise<number> {
  return Math.round(Number(await podman(['image', 'inspect', image, '--format', '{{.Size}}'])) / 1e6)
}
