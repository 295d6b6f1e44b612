import { Readable } from 'node:stream'
import Papa from 'papaparse'

/** One record of the file; `line` counts records as a spreadsheet shows rows (header is line 1). */
type CsvRecord = { line: number; fields: string[]; problem: string | undefined }

const bufferedRecords = 2000
const pieceChars = 32 * 1024

/**
 * Streams a CSV text into records with papaparse, a chunk of the text at a time, pausing the
 * parser while the consumer is busy, so a file of millions of rows is never held in memory.
 * Yields the records of each chunk together: one await per record cost B1 a quarter of a
 * second. Quoted fields may hold commas and line breaks; CRLF and LF both end a row; `;` and
 * tab delimiters are recognised.
 */
export async function* readCsvRecords(text: AsyncIterable<string>): AsyncGenerator<CsvRecord[]> {
  const queue: CsvRecord[][] = []
  let queued = 0
  let finished = false
  let failure: unknown
  let parser: Papa.Parser | undefined
  let paused = false
  let wake: (() => void) | undefined
  let line = 0
  let room: (() => void) | undefined
  // papaparse's resume() resumes the stream after a pause made inside it, so the stream would
  // run ahead and queue the whole file in memory; the text is only handed over while there is room.
  async function* whileThereIsRoom(): AsyncGenerator<string> {
    for await (const piece of text) {
      // Small pieces: each piece's records are alive together, and a large piece's outlive the
      // young generation and are promoted, to be collected only by a full GC (B1's peak RSS).
      for (let start = 0; start < piece.length; start += pieceChars) {
        while (paused) await new Promise<void>((resolve) => (room = resolve))
        yield piece.slice(start, start + pieceChars)
      }
    }
  }
  const input = Readable.from(whileThereIsRoom(), { objectMode: false })
  input.on('error', (error) => {
    failure = error
    wake?.()
  })

  Papa.parse(input as unknown as File, {
    delimitersToGuess: [',', ';', '\t'],
    chunk(results, current) {
      parser = current
      const rows = results.data as unknown as string[][]
      const problems = new Map<number, string>()
      for (const error of results.errors) {
        if (error.type !== 'Delimiter' && error.row !== undefined && !problems.has(error.row)) problems.set(error.row, describeParseProblem(error.code))
      }
      const records = rows.map((fields, index) => ({ line: line + index + 1, fields, problem: problems.get(index) }))
      line += rows.length
      queue.push(records)
      queued += records.length
      if (queued >= bufferedRecords && !paused) {
        paused = true
        current.pause()
      }
      wake?.()
    },
    complete() {
      finished = true
      wake?.()
    },
    error(error) {
      failure = error
      wake?.()
    },
  })

  while (true) {
    while (queue.length > 0) {
      const records = queue.shift()!
      queued -= records.length
      yield records
    }
    if (failure) throw failure
    if (finished) return
    const more = new Promise<void>((resolve) => (wake = resolve))
    if (paused) {
      paused = false
      parser!.resume()
      room?.()
    }
    if (queue.length === 0 && !finished && !failure) await more
    wake = undefined
  }
}

function describeParseProblem(code: string): string {
  switch (code) {
    case 'MissingQuotes':
      return 'a quoted field is never closed (a " is missing), so the rest of the file runs into this field'
    case 'InvalidQuotes':
      return 'a field has a stray " inside it; quote the whole field and double the inner quote ("")'
    case 'TooFewFields':
    case 'TooManyFields':
      return 'this row has a different number of fields from the header'
    default:
      return `the row cannot be read (${code})`
  }
}
