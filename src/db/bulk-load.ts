import { finished } from 'node:stream/promises'
import type { Sql } from 'postgres'

/** A value COPY can take: null, or a scalar written in Postgres's text format. */
export type CopyValue = string | number | boolean | null

/**
 * Loads rows with COPY, the fastest way into Postgres: one call per batch, no statement per
 * row. It runs outside any Kysely transaction, so it suits staging tables that are read later.
 * Rows come as lines of COPY's text format without their line ends (`copyLine`), made as each
 * row is read: a batch of rows held as arrays of values, each value a slice of the file's text,
 * lives long enough to be promoted out of V8's young generation, and B1's garbage collection
 * and peak RSS were mostly that.
 */
export type BulkLoader = (table: string, columns: readonly string[], lines: readonly string[]) => Promise<void>

/**
 * One row in COPY's text format, without its line end: tab-separated, \N for null, backslash
 * escapes for the separators. Joined, so that the line is one flat string that refers to nothing.
 */
export function copyLine(row: readonly CopyValue[]): string {
  const fields = new Array<string>(row.length)
  for (let i = 0; i < row.length; i++) {
    const value = row[i]
    if (value === null) fields[i] = '\\N'
    else if (typeof value === 'string') fields[i] = needsEscape.test(value) ? value.replace(/[\\\t\n\r]/g, escapeOf) : value
    else fields[i] = String(value)
  }
  return fields.join('\t')
}

/**
 * A row's values in the order of `columns`, taken by name: reordering a staging table's column
 * list can never shift a value into the wrong column.
 */
export function valuesInOrder<C extends readonly string[]>(columns: C, row: Record<C[number], CopyValue>): CopyValue[] {
  const values = new Array<CopyValue>(columns.length)
  for (let i = 0; i < columns.length; i++) values[i] = row[columns[i] as C[number]]
  return values
}

/** The lines of a batch as COPY reads them. */
const copyText = (lines: readonly string[]) => `${lines.join('\n')}\n`

// Testing first is cheaper than replacing, and almost no value needs escaping.
const needsEscape = /[\\\t\n\r]/
const escapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' }
const escapeOf = (c: string) => escapes[c]

const identifier = /^[a-z_][a-z0-9_]*$/
function copyStatement(table: string, columns: readonly string[], source: string): string {
  if (!identifier.test(table) || !columns.every((c) => identifier.test(c))) throw new Error(`bad COPY target ${table}`)
  return `copy ${table} (${columns.join(', ')}) from ${source}`
}

export function serverBulkLoader(client: Sql): BulkLoader {
  return async (table, columns, lines) => {
    if (lines.length === 0) return
    const query = client.unsafe(copyStatement(table, columns, 'stdin'))
    // postgres.js 3.4 loses the server's refusal of COPY data sent before the stream ended: the
    // writable then never finishes nor errs (porsager/postgres#1173, fix proposed in #1183), and
    // an import waited for ever, holding its library, or went on as if its rows had landed. The
    // refusal still reaches the query's own reject, which is the one place it can be heard.
    const refused = new Promise<never>((_, reject) => {
      const settle = (query as unknown as { reject: (error: unknown) => void }).reject
      ;(query as unknown as { reject: (error: unknown) => void }).reject = (error) => {
        reject(error)
        settle(error)
      }
    })
    refused.catch(() => {}) // raced below; a refusal after the stream finished has nothing to fail
    const stream = await Promise.race([query.writable(), refused])
    await Promise.race([finished(stream.end(copyText(lines))), refused])
  }
}
