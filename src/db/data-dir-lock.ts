import { readFile, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'

/** The embedded database's directory is open in another process (the service, or the tool). */
export class DataDirInUse extends Error {
  readonly dataDir: string
  readonly pid: number
  constructor(dataDir: string, pid: number) {
    super(`the embedded database in ${dataDir} is open in process ${pid}; only one process may open it at a time`)
    this.name = 'DataDirInUse'
    this.dataDir = dataDir
    this.pid = pid
  }
}

// Directories this process holds: a second open from the same process is refused too.
const held = new Set<string>()

/**
 * Takes the lock of an embedded data directory: a file holding this process's id, for the process
 * that runs its PostgreSQL (the service, or the tool while the service is stopped). A second one
 * is refused by name, rather than find PostgreSQL's own lock and say less. A lock left by a
 * process that has ended is taken over. Returns the release.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = path.join(dataDir, 'library-comms.lock')
  const key = path.resolve(lockPath)
  if (held.has(key)) throw new DataDirInUse(path.resolve(dataDir), process.pid)
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(lockPath, `${process.pid}\n`, { flag: 'wx', mode: 0o600 })
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const holder = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10)
    // Our own id in the file is a lock from an earlier life of this process id (a restarted
    // container's process 1), as this process holds no lock on it. A second process taking
    // over the same stale lock finds the first one's on its retry.
    const stale = !Number.isInteger(holder) || holder === process.pid || !isAlive(holder)
    if (!stale || attempt > 0) throw new DataDirInUse(path.resolve(dataDir), holder)
    await unlink(lockPath).catch(() => {})
  }
  held.add(key)
  return async () => {
    held.delete(key)
    const holder = await readFile(lockPath, 'utf8').catch(() => '')
    if (holder.trim() === String(process.pid)) await unlink(lockPath).catch(() => {})
  }
}

/** The process holding the directory's lock, while it runs: undefined when none does. */
export async function dataDirHolder(dataDir: string): Promise<number | undefined> {
  const holder = Number.parseInt(await readFile(path.join(dataDir, 'library-comms.lock'), 'utf8').catch(() => ''), 10)
  return Number.isInteger(holder) && holder !== process.pid && isAlive(holder) ? holder : undefined
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
