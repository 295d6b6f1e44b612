import { sql } from 'kysely'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { lookUpPatron, pickListSize } from '../../../src/domain/patrons/show-patron.ts'
import { givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

test('a username finds the patron with their contacts, primary first', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  const pupil = await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva', level: 'Year 7' })
  await lib.contact(pupil, { role: 'guardian', address: 'mum@example.org' })
  await lib.contact(pupil, { role: 'patron', address: 'ana@school.example', isPrimary: true })
  const result = await lookUpPatron(deps, { libraryId: lib.id, query: 'ASilva', actor: staffActor('viewer') })
  expect(result.ok && result.value.kind).toBe('found')
  if (result.ok && result.value.kind === 'found') {
    expect(result.value.patron).toMatchObject({ username: 'asilva', academicLevel: 'Year 7' })
    expect(result.value.patron.contacts.map((c) => c.address)).toEqual(['ana@school.example', 'mum@example.org'])
  }
})

test('part of a name matching several patrons gives a short pick-list', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  for (let i = 0; i < pickListSize + 2; i++) await lib.patron({ firstName: `Kid${i}`, lastName: 'Nguyen' })
  await lib.patron({ firstName: 'Other', lastName: 'Person' })
  const result = await lookUpPatron(deps, { libraryId: lib.id, query: 'nguy', actor: staffActor('viewer') })
  expect(result.ok && result.value.kind === 'several' && [result.value.candidates.length, result.value.more]).toEqual([pickListSize, true])
})

test('first and last name words both narrow the search; one match shows the patron', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  await lib.patron({ username: 'tk1', firstName: 'Tom', lastName: 'Kim' })
  await lib.patron({ username: 'tk2', firstName: 'Tina', lastName: 'Kim' })
  const result = await lookUpPatron(deps, { libraryId: lib.id, query: 'tom kim', actor: staffActor('viewer') })
  expect(result.ok && result.value.kind === 'found' && result.value.patron.username).toBe('tk1')
})

test('nothing matching, and wildcards in the query match literally', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  await lib.patron({ username: 'abc' })
  expect(await lookUpPatron(deps, { libraryId: lib.id, query: '%', actor: staffActor('viewer') })).toEqual({ ok: true, value: { kind: 'none', query: '%' } })
})

test('someone who is not staff cannot look', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  await lib.patron({ username: 'abc' })
  expect(await lookUpPatron(deps, { libraryId: lib.id, query: 'abc', actor: staffActor(null) })).toEqual({
    ok: false,
    error: { code: 'not_allowed', permission: 'lookUpContacts', needed: 'viewer', role: null },
  })
})

test('a name is found as a librarian types it: without its accents, in any case', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  await lib.patron({ username: 'rcote', firstName: 'Renée', lastName: 'Côté' })
  await lib.patron({ username: 'sorsted', firstName: 'Søren', lastName: 'Ørsted' })
  await lib.patron({ username: 'other', firstName: 'Ana', lastName: 'Silva' })
  const find = async (query: string) => {
    const result = await lookUpPatron(deps, { libraryId: lib.id, query, actor: staffActor('viewer') })
    return result.ok && result.value.kind === 'found' ? result.value.patron.username : result
  }
  expect(await find('cote')).toBe('rcote')
  expect(await find('RENEE cote')).toBe('rcote')
  expect(await find('Côté')).toBe('rcote')
  expect(await find('soren orsted')).toBe('sorsted')
})

test('the accent-free search is answered from its index', async () => {
  const deps = testDeps(handle)
  const plan = await deps.db.transaction().execute(async (tx) => {
    await sql`set local enable_seqscan = off`.execute(tx)
    const { rows } = await sql<{ 'QUERY PLAN': string }>`explain select id from patrons
      where search_key(username || ' ' || first_name || ' ' || last_name) like '%' || search_key(${'Côté'}) || '%'`.execute(tx)
    return rows.map((row) => row['QUERY PLAN']).join('\n')
  })
  expect(plan).toContain('patrons_search_key')
})
