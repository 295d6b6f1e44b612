import { afterAll, beforeAll, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { lookUpPatron } from '../../../src/domain/patrons/show-patron.ts'
import { givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

test('a search with a NUL character is refused as a value, before the database sees it', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  await lib.patron({ username: 'asilva' })

  const result = await lookUpPatron(deps, { libraryId: lib.id, query: 'as\u0000ilva', actor: staffActor('viewer') })

  expect(result).toEqual({ ok: false, error: { code: 'invalid_query', reason: 'nul_character' } })
})

test('a search with half of an emoji (a lone UTF-16 surrogate) is refused as a value', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)

  const result = await lookUpPatron(deps, { libraryId: lib.id, query: 'silva \ud83d', actor: staffActor('viewer') })

  expect(result).toEqual({ ok: false, error: { code: 'invalid_query', reason: 'unpaired_surrogate' } })
})

test('a whole emoji is an ordinary search that matches nobody', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)

  const result = await lookUpPatron(deps, { libraryId: lib.id, query: 'silva 📚', actor: staffActor('viewer') })

  expect(result).toEqual({ ok: true, value: { kind: 'none', query: 'silva 📚' } })
})

test('someone who is not staff is refused for the role, whatever they typed', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)

  const result = await lookUpPatron(deps, { libraryId: lib.id, query: '\u0000', actor: staffActor(null) })

  expect(result).toEqual({ ok: false, error: { code: 'not_allowed', permission: 'lookUpContacts', needed: 'viewer', role: null } })
})
