import { mkdir } from 'node:fs/promises'
import { Kysely } from 'kysely'
import { PostgresJSDialect } from 'kysely-postgres-js'
import postgres from 'postgres'
import { type BulkLoader, serverBulkLoader } from './bulk-load.ts'
import { type DataDirHolder, lockDataDir } from './data-dir-lock.ts'
import { type EmbeddedConnection, startEmbeddedServer } from './embedded-server.ts'
import type { Database } from './schema.ts'

export type Db = Kysely<Database>

/** An open database: a PostgreSQL server, the school's or the embedded one, through one driver. */
export type DatabaseHandle = {
  db: Db
  kind: 'embedded' | 'server'
  /** COPY into a table, outside any transaction (staging). */
  bulkLoad: BulkLoader
  /** What opening it did, for the log (the embedded server: created, recovered…). */
  events: string[]
  close(): Promise<void>
}

/** Opens a PostgreSQL server through postgres.js: a URL, or the embedded server's socket. */
export function openServerDatabase(target: string | EmbeddedConnection, options: { max?: number; kind?: DatabaseHandle['kind'] } = {}): DatabaseHandle {
  const settings = {
    max: options.max ?? 10,
    onnotice: () => {},
    // int8 and numeric come back as strings by default; counts we read are cast in SQL.
    connection: { application_name: 'library-comms' },
    // A calendar date (a due date, a night's date) stays 'YYYY-MM-DD': as a Date it would be
    // midnight UTC, a day off in every time zone west of Greenwich.
    types: { calendarDate: { to: 1082, from: [1082], serialize: (value: string) => value, parse: (value: string) => value } },
  }
  // postgres.js takes no socket in a URL: the embedded server's is given as a host directory.
  const client = typeof target === 'string' ? postgres(target, settings) : postgres({ ...target, ...settings })
  const db = new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: client }) })
  return {
    db,
    kind: options.kind ?? 'server',
    bulkLoad: serverBulkLoader(client),
    events: [],
    close: () => db.destroy().then(() => client.end({ timeout: 5 })),
  }
}

/**
 * Starts the embedded PostgreSQL in `dataDir` (creating it on first start) and opens it. The
 * directory is this process's while it runs: a second service on it is refused by name. Closing
 * it stops the server.
 */
export async function openEmbeddedDatabase(input: { dataDir: string; max?: number; holder?: DataDirHolder }): Promise<DatabaseHandle> {
  await mkdir(input.dataDir, { recursive: true })
  const unlock = await lockDataDir(input.dataDir, input.holder)
  try {
    const server = await startEmbeddedServer({ dataDir: input.dataDir })
    const handle = openServerDatabase(server.connection, { max: input.max, kind: 'embedded' })
    return {
      ...handle,
      events: server.events,
      async close() {
        await handle.close().catch(() => {})
        await server.stop()
        await unlock()
      },
    }
  } catch (error) {
    await unlock()
    throw error
  }
}
