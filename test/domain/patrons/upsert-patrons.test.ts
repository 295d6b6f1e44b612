import { afterAll, beforeAll, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { findPatronByUsername } from '../../../src/domain/patrons/queries.ts'
import { upsertPatrons } from '../../../src/domain/patrons/upsert-patrons.ts'
import { givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

test('the library system creates patrons with their level and groups, and a repeat changes nothing', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  const batch = [
    { username: 'asilva', firstName: 'Ana', lastName: 'Silva', type: 'student' as const, academicLevel: 'Year 7', groups: ['Chess', 'Choir'], enabled: true },
    { username: 'mrbrown', firstName: 'Tom', lastName: 'Brown', type: 'staff' as const, academicLevel: null, groups: [], enabled: true },
  ]
  const first = await upsertPatrons(deps, { libraryId: lib.id, patrons: batch, actor: staffActor('staff', 'api-key:1') })
  expect(first).toEqual({ ok: true, value: { created: 2, updated: 0, unchanged: 0 } })
  expect(await findPatronByUsername(deps.db, { libraryId: lib.id, username: 'ASILVA' })).toMatchObject({
    username: 'asilva',
    firstName: 'Ana',
    lastName: 'Silva',
    type: 'student',
    academicLevel: 'Year 7',
    groups: ['Chess', 'Choir'],
    isEnabled: true,
  })
  const again = await upsertPatrons(deps, { libraryId: lib.id, patrons: batch, actor: staffActor('staff', 'api-key:1') })
  expect(again).toEqual({ ok: true, value: { created: 0, updated: 0, unchanged: 2 } })
  const audit = await lib.auditActions()
  expect(audit.map((a) => a.action)).toEqual(['patrons.upserted', 'patrons.upserted'])
  expect(audit[0].details).toMatchObject({ created: 2, total: 2 })
})

test('an update changes only the fields it names, matching the username in any case', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  await upsertPatrons(deps, {
    libraryId: lib.id,
    patrons: [{ username: 'bjones', firstName: 'Bea', lastName: 'Jones', academicLevel: 'Year 8', groups: ['Chess'] }],
    actor: staffActor(),
  })
  const result = await upsertPatrons(deps, {
    libraryId: lib.id,
    patrons: [{ username: 'BJones', enabled: false, groups: ['Debating'] }],
    actor: staffActor('admin'),
  })
  expect(result).toEqual({ ok: true, value: { created: 0, updated: 1, unchanged: 0 } })
  expect(await findPatronByUsername(deps.db, { libraryId: lib.id, username: 'bjones' })).toMatchObject({
    username: 'bjones',
    firstName: 'Bea',
    academicLevel: 'Year 8',
    groups: ['Debating'],
    isEnabled: false,
  })
})

test('deactivating takes an admin, as at every door: a staff member is refused on the row, and nothing changes', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  await lib.patron({ username: 'leaver' })
  const patrons = [
    { username: 'newbie', enabled: false },
    { username: 'Leaver', enabled: false },
  ]
  const refused = await upsertPatrons(deps, { libraryId: lib.id, patrons, actor: staffActor('staff') })
  expect(refused).toEqual({
    ok: false,
    error: {
      code: 'deactivation_not_allowed',
      needed: 'admin',
      role: 'staff',
      problems: [{ index: 1, field: 'enabled', message: 'This deactivates "Leaver", which takes the admin role' }],
    },
  })
  expect(await findPatronByUsername(deps.db, { libraryId: lib.id, username: 'newbie' })).toBeUndefined()
  // A patron created disabled loses nothing: staff may.
  expect(await upsertPatrons(deps, { libraryId: lib.id, patrons: [patrons[0]], actor: staffActor('staff') })).toMatchObject({ ok: true, value: { created: 1 } })
})

test('a batch naming one username twice is refused whole', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  const result = await upsertPatrons(deps, {
    libraryId: lib.id,
    patrons: [{ username: 'cwu' }, { username: 'dlee' }, { username: 'CWU' }],
    actor: staffActor(),
  })
  expect(result).toEqual({ ok: false, error: { code: 'invalid_patrons', problems: [{ index: 2, field: 'username', message: '"CWU" is also at index 0' }] } })
  expect(await findPatronByUsername(deps.db, { libraryId: lib.id, username: 'dlee' })).toBeUndefined()
})

test('a viewer cannot change patrons', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  const result = await upsertPatrons(deps, { libraryId: lib.id, patrons: [{ username: 'x' }], actor: staffActor('viewer') })
  expect(result.ok).toBe(false)
  expect(await findPatronByUsername(deps.db, { libraryId: lib.id, username: 'x' })).toBeUndefined()
})

test('usernames are unique per library, not across libraries', async () => {
  const deps = testDeps(handle)
  const north = await givenLibrary(deps)
  const south = await givenLibrary(deps)
  await upsertPatrons(deps, { libraryId: north.id, patrons: [{ username: 'same', firstName: 'North' }], actor: staffActor() })
  await upsertPatrons(deps, { libraryId: south.id, patrons: [{ username: 'same', firstName: 'South' }], actor: staffActor() })
  expect((await findPatronByUsername(deps.db, { libraryId: north.id, username: 'same' }))?.firstName).toBe('North')
  expect((await findPatronByUsername(deps.db, { libraryId: south.id, username: 'same' }))?.firstName).toBe('South')
})
