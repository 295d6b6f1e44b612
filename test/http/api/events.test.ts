import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { createApiKey } from '../../../src/domain/api-keys/create-api-key.ts'
import { recordEvents } from '../../../src/domain/events/record-events.ts'
import { cliActor } from '../../../src/domain/staff/actors.ts'
import { testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { givenApiLibrary, problemOf } from './given-api.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

type Page = { events: Array<{ id: string; type: string; at: string; subject: string; details: unknown }>; next: string | null }

describe('GET /api/v1/events', () => {
  test("the library system's key reads the feed in id order, a page at a time, and resumes after the last id it read", async () => {
    const deps = testDeps(handle)
    const lib = await givenApiLibrary(deps)
    await deps.db.transaction().execute((tx) =>
      recordEvents(tx, {
        libraryId: lib.id,
        at: new Date('2026-07-01T09:00:00Z'),
        events: [
          { type: 'loan.lost', subject: 'L-1', details: { itemId: 'I-9', username: 'asilva' } },
          { type: 'patron.purged', subject: 'asilva', details: { requestId: 3 } },
        ],
      }),
    )

    const first = await lib.send('GET', '/api/v1/events?limit=1')
    expect(first.status).toBe(200)
    const page = (await first.json()) as Page
    expect(page.events).toEqual([
      { id: expect.stringMatching(/^\d+$/), type: 'loan.lost', at: '2026-07-01T09:00:00.000Z', subject: 'L-1', details: { itemId: 'I-9', username: 'asilva' } },
    ])
    expect(page.next).toBe(page.events[0].id)

    const second = (await (await lib.send('GET', `/api/v1/events?after=${page.next}`)).json()) as Page
    expect(second.events.map((event) => [event.type, event.subject, event.details])).toEqual([['patron.purged', 'asilva', { requestId: 3 }]])
    expect(second.next).toBeNull()
    const caughtUp = (await (await lib.send('GET', `/api/v1/events?after=${second.events[0].id}`)).json()) as Page
    expect(caughtUp).toEqual({ events: [], next: null })
  })

  test('a cursor that is not an event id is a 422 naming after', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const problem = await problemOf(await lib.send('GET', '/api/v1/events?after=abc'), 422)
    expect(problem.errors).toEqual([{ parameter: 'after', detail: expect.stringContaining('"abc" is not an event id') }])
    const tooMany = await problemOf(await lib.send('GET', '/api/v1/events?limit=5000'), 422)
    expect(tooMany.errors).toEqual([{ parameter: 'limit', detail: 'Give a whole number from 1 to 1000' }])
  })

  test('an address blacklisted by hand is an event for every library with a contact of it, and for no other', async () => {
    const deps = testDeps(handle)
    const lib = await givenApiLibrary(deps)
    const sister = await givenApiLibrary(deps)
    const stranger = await givenApiLibrary(deps)
    const address = `gone-${lib.id}@family.test`
    await lib.contact(await lib.patron(), { address })
    await sister.contact(await sister.patron(), { address: address.toUpperCase() })
    const events = async (of: typeof lib) => ((await (await of.send('GET', '/api/v1/events')).json()) as Page).events

    expect((await lib.send('POST', '/api/v1/blacklist', { address, reason: 'manual' })).status).toBe(201)
    expect((await lib.send('POST', '/api/v1/blacklist', { address })).status).toBe(200)

    const added = { type: 'address.blacklisted', subject: address, details: { reason: 'manual' } }
    expect(await events(lib)).toEqual([expect.objectContaining(added)])
    expect(await events(sister)).toEqual([expect.objectContaining(added)])
    expect(await events(stranger)).toEqual([])
  })

  test('after a purge the library system reads what went in the feed, and reads the kept loan without its patron', async () => {
    const deps = testDeps(handle)
    const lib = await givenApiLibrary(deps)
    const adminKey = async (name: string) => {
      const created = await createApiKey(deps, { libraryId: lib.id, name, role: 'admin', actor: cliActor })
      if (!created.ok) throw new Error(created.error.code)
      return (path: string, json?: unknown) =>
        lib.app.request(path, {
          method: 'POST',
          headers: { authorization: `Bearer ${created.value.key}`, 'content-type': 'application/json' },
          body: JSON.stringify(json ?? {}),
        })
    }
    const asker = await adminKey('Registrar')
    const approver = await adminKey('Head librarian')
    const zoe = await lib.patron({ username: 'zoe', enabled: false, level: 'Year 12' })
    await lib.loan(zoe, { externalId: 'L-returned', dueDate: '2026-02-01', status: 'returned', title: 'Holes' })
    await lib.loan(zoe, { externalId: 'L-out', dueDate: '2026-03-01', title: 'Dune' })

    const request = await (await asker('/api/v1/purge', { usernames: ['zoe'], markLoansLost: true })).json()
    expect((await approver(`/api/v1/purge/${request.id}/approve`)).status).toBe(200)

    const feed = (await (await lib.send('GET', '/api/v1/events')).json()) as Page
    expect(feed.events.map(({ type, subject, details }) => ({ type, subject, details }))).toEqual([
      { type: 'loan.lost', subject: 'L-out', details: { itemId: expect.any(String), username: 'zoe' } },
      { type: 'patron.purged', subject: 'zoe', details: { requestId: request.id } },
    ])
    const kept = await (await lib.send('GET', '/api/v1/loans/L-returned')).json()
    expect(kept).toMatchObject({ id: 'L-returned', username: null, academicLevel: 'Year 12', status: 'returned', item: { title: 'Holes' } })
    expect(await (await lib.send('GET', '/api/v1/loans/L-out')).json()).toMatchObject({ username: null, status: 'lost' })
  })
})
