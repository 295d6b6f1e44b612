import type { PGlite } from '@electric-sql/pglite'
import type { Sql } from 'postgres'
import type { Kysely } from 'kysely'
import type { Mutex } from './mutex.ts'

/** A value COPY can take: null, or a scalar written in Postgres's text format. */
export type CopyValue = string | number | boolean | null

/**
 * Loads rows with COPY, the fastest way into Postgres: one call per batch, no statement per
 * row. It runs outside any Kysely transaction, so it suits staging tables that are read later.
 */
export type BulkLoader = (table: string, columns: readonly string[], rows: readonly CopyValue[][]) => Promise<void>

// COPY text format: tab-separated, \N for null, backslash escapes for the separators.
export function toCopyText(rows: readonly CopyValue[][]): string {
  let text = ''
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const value = row[i]
      if (i > 0) text += '\t'
      if (value === null) text += '\\N'
      else if (typeof value === 'string') text += needsEscape.test(value) ? value.replace(/[\\\t\n\r]/g, escape) : value
      else text += String(value)
    }
    text += '\n'
  }
  return text
}

// Testing first is cheaper than replacing, and almost no value needs escaping.
const needsEscape = /[\\\t\n\r]/
const escapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' }
const escape = (c: string) => escapes[c]

const identifier = /^[a-z_][a-z0-9_]*$/
function copyStatement(table: string, columns: readonly string[], source: string): string {
  if (!identifier.test(table) || !columns.every((c) => identifier.test(c))) throw new Error(`bad COPY target ${table}`)
  return `copy ${table} (${columns.join(', ')}) from ${source}`
}

export function embeddedBulkLoader(pglite: PGlite, gate: Mutex): BulkLoader {
  return async (table, columns, rows) => {
    if (rows.length === 0) return
    const blob = new Blob([toCopyText(rows)])
    // PGlite reads COPY input from a virtual /dev/blob file.
    await gate.run(() => pglite.query(copyStatement(table, columns, `'/dev/blob'`), [], { blob }))
  }
}

export function serverBulkLoader(client: Sql): BulkLoader {
  return async (table, columns, rows) => {
    if (rows.length === 0) return
    const stream = await client.unsafe(copyStatement(table, columns, 'stdin')).writable()
    await new Promise<void>((resolve, reject) => {
      stream.on('error', reject)
      stream.on('finish', resolve)
      stream.end(toCopyText(rows))
    })
  }
}

/**
 * Multi-row INSERTs, for a connection that cannot COPY (the command-line tool reaching the
 * embedded database through the service's socket). Slower than COPY, still no query per row.
 */
export function insertBulkLoader(db: Kysely<any>): BulkLoader {
  const rowsPerStatement = 1000
  return async (table, columns, rows) => {
    copyStatement(table, columns, 'stdin') // validates the identifiers
    for (let start = 0; start < rows.length; start += rowsPerStatement) {
      const values = rows.slice(start, start + rowsPerStatement).map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])))
      await db.insertInto(table).values(values).execute()
    }
  }
}
