import { afterAll, beforeAll, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { cancelImport } from '../../../src/domain/imports/cancel-import.ts'
import { findPatronByUsername } from '../../../src/domain/patrons/queries.ts'
import { givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { csvFile } from '../../support/files.ts'
import { applyPatronsImport, previewPatronsImport } from '../../support/imports.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const admin = staffActor('admin', 'slack:UADMIN')

test('patrons are created and updated with their level and groups', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  await lib.patron({ username: 'ana', firstName: 'Ana', lastName: 'Old', level: 'Year 6' })
  const csv = 'Username,First Name,Last Name,Type,Academic Level,Groups,Enabled\nana,Ana,Silva,student,Year 7,Chess;Choir,yes\nmrbrown,Tom,Brown,staff,,,TRUE\n'
  const preview = await previewPatronsImport(deps, { libraryId: lib.id, file: csvFile(csv, { name: 'users.csv' }), actor: staffActor('staff') })
  expect(preview.ok && preview.value.summary).toEqual({ rows: 2, toCreate: 1, toUpdate: 1, unchanged: 0, toDeactivate: 0, toReactivate: 0 })
  const applied = await applyPatronsImport(deps, { libraryId: lib.id, batchId: preview.ok ? preview.value.batchId : 0, actor: staffActor('staff') })
  expect(applied).toMatchObject({ ok: true, value: { created: 1, updated: 1 } })
  expect(await findPatronByUsername(deps.db, { libraryId: lib.id, username: 'ana' })).toMatchObject({
    lastName: 'Silva',
    academicLevel: 'Year 7',
    groups: ['Chess', 'Choir'],
  })
  expect(await findPatronByUsername(deps.db, { libraryId: lib.id, username: 'mrbrown' })).toMatchObject({ type: 'staff', academicLevel: null })
  const [audit] = await lib.auditActions()
  expect(audit).toMatchObject({ action: 'patrons.imported', details: { fileName: 'users.csv', created: 1, updated: 1 } })
})

test('the dry run counts what the apply does: a new level, new groups, a row repeated as it is', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  await lib.patron({ username: 'ana', firstName: 'Ana', lastName: 'Silva' })
  await lib.patron({ username: 'ben', firstName: 'Ben', lastName: 'Okafor', level: 'Year 7' })
  await lib.patron({ username: 'cai', firstName: 'Cai', lastName: 'Jones', level: 'Year 7' })
  // ana gets a level the library does not have yet; ben gets groups; cai is repeated as he is.
  const csv = 'username,first_name,academic_level,groups\nana,Ana,Year 9,\nben,Ben,Year 7,Chess; Choir\ncai,Cai,Year 7,\n'
  const preview = await previewPatronsImport(deps, { libraryId: lib.id, file: csvFile(csv), actor: admin })
  expect(preview.ok && preview.value.summary).toEqual({ rows: 3, toCreate: 0, toUpdate: 2, unchanged: 1, toDeactivate: 0, toReactivate: 0 })
  const applied = await applyPatronsImport(deps, { libraryId: lib.id, batchId: preview.ok ? preview.value.batchId : 0, actor: admin })
  expect(applied).toMatchObject({ ok: true, value: { created: 0, updated: 2, unchanged: 1 } })
})

test('username,enabled with FALSE deactivates in bulk, and only an admin may', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  await lib.patron({ username: 'leaver1', firstName: 'Lee' })
  await lib.patron({ username: 'leaver2' })
  await lib.patron({ username: 'stayer' })
  const csv = 'username,enabled\nleaver1,FALSE\nLEAVER2,false\n'
  // A staff member's file is staged for an admin to confirm; the staff member may not confirm it.
  const asStaff = await previewPatronsImport(deps, { libraryId: lib.id, file: csvFile(csv), actor: staffActor('staff') })
  expect(asStaff).toMatchObject({ ok: true, value: { confirmPermission: 'deactivatePatrons', summary: { toDeactivate: 2 } } })
  const refused = await applyPatronsImport(deps, { libraryId: lib.id, batchId: asStaff.ok ? asStaff.value.batchId : 0, actor: staffActor('staff') })
  expect(refused).toEqual({
    ok: false,
    error: {
      code: 'deactivation_not_allowed',
      needed: 'admin',
      role: 'staff',
      problemCount: 2,
      problems: [
        { line: 2, column: 'enabled', message: 'this row deactivates "leaver1", which takes the admin role' },
        { line: 3, column: 'enabled', message: 'this row deactivates "LEAVER2", which takes the admin role' },
      ],
    },
  })
  expect(await findPatronByUsername(deps.db, { libraryId: lib.id, username: 'leaver1' })).toMatchObject({ isEnabled: true })
  const preview = asStaff
  await applyPatronsImport(deps, { libraryId: lib.id, batchId: preview.ok ? preview.value.batchId : 0, actor: admin })
  expect(await findPatronByUsername(deps.db, { libraryId: lib.id, username: 'leaver1' })).toMatchObject({ isEnabled: false, firstName: 'Lee' })
  expect(await findPatronByUsername(deps.db, { libraryId: lib.id, username: 'leaver2' })).toMatchObject({ isEnabled: false })
  expect(await findPatronByUsername(deps.db, { libraryId: lib.id, username: 'stayer' })).toMatchObject({ isEnabled: true })
})

