import { readFile, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'

/** Who runs the embedded database: the service, or the command-line tool while the service is stopped. */
export type DataDirHolder = 'service' | 'tool'

/** The embedded database's directory is open in another process (the service, or the tool). */
export class DataDirInUse extends Error {
  readonly dataDir: string
  readonly pid: number
  readonly holder: DataDirHolder
  constructor(dataDir: string, pid: number, holder: DataDirHolder) {
    super(`the embedded database in ${dataDir} is open in process ${pid}; only one process may open it at a time`)
    this.name = 'DataDirInUse'
    this.dataDir = dataDir
    this.pid = pid
    this.holder = holder
  }
}

// Directories this process holds: a second open from the same process is refused too.
const held = new Set<string>()

const lockFile = (dataDir: string) => path.join(dataDir, 'library-comms.lock')

/**
 * Takes the lock of an embedded data directory: a file holding this process's id and whether it
 * is the service or the tool, for the process that runs its PostgreSQL. A second one is refused
 * by name, rather than find PostgreSQL's own lock and say less. A lock left by a process that has
 * ended is taken over. Returns the release.
 */
export async function lockDataDir(dataDir: string, holder: DataDirHolder = 'service'): Promise<() => Promise<void>> {
  const lockPath = lockFile(dataDir)
  const key = path.resolve(lockPath)
  if (held.has(key)) throw new DataDirInUse(path.resolve(dataDir), process.pid, holder)
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(lockPath, `${process.pid} ${holder}\n`, { flag: 'wx', mode: 0o600 })
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const found = await readLock(lockPath)
    // Our own id in the file is a lock from an earlier life of this process id (a restarted
    // container's process 1), as this process holds no lock on it. A second process taking
    // over the same stale lock finds the first one's on its retry.
    const stale = found === undefined || found.pid === process.pid || !isAlive(found.pid)
    if (!stale || attempt > 0) throw new DataDirInUse(path.resolve(dataDir), found?.pid ?? 0, found?.holder ?? 'service')
    await unlink(lockPath).catch(() => {})
  }
  held.add(key)
  return async () => {
    held.delete(key)
    if ((await readLock(lockPath))?.pid === process.pid) await unlink(lockPath).catch(() => {})
  }
}

/** The process holding the directory's lock, while it runs: undefined when none does. */
export async function dataDirHolder(dataDir: string): Promise<{ pid: number; holder: DataDirHolder } | undefined> {
  const found = await readLock(lockFile(dataDir))
  return found !== undefined && found.pid !== process.pid && isAlive(found.pid) ? found : undefined
}

async function readLock(lockPath: string): Promise<{ pid: number; holder: DataDirHolder } | undefined> {
  const [pid, holder] = (await readFile(lockPath, 'utf8').catch(() => '')).trim().split(' ')
  const id = Number.parseInt(pid ?? '', 10)
  return Number.isInteger(id) && id > 0 ? { pid: id, holder: holder === 'tool' ? 'tool' : 'service' } : undefined
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
