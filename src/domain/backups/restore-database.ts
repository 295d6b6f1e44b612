import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { StringDecoder } from 'node:string_decoder'
import { createGunzip } from 'node:zlib'
import type { Db } from '../../db/database.ts'
import { err, ok, type Result } from '../result.ts'
import type { RestoreError } from './errors.ts'
import { type BackupHeader, type BackupSummary, backupFormat, backupVersion } from './format.ts'
import { appliedMigrations, insertRows, resetIdentities, tablesInOrder, tablesWithRows, writableColumns } from './queries.ts'

/** How a restore brings the database's schema to the backup's, and then on to this version's. */
export type Migrations = {
  /** This version's migrations, in order. */
  names: string[]
  migrateTo(db: Db, name: string): Promise<unknown>
  migrateToLatest(db: Db): Promise<string[]>
}

/** Rows inserted per statement, and the most text one statement carries. */
const batchRows = 2_000
const batchChars = 8 * 1024 * 1024

/**
 * Fills an empty database from a backup (format.ts), as one transaction: the database gets every
 * row of the file or none. The schema is first brought to the backup's migrations (a new database,
 * or one a service has just created at the same version), the rows go in parents first with their
 * ids, each identity goes on from its highest id, and the migrations made since then run last, on
 * the restored rows. Every table's count is checked against the file's end line before commit, so
 * a file cut short or changed by hand restores nothing.
 */
export async function restoreDatabase(
  deps: { db: Db; migrations: Migrations },
  input: { source: AsyncIterable<Uint8Array>; onTable?: (table: string, rows: number) => void },
): Promise<Result<BackupSummary & { migrated: string[] }, RestoreError>> {
  const lines = new LineReader(input.source)
  try {
    return await restoreFrom(deps, lines, input.onTable)
  } finally {
    await lines.close()
  }
}

async function restoreFrom(
  deps: { db: Db; migrations: Migrations },
  lines: LineReader,
  onTable: ((table: string, rows: number) => void) | undefined,
): Promise<Result<BackupSummary & { migrated: string[] }, RestoreError>> {
  const first = await lines.next()
  if (!first.ok) return first.error.code === 'backup_cut_short' ? err({ code: 'not_a_backup', reason: 'it is empty or not gzip-compressed' }) : first
  if (first.value === undefined) return err({ code: 'not_a_backup', reason: 'it is empty' })
  const header = parseHeader(first.value)
  if (!header.ok) return header

  const unknown = header.value.migrations.filter((name) => !deps.migrations.names.includes(name))
  if (unknown.length > 0) return err({ code: 'backup_too_new', unknown })
  const applied = await appliedMigrations(deps.db)
  const ahead = applied.find((name) => !header.value.migrations.includes(name))
  if (ahead !== undefined) return err({ code: 'database_ahead', backup: header.value.migrations.at(-1), database: applied.at(-1)! })
  const filled = await tablesWithRows(deps.db, await tablesInOrder(deps.db))
  if (filled.length > 0) return err({ code: 'database_not_empty', tables: filled })
  const backupLevel = header.value.migrations.at(-1)
  if (backupLevel !== undefined) await deps.migrations.migrateTo(deps.db, backupLevel)

  const loaded = await deps.db
    .transaction()
    .execute(async (trx) => {
      const result = await loadRows(trx, lines, onTable)
      if (!result.ok) throw new Refused(result.error)
      await resetIdentities(trx)
      return result.value
    })
    .catch((error) => {
      if (error instanceof Refused) return error.refusal
      throw error
    })
  if (!('tables' in loaded)) return err(loaded)
  const migrated = await deps.migrations.migrateToLatest(deps.db)
  return ok({ tables: loaded.tables, migrations: header.value.migrations, migrated })
}

/** Carries a refusal out of the transaction, which rolls back. */
class Refused extends Error {
  readonly refusal: RestoreError
  constructor(refusal: RestoreError) {
    super(refusal.code)
    this.refusal = refusal
  }
}

type Line = { text: string; number: number }

