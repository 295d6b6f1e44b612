import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { createApiKey } from '../../../src/domain/api-keys/create-api-key.ts'
import { cliActor } from '../../../src/domain/staff/actors.ts'
import { testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { type GivenApiLibrary, givenApiLibrary, pointersOf, problemOf } from './given-api.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

/** A body sent as its raw JSON text: `\ud800` written as JSON's own escape, as a buggy client sends it. */
const sendRaw = (lib: GivenApiLibrary, method: string, path: string, json: string) =>
  lib.app.request(path, { method, headers: { authorization: `Bearer ${lib.key}`, 'content-type': 'application/json' }, body: json })

const patronCount = async (lib: GivenApiLibrary) => (await handle.db.selectFrom('patrons').where('library_id', '=', lib.id).select('id').execute()).length

describe('text PostgreSQL cannot store is a 422 naming its field, and changes nothing', () => {
  test('a NUL in a patron’s name', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const problem = await problemOf(await lib.send('POST', '/api/v1/patrons', [{ username: 'ok1' }, { username: 'nul1', firstName: 'Re\u0000nee' }]), 422)
    expect(pointersOf(problem)).toEqual(['/1/firstName'])
    expect(problem.errors?.[0].detail).toContain('NUL character')
    expect(await patronCount(lib)).toBe(0)
  })

  test('half a surrogate pair in a username, a level and a group', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const body = '[{"username":"sur\\ud800","academicLevel":"Year \\udc00","groups":["ok","Chess\\ud83d"]}]'
    const problem = await problemOf(await sendRaw(lib, 'POST', '/api/v1/patrons', body), 422)
    expect(pointersOf(problem)).toEqual(['/0/username', '/0/academicLevel', '/0/groups'])
    expect(await patronCount(lib)).toBe(0)
  })

  test('a NUL in a contact’s addressee or address', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const pupil = await lib.patron({ username: 'asilva' })
    const problem = await problemOf(
      await lib.send('POST', '/api/v1/patrons/asilva/contacts', { role: 'guardian', address: 'mum@example.org', addressee: 'Mu\u0000m' }),
      422,
    )
    expect(pointersOf(problem)).toEqual(['/addressee'])
    const broken = await problemOf(await sendRaw(lib, 'POST', '/api/v1/patrons/asilva/contacts', '{"role":"guardian","address":"m\\udfffum@example.org"}'), 422)
    expect(pointersOf(broken)).toEqual(['/address'])
    expect(await lib.contactsOf(pupil)).toEqual([])
  })

  test('a NUL in the academic levels of a replace-levels import', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const created = await createApiKey(testDeps(handle), { libraryId: lib.id, name: 'SIS', role: 'admin', actor: cliActor })
    if (!created.ok) throw new Error(created.error.code)
    const response = await lib.app.request('/api/v1/imports/contacts?mode=replace-levels&levels=Year%007', {
      method: 'POST',
      headers: { authorization: `Bearer ${created.value.key}`, 'content-type': 'text/csv' },
      body: 'username,role,address\n',
    })
    const problem = await problemOf(response, 422)
    expect(problem.detail).toContain('Year')
  })
})

describe('a NUL in the path or a query parameter is the 404 or 422 the route gives, never a 500', () => {
  test.each([
    ['GET', '/api/v1/patrons/%00', 404],
    ['DELETE', '/api/v1/blacklist/%00', 404],
    ['GET', '/api/v1/messages?username=%00', 422],
    ['GET', '/api/v1/audit?patron=%00', 422],
    ['GET', '/api/v1/audit?actor=a%00b', 422],
  ])('%s %s', async (method, path, status) => {
    const lib = await givenApiLibrary(testDeps(handle))
    const created = await createApiKey(testDeps(handle), { libraryId: lib.id, name: 'SIS', role: 'admin', actor: cliActor })
    if (!created.ok) throw new Error(created.error.code)

    const response = await lib.app.request(path, { method, headers: { authorization: `Bearer ${created.value.key}` } })

    const problem = await problemOf(response, status)
    expect(JSON.stringify(problem)).toContain('NUL')
  })
})

describe('a NUL or half a surrogate pair in a name the purge or the preferences batch looks up is a 422 on its field, never a 500', () => {
  test.each([
    ['POST', '/api/v1/purge', '{"usernames":["zadams","za\\u0000dams"]}', '/usernames/1'],
    ['POST', '/api/v1/purge', '{"usernames":["za\\ud800"]}', '/usernames/0'],
    ['POST', '/api/v1/preferences/batch', '{"mode":"guardians","filter":{"usernames":["a\\u0000"]},"set":{"overdue":"off"}}', '/filter/usernames/0'],
    ['POST', '/api/v1/preferences/batch', '{"mode":"guardians","filter":{"groups":["Chess\\u0000"]},"set":{"overdue":"off"}}', '/filter/groups/0'],
    [
      'POST',
      '/api/v1/preferences/batch',
      '{"mode":"guardians","filter":{"academicLevels":["Year\\u00007"]},"set":{"overdue":"off"}}',
      '/filter/academicLevels/0',
    ],
  ])('%s %s %s', async (method, path, body, pointer) => {
    const lib = await givenApiLibrary(testDeps(handle))
    await lib.patron({ username: 'zadams', enabled: false })
    const created = await createApiKey(testDeps(handle), { libraryId: lib.id, name: 'SIS', role: 'admin', actor: cliActor })
    if (!created.ok) throw new Error(created.error.code)

    const response = await lib.app.request(path, {
      method,
      headers: { authorization: `Bearer ${created.value.key}`, 'content-type': 'application/json' },
      body,
    })

    const problem = await problemOf(response, 422)
    expect(pointersOf(problem)).toEqual([pointer])
    expect(problem.errors?.[0].detail).toMatch(/NUL|surrogate/)
  })
})

test('a NUL in a query parameter is named by the parameter’s own name, as every other bad parameter is', async () => {
  const lib = await givenApiLibrary(testDeps(handle))

  const feed = await problemOf(await lib.send('GET', '/api/v1/events?after=1%00'), 422)
  const other = await problemOf(await lib.send('GET', '/api/v1/events?after=abc'), 422)

  expect(feed.errors).toEqual([{ parameter: 'after', detail: 'holds a character that cannot be stored (a NUL)' }])
  expect(other.errors).toMatchObject([{ parameter: 'after' }])
})