test('creating a patron disabled is no deactivation: staff may, and the dry run counts none', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  const staff = staffActor('staff')
  const preview = await previewPatronsImport(deps, { libraryId: lib.id, file: csvFile('username,first_name,enabled\nnewbie,New,no\n'), actor: staff })
  expect(preview).toMatchObject({ ok: true, value: { confirmPermission: 'changePatrons', summary: { toCreate: 1, toDeactivate: 0 } } })
  const applied = await applyPatronsImport(deps, { libraryId: lib.id, batchId: preview.ok ? preview.value.batchId : 0, actor: staff })
  expect(applied).toMatchObject({ ok: true, value: { created: 1 } })
  expect(await findPatronByUsername(deps.db, { libraryId: lib.id, username: 'newbie' })).toMatchObject({ isEnabled: false })
})

test('a deactivation file naming an unknown patron, or a bad value, changes nothing', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  await lib.patron({ username: 'leaver1' })
  const preview = await previewPatronsImport(deps, {
    libraryId: lib.id,
    file: csvFile('username,enabled\nleaver1,FALSE\nghost,FALSE\nleaver1,nope\n'),
    actor: admin,
  })
  expect(!preview.ok && preview.error.code === 'invalid_file' && preview.error.problems).toEqual([
    { line: 3, column: 'username', message: 'no patron with username "ghost" in this library (a file without name columns only updates patrons)' },
    { line: 4, column: 'enabled', message: '"nope" is not true or false' },
  ])
  expect(await findPatronByUsername(deps.db, { libraryId: lib.id, username: 'leaver1' })).toMatchObject({ isEnabled: true })
})

test('a staged import can be cancelled, and then cannot be applied', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  const preview = await previewPatronsImport(deps, { libraryId: lib.id, file: csvFile('username,first_name\nnew1,Neo\n'), actor: admin })
  const batchId = preview.ok ? preview.value.batchId : 0
  expect(await cancelImport(deps, { libraryId: lib.id, batchId, actor: admin })).toEqual({ ok: true, value: { batchId } })
  expect(await applyPatronsImport(deps, { libraryId: lib.id, batchId, actor: admin })).toEqual({
    ok: false,
    error: { code: 'batch_not_ready', batchId, status: 'cancelled' },
  })
  expect(await findPatronByUsername(deps.db, { libraryId: lib.id, username: 'new1' })).toBeUndefined()
})

test('a patron removed between the dry run and the confirmation is not created blank by a deactivation file', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  const leaver = await lib.patron({ username: 'leaver1' })
  await lib.patron({ username: 'leaver2' })
  const preview = await previewPatronsImport(deps, { libraryId: lib.id, file: csvFile('username,enabled\nleaver1,FALSE\nleaver2,FALSE\n'), actor: admin })
  await deps.db.deleteFrom('patrons').where('id', '=', leaver.id).execute()
  const applied = await applyPatronsImport(deps, { libraryId: lib.id, batchId: preview.ok ? preview.value.batchId : 0, actor: admin })
  expect(!applied.ok && applied.error.code === 'invalid_file' && applied.error.problems).toEqual([
    { line: 2, column: 'username', message: 'no patron with username "leaver1" in this library (a file without name columns only updates patrons)' },
  ])
  expect(await findPatronByUsername(deps.db, { libraryId: lib.id, username: 'leaver1' })).toBeUndefined()
  expect(await findPatronByUsername(deps.db, { libraryId: lib.id, username: 'leaver2' })).toMatchObject({ isEnabled: true })
})
