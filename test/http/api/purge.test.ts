import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { createApiKey } from '../../../src/domain/api-keys/create-api-key.ts'
import { cliActor } from '../../../src/domain/staff/actors.ts'
import { testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { type GivenApiLibrary, givenApiLibrary, problemOf } from './given-api.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

/** A library whose library-system key is staff, with two admin keys: one asks, the other approves. */
async function givenPurgeLibrary() {
  const lib = await givenApiLibrary(testDeps(handle))
  const adminKey = async (name: string) => {
    const created = await createApiKey(testDeps(handle), { libraryId: lib.id, name, role: 'admin', actor: cliActor })
    if (!created.ok) throw new Error('no key')
    const { key } = created.value
    return (method: string, path: string, json?: unknown) =>
      lib.app.request(path, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(json !== undefined && { 'content-type': 'application/json' }) },
        ...(json !== undefined && { body: JSON.stringify(json) }),
      })
  }
  return { lib, asker: await adminKey('Registrar'), approver: await adminKey('Head librarian') }
}

async function usernamesOf(lib: GivenApiLibrary): Promise<string[]> {
  const rows = await handle.db.selectFrom('patrons').where('library_id', '=', lib.id).select('username').orderBy('username').execute()
  return rows.map((row) => row.username)
}

describe('the purge over the API', () => {
  test('one key asks (202, nothing changes), the same key cannot approve, another does and the patrons are gone', async () => {
    const { lib, asker, approver } = await givenPurgeLibrary()
    const zoe = await lib.patron({ username: 'zoe', enabled: false, level: 'Year 12' })
    await lib.patron({ username: 'amy', enabled: true })
    await lib.contact(zoe, { address: 'zoe.mum@example.org' })
    await lib.loan(zoe, { dueDate: '2026-02-01', status: 'returned' })

    const candidates = await (await asker('GET', '/api/v1/purge/candidates?pageSize=50')).json()
    // A page past the last (a bookmark from a longer list) shows the last.
    const farPage = await (await asker('GET', '/api/v1/purge/candidates?pageSize=50&page=1000000')).json()
    const asked = await asker('POST', '/api/v1/purge', { usernames: ['zoe'] })
    const request = await asked.json()
    const unchanged = await usernamesOf(lib)
    const own = await problemOf(await asker('POST', `/api/v1/purge/${request.id}/approve`), 409)
    const approved = await approver('POST', `/api/v1/purge/${request.id}/approve`)

    expect(candidates).toEqual({
      candidates: [{ username: 'zoe', firstName: 'Pat', lastName: expect.any(String), academicLevel: 'Year 12', groups: [], openLoans: 0, contacts: 1 }],
      page: 1,
      pageSize: 50,
      total: 1,
      pages: 1,
    })
    expect(farPage).toEqual(candidates)
    expect(asked.status).toBe(202)
    expect(request).toMatchObject({
      status: 'staged',
      approvedBy: null,
      impact: { patrons: 1, contacts: 1, loans: 1, loansToMarkLost: 0, loansKept: 'anonymised', reservations: 0, messagesKeptWithoutAddresses: 0 },
    })
    expect(unchanged).toEqual(['amy', 'zoe'])
    expect(own).toMatchObject({ type: 'urn:library-comms:problem:confirmer-must-differ' })
    expect(approved.status).toBe(200)
    expect(await approved.json()).toEqual({
      requestId: request.id,
      purged: 1,
      contactsRemoved: 1,
      loansAnonymised: 1,
      loansRemoved: 0,
      loansMarkedLost: 0,
      reservationsRemoved: 0,
      messagesWithoutAddresses: 0,
      skipped: [],
    })
    expect(await usernamesOf(lib)).toEqual(['amy'])
    expect(await (await asker('GET', `/api/v1/purge/${request.id}`)).json()).toMatchObject({
      status: 'applied',
      progress: { pagesDone: 1, pages: 1, purged: 1 },
    })
  })

  test('refusals name each patron: unknown, enabled, with items on loan; nothing is asked', async () => {
    const { lib, asker } = await givenPurgeLibrary()
    const zoe = await lib.patron({ username: 'zoe', enabled: false })
    await lib.patron({ username: 'amy', enabled: true })
    await lib.loan(zoe, { dueDate: '2026-02-01' })
    await lib.loan(zoe, { dueDate: '2026-02-01' })

    const unknown = await problemOf(await asker('POST', '/api/v1/purge', { usernames: ['zoe', 'ghost'] }), 422)
    const enabled = await problemOf(await asker('POST', '/api/v1/purge', { usernames: ['amy'] }), 422)
    const loans = await problemOf(await asker('POST', '/api/v1/purge', { usernames: ['zoe'] }), 422)
    const empty = await problemOf(await asker('POST', '/api/v1/purge', { usernames: [] }), 422)
    const withLost = await asker('POST', '/api/v1/purge', { usernames: ['zoe'], markLoansLost: true })

    expect(unknown).toMatchObject({
      type: 'urn:library-comms:problem:unknown-patrons',
      errors: [{ pointer: '/usernames', detail: 'No patron has the username "ghost"' }],
    })
    expect(enabled).toMatchObject({ type: 'urn:library-comms:problem:not-deactivated' })
    expect(loans).toMatchObject({ type: 'urn:library-comms:problem:open-loans', errors: [{ pointer: '/usernames', detail: '"zoe" has 2 items on loan' }] })
    expect(empty).toMatchObject({ type: 'urn:library-comms:problem:invalid-body' })
    expect(withLost.status).toBe(202)
    expect(await withLost.json()).toMatchObject({ markLoansLost: true, impact: { loansToMarkLost: 2 } })
  })

  test('a request naming 100,000 unknown patrons is refused in a few kilobytes: the first names, and how many in all', async () => {
    const { asker } = await givenPurgeLibrary()
    const usernames = Array.from({ length: 100_000 }, (_, i) => `ghost${i}`)

    const response = await asker('POST', '/api/v1/purge', { usernames })
    const text = await response.text()
    const problem = JSON.parse(text)

    expect(response.status).toBe(422)
    expect(text.length).toBeLessThan(20_000)
    expect(problem.type).toBe('urn:library-comms:problem:unknown-patrons')
    expect(problem.detail).toBe(
      'No patron has the username "ghost0", "ghost1", "ghost2", "ghost3", "ghost4", "ghost5", "ghost6", "ghost7", "ghost8", "ghost9" and 99,990 more; nothing was asked',
    )
    expect(problem.errors).toHaveLength(100)
    expect(problem.errors[99]).toEqual({ pointer: '/usernames', detail: 'No patron has the username "ghost99"' })
  })

  test('a staff key may not list, ask or approve', async () => {
    const { lib, asker } = await givenPurgeLibrary()
    await lib.patron({ username: 'zoe', enabled: false })
    const request = await (await asker('POST', '/api/v1/purge', { usernames: ['zoe'] })).json()

    await problemOf(await lib.send('GET', '/api/v1/purge/candidates'), 403)
    await problemOf(await lib.send('POST', '/api/v1/purge', { usernames: ['zoe'] }), 403)
    await problemOf(await lib.send('POST', `/api/v1/purge/${request.id}/approve`), 403)
    expect(await usernamesOf(lib)).toEqual(['zoe'])
  })

  test('rejected by another key, it cannot be approved; an unknown id is a 404; a bad filter a 422', async () => {
    const { lib, asker, approver } = await givenPurgeLibrary()
    await lib.patron({ username: 'zoe', enabled: false })
    const request = await (await asker('POST', '/api/v1/purge', { usernames: ['zoe'] })).json()

    const rejected = await approver('POST', `/api/v1/purge/${request.id}/reject`)
    const late = await problemOf(await approver('POST', `/api/v1/purge/${request.id}/approve`), 409)

    expect(await rejected.json()).toMatchObject({ status: 'rejected' })
    expect(late).toMatchObject({ type: 'urn:library-comms:problem:purge-not-waiting' })
    expect(await usernamesOf(lib)).toEqual(['zoe'])
    expect(await problemOf(await approver('GET', '/api/v1/purge/999999999'), 404)).toMatchObject({ type: 'urn:library-comms:problem:purge-not-found' })
    expect(await problemOf(await approver('GET', '/api/v1/purge/candidates?group=Drama'), 422)).toMatchObject({
      type: 'urn:library-comms:problem:unknown-in-filter',
    })
    expect(await problemOf(await approver('GET', '/api/v1/purge/candidates?pageSize=30'), 422)).toMatchObject({
      type: 'urn:library-comms:problem:invalid-query',
    })
  })
})
