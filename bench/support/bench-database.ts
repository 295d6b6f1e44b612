import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { promisify } from 'node:util'
import postgres from 'postgres'

/** Where one benchmark's service keeps its data: what to put in its environment, and how to clean up. */
export type BenchDatabase = {
  kind: 'server' | 'embedded'
  env: { DATABASE_URL: string } | { DATA_DIR: string }
  /**
   * A copy of the database as it is now, to measure on and throw away, so that every measured run
   * starts from the same data: a database made from this one as its template on the server, a copy
   * of DATA_DIR for the embedded one (whose PostgreSQL must be stopped, as it is once closed).
   */
  copy(): Promise<BenchDatabase>
  drop(): Promise<void>
}

/**
 * A fresh, empty database for one benchmark: a scratch database on the server of DATABASE_URL
 * (dropped afterwards, so the server's own data is never touched), else a temporary DATA_DIR.
 * The temporary directory is under the system's temp directory, and may be walked through by
 * every user: as root, the embedded PostgreSQL runs as the `postgres` user, which must reach
 * DATA_DIR.
 */
export async function createBenchDatabase(options: { serverUrl: string | undefined }): Promise<BenchDatabase> {
  if (options.serverUrl === undefined) {
    const parent = await mkdtemp(`${tmpdir()}/lc-bench-`)
    // mkdtemp makes it 0700; PostgreSQL's user (as root, `postgres`) must walk through it to DATA_DIR.
    await chmod(parent, 0o711)
    return embeddedDatabase(`${parent}/data`, () => rm(parent, { recursive: true, force: true }))
  }
  const name = `lc_bench_${randomBytes(5).toString('hex')}`
  await onServer(options.serverUrl, `create database ${name}`)
  return serverDatabase(options.serverUrl, name)
}

function serverDatabase(serverUrl: string, name: string): BenchDatabase {
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  let copies = 0
  return {
    kind: 'server',
    env: { DATABASE_URL: url.toString() },
    async copy() {
      copies += 1
      const copyName = `${name}_${copies}`
      await onServer(serverUrl, `create database ${copyName} template ${name}`)
      // Each run then starts just after a checkpoint, rather than meet one that the copy's WAL
      // brings on half-way through it. A user who may not checkpoint does without.
      await onServer(serverUrl, 'checkpoint').catch(() => {})
      return serverDatabase(serverUrl, copyName)
    },
    drop: () => onServer(serverUrl, `drop database if exists ${name} with (force)`),
  }
}

function embeddedDatabase(dataDir: string, drop: () => Promise<void>): BenchDatabase {
  let copies = 0
  return {
    kind: 'embedded',
    env: { DATA_DIR: dataDir },
    async copy() {
      copies += 1
      const copyDir = `${dataDir}-${copies}`
      // -a keeps the owner (the `postgres` user when root runs the bench) and the modes PostgreSQL checks.
      await promisify(execFile)('cp', ['-a', dataDir, copyDir])
      return embeddedDatabase(copyDir, () => rm(copyDir, { recursive: true, force: true }))
    },
    drop,
  }
}

async function onServer(serverUrl: string, statement: string): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(statement)
  } finally {
    await admin.end()
  }
}
