import { setImmediate as turn } from 'node:timers/promises'
import { type BulkLoader, type CopyValue, copyLine } from '../../db/bulk-load.ts'
import type { Db } from '../../db/database.ts'
import { beat } from '../batches/stage-batch.ts'
import type { Clock } from '../deps.ts'
import { countOf, unstorableText } from '../text.ts'
import { type ColumnSpec, matchHeader } from './columns.ts'
import { decodeCsvBytes, UnreadableFile } from './decode-text.ts'
import { type ImportProblem, ProblemList } from './errors.ts'
import { countStagedRows, type StagingTable } from './queries.ts'
import { readCsvRecords } from './read-csv.ts'

/** A file as it arrives: from Slack, an HTTP body or disk, always as a byte stream. */
export type ImportFile = { name: string; bytes: AsyncIterable<Uint8Array> }

export type ImportProgress =
  | { phase: 'reading'; rowsRead: number }
  | { phase: 'checking'; rowsRead: number }
  | { phase: 'applying'; rowsRead: number; done: number; total: number }
  | { phase: 'done'; rowsRead: number }

export type StagingDeps = { db: Db; bulkLoad: BulkLoader; clock: Clock }

type RowReader<P> = (line: number, fields: readonly string[], positions: P) => { row: CopyValue[] } | { problems: ImportProblem[] }

// Rows are copied in batches: big enough for COPY to be efficient (each batch is a commit),
// small enough to stay in memory (two batches are held: one read while the other is copied).
const batchRows = 10_000
// While a file is read, its batch beats every ten seconds, on a timer: a file that arrives slowly
// (a trickling upload) beats as one that streams. One silent for a minute was left by a process
// that is gone (batches.ts). Each beat is a commit: one per 5,000 rows cost B1 two seconds of seven.
const heartbeatEveryMs = 10_000

/**
 * Streams a CSV file into a staging table: decodes it, matches the header, checks each row,
 * and copies the good rows in batches. Returns what it found; applies nothing.
 */
export async function stageFile<C extends readonly ColumnSpec[]>(
  deps: StagingDeps,
  input: {
    batchId: number
    file: ImportFile
    columns: C
    table: StagingTable
    tableColumns: readonly string[]
    /** Checks one row, and any rule across rows (a second primary for one patron). */
    readRow: RowReader<Partial<Record<C[number]['name'], number>>>
    onProgress?: (progress: ImportProgress) => void
  },
): Promise<{ readable: true; rows: number; problems: ProblemList; warnings: ImportProblem[]; checksum: string } | { readable: false; message: string }> {
  const decoded = decodeCsvBytes(input.file.bytes)
  const problems = new ProblemList()
  const warnings: ImportProblem[] = []
  let positions: Partial<Record<C[number]['name'], number>> | undefined
  let headerFields = 0
  let pending: string[] = []
  let rows = 0
  let headerOk = false
  let headerNames: string[] = []
  let staged = 0

  // Each batch is copied while the next is read, so the database and the parser work side by side.
  let copying: Promise<void> = Promise.resolve()
  let lastBeat: Promise<void> = Promise.resolve()
  const beating = setInterval(() => {
    lastBeat = lastBeat.then(() => beat(deps.db, input.batchId, deps.clock.now())).catch(() => {})
  }, heartbeatEveryMs)
  beating.unref()
  const flush = async () => {
    const batch = pending
    pending = []
    await copying
    copying = deps.bulkLoad(input.table, input.tableColumns, batch)
    copying.catch(() => {}) // awaited at the next flush; this only keeps a failure from going unhandled meanwhile
    input.onProgress?.({ phase: 'reading', rowsRead: rows })
  }
  try {
    for await (const records of readCsvRecords(decoded.text)) {
      for (const record of records) {
        if (positions === undefined) {
          headerNames = record.fields.map((field, index) => (unstorableText(field) === undefined && field.trim() !== '' ? field.trim() : `field ${index + 1}`))
          const damaged = record.fields.findIndex((field) => unstorableText(field) !== undefined)
          if (damaged !== -1) {
            problems.add({
              line: 1,
              column: headerNames[damaged],
              message: `the header ${unstorableText(record.fields[damaged])}: the file is damaged or not a CSV file`,
            })
            positions = {}
            continue
          }
          const header = matchHeader(input.columns, record.fields)
          positions = header.positions
          headerFields = record.fields.length
          for (const problem of header.problems) {
            if (problem.severity === 'error') problems.add(problem)
            else warnings.push(problem)
          }
          headerOk = header.problems.every((p) => p.severity !== 'error')
          continue
        }
        if (record.fields.every((field) => field.trim() === '')) continue
        rows += 1
        if (record.problem) {
          problems.add({ line: record.line, column: '(row)', message: record.problem })
          continue
        }
        if (!headerOk) continue
        // Checked before any rule reads the row: no message may quote what cannot be stored.
        const damaged = record.fields.findIndex((field) => unstorableText(field) !== undefined)
        if (damaged !== -1) {
          problems.add({
            line: record.line,
            column: headerNames[damaged] ?? `field ${damaged + 1}`,
            message: `this cell ${unstorableText(record.fields[damaged])}; the file may be damaged: export it again`,
          })
          continue
        }
        // A row may leave out empty trailing fields; a field beyond the header's is an unquoted comma.
        if (record.fields.length > headerFields && record.fields.slice(headerFields).some((field) => field.trim() !== '')) {
          problems.add({
            line: record.line,
            column: '(row)',
            message: `this row has ${record.fields.length} fields and the header has ${countOf(headerFields, 'field')}: a field that holds a comma must be in double quotes`,
          })
          continue
        }
        const read = input.readRow(record.line, record.fields, positions)
        if ('problems' in read) {
          for (const problem of read.problems) problems.add(problem)
          continue
        }
        pending.push(copyLine(read.row))
        staged += 1
      }
      if (pending.length >= batchRows) await flush()
      // Records arrive on promises alone, which starve the event loop: the COPY under way would
      // be sent and acknowledged only when the file is next read, so the database would wait on
      // the parser and the parser on the database. A turn per chunk lets both work at once.
      await turn()
    }
    await flush()
    await copying
    // Every good row read must have landed before anything is applied: a COPY lost without an
    // error once let a replace-all delete 10,240 contacts that its file still held.
    const landed = await countStagedRows(deps.db, input.table, input.batchId)
    if (landed !== staged) throw new Error(`import #${input.batchId}: ${staged} rows were read and checked, but ${landed} were staged`)
  } catch (error) {
    // No COPY may land after the caller has closed the batch and deleted its rows.
    await copying.catch(() => {})
    if (error instanceof UnreadableFile) return { readable: false, message: error.message }
    throw error
  } finally {
    clearInterval(beating)
    await lastBeat
  }
  if (positions === undefined) return { readable: false, message: 'The file is empty: it has no header row.' }
  // A file cut short after its header would otherwise replace a library's contacts with none.
  if (rows === 0) return { readable: false, message: 'The file has a header but no rows under it: nothing was imported. Check that the export finished.' }
  return { readable: true, rows, problems, warnings, checksum: decoded.result().checksum }
}
