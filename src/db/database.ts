import { mkdir } from 'node:fs/promises'
import { PGlite, type PGliteOptions } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { Kysely } from 'kysely'
import { PostgresJSDialect } from 'kysely-postgres-js'
import postgres from 'postgres'
import { type BulkLoader, embeddedBulkLoader, serverBulkLoader } from './bulk-load.ts'
import { lockDataDir } from './data-dir-lock.ts'
import { Mutex } from './mutex.ts'
import { PGliteDialect } from './pglite-dialect.ts'
import type { Database } from './schema.ts'

export type Db = Kysely<Database>

/** An open database: the Kysely handle plus what only the embedded engine has. */
export type DatabaseHandle = {
  db: Db
  kind: 'embedded' | 'server'
  /** The embedded engine and its connection gate (undefined on a server). */
  embedded: { pglite: PGlite; gate: Mutex } | undefined
  /** COPY into a table, outside any transaction (staging). */
  bulkLoad: BulkLoader
  close(): Promise<void>
}

/** Opens a PostgreSQL server through postgres.js. */
export function openServerDatabase(url: string, options: { max?: number } = {}): DatabaseHandle {
  const client = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // int8 and numeric come back as strings by default; counts we read are cast in SQL.
    connection: { application_name: 'library-comms' },
  })
  const db = new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: client }) })
  return {
    db,
    kind: 'server',
    embedded: undefined,
    bulkLoad: serverBulkLoader(client),
    close: () => db.destroy().then(() => client.end({ timeout: 5 })),
  }
}

/** Extensions the migrations use; PGlite loads them at creation (a server has them installed). */
export const embeddedOptions = { extensions: { pg_trgm } } satisfies PGliteOptions

/** Opens (creating if needed) the embedded database in `dataDir`, or wraps a PGlite already open. */
export async function openEmbeddedDatabase(source: { dataDir: string } | { pglite: PGlite }): Promise<DatabaseHandle> {
  let pglite: PGlite
  let unlock = async () => {}
  if ('pglite' in source) pglite = source.pglite
  else {
    await mkdir(source.dataDir, { recursive: true })
    unlock = await lockDataDir(source.dataDir)
    try {
      pglite = await PGlite.create({ dataDir: `${source.dataDir}/pgdata`, ...embeddedOptions })
    } catch (error) {
      await unlock()
      throw error
    }
  }
  const gate = new Mutex()
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite, gate) })
  return {
    db,
    kind: 'embedded',
    embedded: { pglite, gate },
    bulkLoad: embeddedBulkLoader(pglite, gate),
    close: async () => {
      await db.destroy()
      if (!pglite.closed) await pglite.close()
      await unlock()
    },
  }
}
