import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import { type BackupHeader, type BackupSummary, backupFormat, backupVersion, endLine, tableLine } from './format.ts'
import { appliedMigrations, rowsAfter, tablesInOrder } from './queries.ts'

/** Rows read per query: a page of a table, in physical order. */
const pageRows = 2_000

/**
 * Writes a backup of the whole database to `output` (format.ts): every table, as one consistent
 * snapshot (a repeatable-read, read-only transaction), while the service runs on. Rows are read a
 * page at a time and written as they come, so a district's contacts never sit in memory at once.
 * `onTable` hears of each table when it is written.
 */
export async function backupDatabase(db: Db, input: { output: Writable; now: Date; onTable?: (table: string, rows: number) => void }): Promise<BackupSummary> {
  const gzip = createGzip()
  const written = pipeline(gzip, input.output)
  // The pipeline's failure (a full disk) ends the transaction's reading too, and is what is thrown.
  let failure: unknown
  written.catch((error) => {
    failure = error
  })
  const write = async (line: string) => {
    if (failure !== undefined) throw failure
    if (!gzip.write(`${line}\n`)) await Promise.race([once(gzip, 'drain'), written])
  }

  const summary = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      await sql`set transaction read only`.execute(trx)
      const server = await sql<{ version: string }>`select current_setting('server_version') as version`.execute(trx)
      const migrations = await appliedMigrations(trx)
      const header: BackupHeader = {
        format: backupFormat,
        version: backupVersion,
        createdAt: input.now.toISOString(),
        server: `PostgreSQL ${server.rows[0]?.version ?? 'unknown'}`,
        migrations,
      }
      await write(JSON.stringify(header))
      const tables: BackupSummary['tables'] = []
      for (const table of await tablesInOrder(trx)) {
        await write(tableLine(table))
        let rows = 0
        for (let after = '(0,0)'; ; ) {
          const page = await rowsAfter(trx, table, after, pageRows)
          for (const { row } of page) await write(row)
          rows += page.length
          if (page.length < pageRows) break
          after = page[page.length - 1].at
        }
        tables.push({ table, rows })
        input.onTable?.(table, rows)
      }
      await write(endLine(Object.fromEntries(tables.map(({ table, rows }) => [table, rows]))))
      return { tables, migrations }
    })
    .catch(async (error) => {
      gzip.destroy(error)
      await written.catch(() => {})
      throw failure ?? error
    })
  gzip.end()
  await written
  return summary
}
