import { existsSync } from 'node:fs'
import { createConnection } from 'node:net'
import path from 'node:path'
import { Kysely } from 'kysely'
import { PostgresJSDialect } from 'kysely-postgres-js'
import postgres from 'postgres'
import type { Config } from '../config.ts'
import { type BulkLoader, insertBulkLoader } from '../db/bulk-load.ts'
import { DataDirInUse } from '../db/data-dir-lock.ts'
import { type Db, openEmbeddedDatabase, openServerDatabase } from '../db/database.ts'
import { localSocketPath } from '../db/local-socket.ts'
import type { Database } from '../db/schema.ts'
import { giveUpUnfinishedBatches } from '../domain/batches/give-up-batches.ts'
import { systemClock } from '../domain/deps.ts'
import { err, ok, type Result } from '../domain/result.ts'
import type { CliError } from './command.ts'

async function giveUpLeftImports(db: Db): Promise<void> {
  // Before migrations there is no table to look in.
  const tables = await db.introspection.getTables()
  if (tables.some((table) => table.name === 'import_batches')) await giveUpUnfinishedBatches(db, { now: systemClock.now() })
}

/** The database the tool works on, how it got there (for messages), and how it bulk-loads. */
type CliDatabase = { db: Db; bulkLoad: BulkLoader; via: 'server' | 'service' | 'embedded'; close(): Promise<void> }

/**
 * Opens the database the service uses: the server when DATABASE_URL is set; otherwise the
 * embedded database in DATA_DIR, through the running service's local socket when it runs
 * (PGlite lets only one process open a data directory), or directly when it does not.
 */
export async function openCliDatabase(config: Config, options: { create: boolean }): Promise<Result<CliDatabase, CliError>> {
  if (config.databaseUrl) {
    const handle = openServerDatabase(config.databaseUrl, { max: 2 })
    return ok({ db: handle.db, bulkLoad: handle.bulkLoad, via: 'server', close: handle.close })
  }
  const socketPath = localSocketPath(config.dataDir)
  if (await isServiceListening(socketPath)) return ok(openSocketDatabase(socketPath))
  if (!options.create && !existsSync(path.join(config.dataDir, 'pgdata'))) {
    return err({ code: 'no_database', dataDir: path.resolve(config.dataDir) })
  }
  try {
    const handle = await openEmbeddedDatabase({ dataDir: config.dataDir })
    // The tool holds the directory alone (the service is not running): an import left reading or
    // applying was left so by a process that died, and changed nothing.
    await giveUpLeftImports(handle.db)
    return ok({ db: handle.db, bulkLoad: handle.bulkLoad, via: 'embedded', close: handle.close })
  } catch (error) {
    // The service is starting (its socket is not up yet), or another command has the directory.
    if (error instanceof DataDirInUse) return err({ code: 'database_in_use', dataDir: error.dataDir, pid: error.pid })
    throw error
  }
}

/**
 * The running service's embedded database, through its Unix socket (Postgres protocol).
 * One connection, and unnamed statements: the service's PGlite is a single session, so named
 * prepared statements would outlive this process inside the service. Multi-row INSERTs stand in
 * for COPY: pglite-socket drops the connection on COPY FROM STDIN (tried with 0.2.17).
 */
function openSocketDatabase(socketPath: string): CliDatabase {
  const client = postgres({ path: socketPath, username: 'postgres', database: 'postgres', max: 1, prepare: false, onnotice: () => {} })
  const db = new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: client }) })
  return { db, bulkLoad: insertBulkLoader(db), via: 'service', close: () => db.destroy().then(() => client.end({ timeout: 5 })) }
}

// A socket file left by a service that crashed refuses connections; only a live one counts.
function isServiceListening(socketPath: string): Promise<boolean> {
  if (!existsSync(socketPath)) return Promise.resolve(false)
  return new Promise((resolve) => {
    const socket = createConnection({ path: socketPath })
    const answer = (listening: boolean) => {
      socket.destroy()
      resolve(listening)
    }
    socket.once('connect', () => answer(true))
    socket.once('error', () => answer(false))
    socket.setTimeout(2_000, () => answer(false))
  })
}
