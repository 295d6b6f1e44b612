import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import type { AppDeps } from '../../../src/domain/deps.ts'
import { listEvents } from '../../../src/domain/events/list-events.ts'
import { type LibraryEvent, recordEvents } from '../../../src/domain/events/record-events.ts'
import { type GivenLibrary, givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

// The library system's key has the staff role.
const librarySystem = staffActor('staff', 'api-key:1')
const at = new Date('2026-07-01T09:00:00Z')
const purged = (username: string): LibraryEvent => ({ type: 'patron.purged', subject: username, details: { requestId: 7 } })

/** A reader as the library system runs one: it keeps the last id read and asks for what follows. */
function givenReader(deps: AppDeps, lib: GivenLibrary, limit = 100) {
  let after: string | undefined
  return async function read(): Promise<string[]> {
    const page = await listEvents(deps, { libraryId: lib.id, actor: librarySystem, ...(after && { after }), limit })
    if (!page.ok) throw new Error(JSON.stringify(page.error))
    if (page.value.events.length > 0) after = page.value.events.at(-1)!.id
    return page.value.events.map((event) => event.subject)
  }
}

describe('the events feed', () => {
  test('the library system reads the events in the order they were made and resumes after the last id it read', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const other = await givenLibrary(deps)
    await deps.db.transaction().execute((tx) => recordEvents(tx, { libraryId: lib.id, at, events: [purged('asilva'), purged('bchen')] }))
    await deps.db.transaction().execute((tx) => recordEvents(tx, { libraryId: other.id, at, events: [purged('notours')] }))
    await deps.db.transaction().execute((tx) => recordEvents(tx, { libraryId: lib.id, at, events: [purged('cdiaz')] }))

    const read = givenReader(deps, lib, 2)
    expect(await read()).toEqual(['asilva', 'bchen'])
    expect(await read()).toEqual(['cdiaz'])
    expect(await read()).toEqual([])
    await deps.db.transaction().execute((tx) => recordEvents(tx, { libraryId: lib.id, at, events: [purged('dlee')] }))
    expect(await read()).toEqual(['dlee'])
  })

  test('a page says where the next starts while more wait, and null at the end', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    await deps.db.transaction().execute((tx) => recordEvents(tx, { libraryId: lib.id, at, events: [purged('asilva'), purged('bchen'), purged('cdiaz')] }))

    const first = await listEvents(deps, { libraryId: lib.id, actor: librarySystem, limit: 2 })
    if (!first.ok) throw new Error(first.error.code)
    expect(first.value.events.map(({ type, subject, details, at }) => ({ type, subject, details, at }))).toEqual([
      { type: 'patron.purged', subject: 'asilva', details: { requestId: 7 }, at },
      { type: 'patron.purged', subject: 'bchen', details: { requestId: 7 }, at },
    ])
    expect(first.value.next).toBe(first.value.events[1].id)
    const second = await listEvents(deps, { libraryId: lib.id, actor: librarySystem, after: first.value.next!, limit: 2 })
    expect(second.ok && { subjects: second.value.events.map((event) => event.subject), next: second.value.next }).toEqual({ subjects: ['cdiaz'], next: null })
  })

  test('no event is skipped when a later writer would commit first: it waits for the earlier one', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const read = givenReader(deps, lib)
    const release = { first: () => {}, second: () => {} }
    const held = (name: 'first' | 'second') => new Promise<void>((resolve) => (release[name] = resolve))
    const steps: string[] = []

    // The first writer records its event and keeps its transaction open.
    let firstRecorded!: () => void
    const firstIsIn = new Promise<void>((resolve) => (firstRecorded = resolve))
    const first = deps.db.transaction().execute(async (tx) => {
      await recordEvents(tx, { libraryId: lib.id, at, events: [purged('first')] })
      firstRecorded()
      await held('first')
    })
    await firstIsIn
    // The second starts after it, records, and would commit at once.
    const second = deps.db.transaction().execute(async (tx) => {
      await recordEvents(tx, { libraryId: lib.id, at, events: [purged('second')] })
      steps.push('second recorded')
      await held('second')
    })
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(steps).toEqual([])
    expect(await read()).toEqual([])

    release.first()
    await first
    await expect.poll(() => steps).toEqual(['second recorded'])
    expect(await read()).toEqual(['first'])
    release.second()
    await second
    expect(await read()).toEqual(['second'])
  })

  test('a bad cursor or limit is refused, naming it', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const page = await listEvents(deps, { libraryId: lib.id, actor: librarySystem, after: 'yesterday', limit: 0 })
    expect(!page.ok && page.error).toEqual({
      code: 'invalid_query',
      problems: [
        { parameter: 'after', message: expect.stringContaining('"yesterday" is not an event id') },
        { parameter: 'limit', message: 'Give a whole number from 1 to 1000' },
      ],
    })
  })

  test('a viewer may not read the feed', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const page = await listEvents(deps, { libraryId: lib.id, actor: staffActor('viewer', 'slack:UVIEW'), limit: 10 })
    expect(!page.ok && page.error).toMatchObject({ code: 'not_allowed', permission: 'feedCirculation', role: 'viewer' })
  })
})
