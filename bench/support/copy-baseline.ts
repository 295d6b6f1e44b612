import { createReadStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { sql } from 'kysely'
import postgres from 'postgres'
import type { DatabaseHandle } from '../../src/db/database.ts'
import type { EmbeddedConnection } from '../../src/db/embedded-server.ts'

/**
 * The baseline of B1: `COPY` of the file's rows, as they are, into an empty table with the
 * file's columns, on the same database in the same run. Returns the milliseconds of the COPY.
 */
export async function copyCsvBaseline(handle: DatabaseHandle, target: string | EmbeddedConnection, file: { path: string; columns: string }): Promise<number> {
  await sql`drop table if exists bench_copy_baseline`.execute(handle.db)
  await sql.raw(`create table bench_copy_baseline (${file.columns})`).execute(handle.db)
  const columns = file.columns
    .split(',')
    .map((column) => column.trim().split(' ')[0])
    .join(', ')
  const copy = `copy bench_copy_baseline (${columns}) from %s with (format csv, header true)`
  let startedAt: number
  const client = typeof target === 'string' ? postgres(target, { max: 1, onnotice: () => {} }) : postgres({ ...target, max: 1, onnotice: () => {} })
  try {
    await client`select 1`
    startedAt = performance.now()
    await pipeline(createReadStream(file.path, { highWaterMark: 1024 * 1024 }), await client.unsafe(copy.replace('%s', 'stdin')).writable())
  } finally {
    await client.end()
  }
  const ms = performance.now() - startedAt
  await sql`drop table bench_copy_baseline`.execute(handle.db)
  return ms
}
