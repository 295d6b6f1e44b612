import { existsSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Config } from '../config.ts'
import type { BulkLoader } from '../db/bulk-load.ts'
import { DataDirInUse, dataDirHolder } from '../db/data-dir-lock.ts'
import { type Db, openEmbeddedDatabase, openServerDatabase } from '../db/database.ts'
import { type EmbeddedConnection, EmbeddedDatabaseError, runningEmbeddedServer } from '../db/embedded-server.ts'
import { giveUpUnfinishedBatches } from '../domain/batches/give-up-batches.ts'
import { systemClock } from '../domain/deps.ts'
import { err, ok, type Result } from '../domain/result.ts'
import type { CliError } from './command.ts'

async function giveUpLeftImports(db: Db): Promise<void> {
  // Before migrations there is no table to look in.
  const tables = await db.introspection.getTables()
  if (tables.some((table) => table.name === 'batches')) await giveUpUnfinishedBatches(db, { now: systemClock.now() })
}

/** The database the tool works on, how it got there (for messages), and how it bulk-loads. */
type CliDatabase = { db: Db; bulkLoad: BulkLoader; via: 'server' | 'service' | 'embedded'; close(): Promise<void> }

/**
 * Opens the database the service uses: the server when DATABASE_URL is set; otherwise the
 * embedded PostgreSQL in DATA_DIR, through its socket while the service runs it, or started by
 * the tool itself (and stopped when it is done) while the service is stopped.
 */
export async function openCliDatabase(config: Config, options: { create: boolean }): Promise<Result<CliDatabase, CliError>> {
  if (config.databaseUrl) {
    const handle = openServerDatabase(config.databaseUrl, { max: 2 })
    return ok({ db: handle.db, bulkLoad: handle.bulkLoad, via: 'server', close: handle.close })
  }
  // While the service runs, its server, through the socket (waiting for it while the service
  // starts); while another command runs the database itself, a refusal naming that process, as
  // it stops the database when it ends.
  const holder = await dataDirHolder(config.dataDir)
  if (holder !== undefined) {
    const dataDir = path.resolve(config.dataDir)
    if (holder.holder === 'tool') return err({ code: 'database_in_use', dataDir, pid: holder.pid, holder: 'tool' })
    const running = await serviceDatabase(config.dataDir)
    if (running) {
      const handle = openServerDatabase(running, { max: 2, kind: 'embedded' })
      return ok({ db: handle.db, bulkLoad: handle.bulkLoad, via: 'service', close: handle.close })
    }
    // Still starting after a minute; or it stopped meanwhile, and the tool runs the database itself.
    if ((await dataDirHolder(config.dataDir)) !== undefined) return err({ code: 'database_in_use', dataDir, pid: holder.pid, holder: 'service' })
  }
  if (!options.create && !existsSync(path.join(config.dataDir, 'pgdata', 'PG_VERSION'))) {
    return err({ code: 'no_database', dataDir: path.resolve(config.dataDir) })
  }
  try {
    const handle = await openEmbeddedDatabase({ dataDir: config.dataDir, max: 2, holder: 'tool' })
    // The tool holds the directory alone (the service is not running): an import left being read
    // was left so by a process that died, and changed nothing.
    await giveUpLeftImports(handle.db)
    return ok({ db: handle.db, bulkLoad: handle.bulkLoad, via: 'embedded', close: handle.close })
  } catch (error) {
    // Another command, or a service, took the directory a moment before.
    if (error instanceof DataDirInUse) return err({ code: 'database_in_use', dataDir: error.dataDir, pid: error.pid, holder: error.holder })
    if (error instanceof EmbeddedDatabaseError) return err({ code: 'embedded_database_failed', message: error.message })
    throw error
  }
}

/** The service's database once it is up: a service starting creates or recovers it, which takes seconds. */
async function serviceDatabase(dataDir: string): Promise<EmbeddedConnection | undefined> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const running = runningEmbeddedServer(dataDir)
    if (running || Date.now() > deadline || (await dataDirHolder(dataDir)) === undefined) return running
    await sleep(100)
  }
}
