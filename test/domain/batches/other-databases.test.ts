import { sql } from 'kysely'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { batchLock } from '../../../src/domain/batches/queries.ts'
import { givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { csvFile } from '../../support/files.ts'
import { applyPatronsImport, previewPatronsImport } from '../../support/imports.ts'

// Two databases on one server: the school's, and another app's (or another school's deployment).
let school: DatabaseHandle
let neighbour: DatabaseHandle
beforeAll(async () => {
  school = await openTestDatabase()
  neighbour = await openTestDatabase()
})
afterAll(async () => {
  await school?.close()
  await neighbour?.close()
})

test("a batch applying in another database on the same server, with the same number, does not hold this library's", async () => {
  const deps = testDeps(school)
  const lib = await givenLibrary(deps)
  const staff = staffActor('staff')
  const waiting = await previewPatronsImport(deps, { libraryId: lib.id, file: csvFile('username,first_name,last_name\nana,Ana,Silva\n'), actor: staff })
  expect(waiting.ok).toBe(true)
  const batchId = waiting.ok ? waiting.value.batchId : 0

  // The neighbour applies its own batch of the same number, holding the lock of that number.
  let release = () => {}
  const held = new Promise<void>((resolve) => (release = resolve))
  let locked = () => {}
  const isLocked = new Promise<void>((resolve) => (locked = resolve))
  const neighbourApply = neighbour.db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${batchLock}, ${batchId})`.execute(tx)
    locked()
    await held
  })
  await isLocked
  try {
    const confirmed = await applyPatronsImport(deps, { libraryId: lib.id, batchId, actor: staff })
    expect(confirmed).toMatchObject({ ok: true, value: { created: 1 } })
  } finally {
    release()
    await neighbourApply
  }
})
