import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { createApiKey } from '../../../src/domain/api-keys/create-api-key.ts'
import { cliActor } from '../../../src/domain/staff/actors.ts'
import { givenAuditEntry } from '../../support/audit.ts'
import { testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { type GivenApiLibrary, givenApiLibrary, problemOf } from './given-api.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

/** The library's IT admin reads the log with a key of their own, with the admin role. */
async function givenAdminKey(lib: GivenApiLibrary) {
  const created = await createApiKey(testDeps(handle), { libraryId: lib.id, name: 'Audit export', role: 'admin', actor: cliActor })
  if (!created.ok) throw new Error(created.error.code)
  return (query = '') => lib.app.request(`/api/v1/audit${query}`, { headers: { authorization: `Bearer ${created.value.key}` } })
}

type Page = { entries: Array<{ action: string; actor: string; patron: string | null; at: string; details: any }>; nextCursor: string | null }

describe('GET /api/v1/audit', () => {
  test('an admin key reads what the student system did, newest first, and follows nextCursor to the last page', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const readAudit = await givenAdminKey(lib)
    await lib.send('POST', '/api/v1/patrons', [{ username: 'asilva' }, { username: 'bchen' }])
    await lib.send('POST', '/api/v1/patrons/asilva/contacts', { role: 'guardian', address: 'mum@example.org' })

    const first = await readAudit('?limit=1')
    expect(first.status).toBe(200)
    const pages = [(await first.json()) as Page]
    while (pages.at(-1)!.nextCursor !== null) pages.push((await (await readAudit(`?limit=1&cursor=${pages.at(-1)!.nextCursor}`)).json()) as Page)

    expect(pages.map((page) => page.entries.map((entry) => [entry.action, entry.actor]))).toEqual([
      [['contact.added', lib.actor]],
      [['patrons.upserted', lib.actor]],
      [['api_key.created', 'cli']],
      [['api_key.created', 'cli']],
    ])
    expect(pages[1].entries[0].details.usernames).toEqual(['asilva', 'bchen'])
    expect(pages[0].entries[0].at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
  })

  test("the filters combine: a patron, a kind of action, and days in the library's time zone", async () => {
    const lib = await givenApiLibrary(testDeps(handle)) // Australia/Sydney: UTC+11 in March
    const readAudit = await givenAdminKey(lib)
    const ben = await lib.patron({ username: 'bchen' })
    const entry = (at: string, action: string, patronId?: number) =>
      givenAuditEntry(handle.db, { libraryId: lib.id, at, actor: 'slack:UANNA', action, subjectType: 'contact', ...(patronId && { patronId }) })
    await entry('2026-03-01T12:00:00Z', 'contact.added', ben.id) // 23:00 on 1 March in Sydney
    await entry('2026-03-01T14:00:00Z', 'contact.updated', ben.id) // 01:00 on 2 March
    await entry('2026-03-01T15:00:00Z', 'staff.added')

    const response = await readAudit('?patron=bchen&action=contact.&from=2026-03-02&to=2026-03-31')

    const page = (await response.json()) as Page
    expect(page.entries.map((e) => [e.at, e.action, e.patron])).toEqual([['2026-03-01T14:00:00.000Z', 'contact.updated', 'bchen']])
  })

  test('a staff key is refused with 403, naming the role it has', async () => {
    const lib = await givenApiLibrary(testDeps(handle))

    const response = await lib.send('GET', '/api/v1/audit')

    expect(await problemOf(response, 403)).toMatchObject({
      type: 'urn:library-comms:problem:not-allowed',
      detail: 'This needs the admin role; this key has the staff role',
    })
  })

  test.each([
    ['?from=last%20week', [{ parameter: 'from', detail: '"last week" is not a date such as 2026-03-01, nor an instant such as 2026-03-01T08:00:00Z' }]],
    ['?limit=501', [{ parameter: 'limit', detail: 'Give a whole number from 1 to 500' }]],
    ['?limit=ten', [{ parameter: 'limit', detail: 'Give a whole number from 1 to 500' }]],
    ['?action=contact*', [{ parameter: 'action', detail: '"contact*" is not an action such as contact.added, nor a prefix ending in a dot such as contact.' }]],
    ['?patron=nobody', [{ parameter: 'patron', detail: 'No patron with username "nobody" in this library' }]],
    ['?cursor=abc', [{ parameter: 'cursor', detail: 'This is not a nextCursor this log gave; start again without it' }]],
    ['?from=2026-03-10&to=2026-03-09', [{ parameter: 'to', detail: '"2026-03-09" is before from (2026-03-10)' }]],
    ['?actor=cli&actor=api-key:4', [{ parameter: 'actor', detail: 'Give this parameter once' }]],
    ['?user=slack:U1', [{ parameter: 'user', detail: '"user" is not a known parameter' }]],
  ])('%s is a 422 naming the parameter', async (query, errors) => {
    const lib = await givenApiLibrary(testDeps(handle))
    const readAudit = await givenAdminKey(lib)

    const problem = await problemOf(await readAudit(query), 422)

    expect(problem).toMatchObject({ type: 'urn:library-comms:problem:invalid-query', errors })
  })
})