async function loadRows(
  db: Db,
  lines: LineReader,
  onTable: ((table: string, rows: number) => void) | undefined,
): Promise<Result<{ tables: BackupSummary['tables'] }, RestoreError>> {
  const known = new Set(await tablesInOrder(db))
  const tables: BackupSummary['tables'] = []
  let current: { table: string; columns: string[]; rows: number } | undefined
  let batch: string[] = []
  let batchSize = 0
  let batchLine = 0

  const flush = async (): Promise<Result<void, RestoreError>> => {
    if (!current || batch.length === 0) return ok(undefined)
    try {
      current.rows += await insertRows(db, current.table, current.columns, batch)
    } catch (error) {
      return err({ code: 'rows_refused', table: current.table, line: batchLine, reason: (error as Error).message })
    }
    batch = []
    batchSize = 0
    return ok(undefined)
  }
  const finishTable = async (): Promise<Result<void, RestoreError>> => {
    const flushed = await flush()
    if (!flushed.ok || !current) return flushed
    tables.push({ table: current.table, rows: current.rows })
    onTable?.(current.table, current.rows)
    return ok(undefined)
  }

  for (;;) {
    const read = await lines.next()
    if (!read.ok) return read
    if (read.value === undefined) return err({ code: 'backup_cut_short', line: lines.last })
    const { text, number } = read.value
    if (text.startsWith('{')) {
      if (!current) return err({ code: 'backup_damaged', line: number, reason: 'a row comes before any table is named' })
      if (batch.length === 0) batchLine = number
      batch.push(text)
      batchSize += text.length
      if (batch.length >= batchRows || batchSize >= batchChars) {
        const flushed = await flush()
        if (!flushed.ok) return flushed
      }
      continue
    }
    let marker: unknown
    try {
      marker = JSON.parse(text)
    } catch {
      return err({ code: 'backup_damaged', line: number, reason: 'it is not JSON' })
    }
    if (!Array.isArray(marker)) return err({ code: 'backup_damaged', line: number, reason: 'it is neither a row nor a table or end line' })
    const finished = await finishTable()
    if (!finished.ok) return finished
    current = undefined
    if (marker[0] === 'table' && typeof marker[1] === 'string') {
      if (!known.has(marker[1])) return err({ code: 'backup_damaged', line: number, reason: `there is no table "${marker[1]}" in the backup's schema` })
      if (tables.some((table) => table.table === marker[1])) return err({ code: 'backup_damaged', line: number, reason: `table "${marker[1]}" comes twice` })
      current = { table: marker[1], columns: await writableColumns(db, marker[1]), rows: 0 }
      continue
    }
    if (marker[0] !== 'end' || typeof marker[1] !== 'object' || marker[1] === null) {
      return err({ code: 'backup_damaged', line: number, reason: 'it is neither a row nor a table or end line' })
    }
    const counts = marker[1] as Record<string, unknown>
    const mismatch = tables.find(({ table, rows }) => counts[table] !== rows) ?? Object.keys(counts).find((table) => !tables.some((t) => t.table === table))
    if (mismatch !== undefined) {
      const table = typeof mismatch === 'string' ? mismatch : mismatch.table
      const read = tables.find((t) => t.table === table)?.rows ?? 0
      return err({
        code: 'backup_damaged',
        line: number,
        reason: `its end line counts ${String(counts[table] ?? 0)} rows of "${table}", and the file holds ${read}`,
      })
    }
    const after = await lines.next()
    if (!after.ok) return after
    if (after.value !== undefined) return err({ code: 'backup_damaged', line: after.value.number, reason: 'there is more after the end line' })
    return ok({ tables })
  }
}

function parseHeader(line: Line): Result<BackupHeader, RestoreError> {
  let header: Partial<BackupHeader>
  try {
    header = JSON.parse(line.text)
  } catch {
    return err({ code: 'not_a_backup', reason: 'its first line is not JSON' })
  }
  if (header?.format !== backupFormat) return err({ code: 'not_a_backup', reason: `its first line does not say "${backupFormat}"` })
  if (header.version !== backupVersion)
    return err({ code: 'not_a_backup', reason: `it is of version ${String(header.version)}, and this library-comms reads version ${backupVersion}` })
  if (!Array.isArray(header.migrations) || !header.migrations.every((name) => typeof name === 'string')) {
    return err({ code: 'not_a_backup', reason: 'its header lists no migrations' })
  }
  return ok(header as BackupHeader)
}

/**
 * The file's lines, decompressed as they stream. `next` gives the next line or undefined at the
 * end; a file that is not gzip, or is cut short, is a refusal rather than a throw. `last` is the
 * number of the last line read whole.
 */
class LineReader {
  last = 0
  readonly #lines: AsyncGenerator<Line>

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#lines = readLines(source)
  }

  async next(): Promise<Result<Line | undefined, RestoreError>> {
    try {
      const read = await this.#lines.next()
      if (read.done) return ok(undefined)
      this.last = read.value.number
      return ok(read.value)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'Z_BUF_ERROR') return err({ code: 'backup_cut_short', line: this.last })
      if (code === 'Z_DATA_ERROR')
        return this.last === 0 ? err({ code: 'not_a_backup', reason: 'it is not gzip-compressed' }) : err({ code: 'backup_cut_short', line: this.last })
      throw error
    }
  }

  /** Stops reading (the file is closed). */
  async close(): Promise<void> {
    await this.#lines.return(undefined)
  }
}

async function* readLines(source: AsyncIterable<Uint8Array>): AsyncGenerator<Line> {
  const gunzip = createGunzip()
  // A source that fails (the file unreadable) destroys the gunzip with its error, which the loop
  // below throws; leaving the loop early destroys both.
  pipeline(Readable.from(source), gunzip).catch(() => {})
  const decoder = new StringDecoder('utf8')
  let pending = ''
  let number = 0
  for await (const chunk of gunzip) {
    pending += decoder.write(chunk)
    let start = 0
    for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n', start)) {
      yield { text: pending.slice(start, end), number: ++number }
      start = end + 1
    }
    pending = pending.slice(start)
  }
  pending += decoder.end()
  if (pending !== '') yield { text: pending, number: ++number }
}
