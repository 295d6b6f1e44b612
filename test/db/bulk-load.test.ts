import { sql } from 'kysely'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { copyLine } from '../../src/db/bulk-load.ts'
import type { DatabaseHandle } from '../../src/db/database.ts'
import { openTestDatabase } from '../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => {
  handle = await openTestDatabase()
  await sql`create table bulk_target (n integer not null, label text not null)`.execute(handle.db)
})
afterAll(async () => handle.close())

const rows = async () => (await sql<{ count: number }>`select count(*)::int as count from bulk_target`.execute(handle.db)).rows[0].count

test('rows refused by the database make the load fail, and the next load still works', async () => {
  // A NUL byte is a character PostgreSQL cannot store: the server refuses the COPY after its data has all been sent.
  const refused = handle.bulkLoad('bulk_target', ['n', 'label'], [copyLine([1, 'fine']), copyLine([2, 'Guar\u0000dian'])])
  await expect(refused).rejects.toThrow()
  expect(await rows()).toBe(0)

  await handle.bulkLoad('bulk_target', ['n', 'label'], [copyLine([3, 'Guardian'])])
  expect(await rows()).toBe(1)
})

test('a value of the wrong type fails the load as well', async () => {
  await expect(handle.bulkLoad('bulk_target', ['n', 'label'], [copyLine(['not a number', 'x'])])).rejects.toThrow()
  await handle.bulkLoad('bulk_target', ['n', 'label'], [copyLine([4, 'after'])])
  expect(await rows()).toBe(2)
})
