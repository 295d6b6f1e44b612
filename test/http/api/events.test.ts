import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { recordEvents } from '../../../src/domain/events/record-events.ts'
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
})
