import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { type AuditFilters, listAudit } from '../../../src/domain/audit/list-audit.ts'
import type { AppDeps } from '../../../src/domain/deps.ts'
import { givenAuditEntry } from '../../support/audit.ts'
import { type GivenLibrary, givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const admin = staffActor('admin', 'slack:UHEAD')

/** What an admin reads of each entry: when, who, what, about whom. */
async function read(deps: AppDeps, lib: GivenLibrary, filters: AuditFilters = {}) {
  const page = await listAudit(deps, { libraryId: lib.id, actor: admin, filters })
  if (!page.ok) throw new Error(`refused: ${JSON.stringify(page.error)}`)
  return {
    lines: page.value.entries.map((entry) => `${entry.at.toISOString()} ${entry.actor} ${entry.action}${entry.patron ? ` ${entry.patron}` : ''}`),
    nextCursor: page.value.nextCursor,
  }
}

/** A library in Sydney (UTC+11 in March) where a pupil's guardian was added, changed and removed. */
async function givenLibraryWithHistory(deps: AppDeps) {
  const lib = await givenLibrary(deps, { timeZone: 'Australia/Sydney' })
  const ana = await lib.patron({ username: 'asilva' })
  const ben = await lib.patron({ username: 'bchen' })
  const entry = (at: string, actor: string, action: string, more: { patronId?: number; approver?: string; details?: unknown } = {}) =>
    givenAuditEntry(deps.db, { libraryId: lib.id, at, actor, action, subjectType: action.split('.')[0], ...more })
  await entry('2026-03-01T12:59:00Z', 'api-key:4', 'contact.added', { patronId: ana.id }) // 23:59 on 1 March in Sydney
  await entry('2026-03-01T13:01:00Z', 'slack:UANNA', 'contact.updated', { patronId: ana.id }) // 00:01 on 2 March
  await entry('2026-03-02T09:00:00Z', 'slack:UANNA', 'contacts.imported', { approver: 'slack:UHEAD' })
  await entry('2026-03-03T09:00:00Z', 'api-key:4', 'patrons.upserted', { details: { usernames: ['BChen', 'zsmith'], total: 2 } })
  await entry('2026-03-04T09:00:00Z', 'cli', 'api_key.created')
  await entry('2026-03-05T09:00:00Z', 'slack:UHEAD', 'contact.removed', { patronId: ben.id })
  return lib
}

describe('reading the audit log', () => {
  test('an admin reads it newest first, a page at a time, until the last page says there is no more', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibraryWithHistory(deps)

    const first = await read(deps, lib, { limit: 4 })
    const second = await read(deps, lib, { limit: 4, cursor: first.nextCursor! })

    expect(first.lines).toEqual([
      '2026-03-05T09:00:00.000Z slack:UHEAD contact.removed bchen',
      '2026-03-04T09:00:00.000Z cli api_key.created',
      '2026-03-03T09:00:00.000Z api-key:4 patrons.upserted',
      '2026-03-02T09:00:00.000Z slack:UANNA contacts.imported',
    ])
    expect(second).toEqual({
      lines: ['2026-03-01T13:01:00.000Z slack:UANNA contact.updated asilva', '2026-03-01T12:59:00.000Z api-key:4 contact.added asilva'],
      nextCursor: null,
    })
  })

  test('fifty entries make a page when no limit is given', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    for (let day = 1; day <= 51; day += 1)
      await givenAuditEntry(deps.db, {
        libraryId: lib.id,
        at: `2026-01-01T00:00:00Z`,
        actor: 'cli',
        action: 'staff.added',
        subjectType: 'staff',
        subjectId: `U${day}`,
      })

    const page = await read(deps, lib)

    expect(page.lines).toHaveLength(50)
    expect(page.nextCursor).not.toBeNull()
  })

  test("from and to are whole days in the library's time zone, both included", async () => {
    const deps = testDeps(handle)
    const lib = await givenLibraryWithHistory(deps)

    const secondOfMarch = await read(deps, lib, { from: '2026-03-02', to: '2026-03-02' })
    const fromAnInstant = await read(deps, lib, { from: '2026-03-04T09:00:00Z', to: '2026-03-05T08:59:59+00:00' })

    expect(secondOfMarch.lines).toEqual([
      '2026-03-02T09:00:00.000Z slack:UANNA contacts.imported',
      '2026-03-01T13:01:00.000Z slack:UANNA contact.updated asilva',
    ])
    expect(fromAnInstant.lines).toEqual(['2026-03-04T09:00:00.000Z cli api_key.created'])
  })

  test('an actor filter finds what they did and what they approved', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibraryWithHistory(deps)

    const head = await read(deps, lib, { actor: 'slack:UHEAD' })

    expect(head.lines).toEqual(['2026-03-05T09:00:00.000Z slack:UHEAD contact.removed bchen', '2026-03-02T09:00:00.000Z slack:UANNA contacts.imported'])
  })

  test('a patron filter finds what happened to them and their contacts, and the batches that name them', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibraryWithHistory(deps)

    const ana = await read(deps, lib, { patron: 'ASILVA' })
    const ben = await read(deps, lib, { patron: 'bchen' })

    expect(ana.lines).toEqual(['2026-03-01T13:01:00.000Z slack:UANNA contact.updated asilva', '2026-03-01T12:59:00.000Z api-key:4 contact.added asilva'])
    expect(ben.lines).toEqual(['2026-03-05T09:00:00.000Z slack:UHEAD contact.removed bchen', '2026-03-03T09:00:00.000Z api-key:4 patrons.upserted'])
  })

  test('an action is matched exactly, or as a prefix when it ends in a dot', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibraryWithHistory(deps)
    await givenAuditEntry(deps.db, { libraryId: lib.id, at: '2026-03-06T09:00:00Z', actor: 'cli', action: 'apixkey.created', subjectType: 'test' })

    const contactActions = await read(deps, lib, { action: 'contact.' })
    const added = await read(deps, lib, { action: 'contact.added' })
    const keys = await read(deps, lib, { action: 'api_key.' })

    expect(contactActions.lines.map((line) => line.split(' ')[2])).toEqual(['contact.removed', 'contact.updated', 'contact.added'])
    expect(added.lines).toEqual(['2026-03-01T12:59:00.000Z api-key:4 contact.added asilva'])
    expect(keys.lines).toEqual(['2026-03-04T09:00:00.000Z cli api_key.created'])
  })

  test("another library's entries are never shown", async () => {
    const deps = testDeps(handle)
    const lib = await givenLibraryWithHistory(deps)
    const other = await givenLibrary(deps)

    expect((await read(deps, other)).lines).toEqual([])
    expect((await read(deps, lib)).lines).toHaveLength(6)
  })

  test('staff and viewers are refused: the log is for admins', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibraryWithHistory(deps)

    for (const role of ['staff', 'viewer', null] as const) {
      const refused = await listAudit(deps, { libraryId: lib.id, actor: staffActor(role, 'slack:UANNA'), filters: {} })
      expect(refused).toEqual({ ok: false, error: { code: 'not_allowed', permission: 'readAudit', needed: 'admin', role } })
    }
  })

  test('every filter that cannot be used is named, with what was typed', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibraryWithHistory(deps)

    const refused = await listAudit(deps, {
      libraryId: lib.id,
      actor: admin,
      filters: { from: '2026-02-30', to: 'yesterday', action: 'Contact Added', cursor: 'bm90IGEgY3Vyc29y', limit: 501, actor: ' ' },
    })

    expect(refused).toEqual({
      ok: false,
      error: {
        code: 'invalid_filters',
        problems: [
          { filter: 'from', message: '"2026-02-30" is not a date such as 2026-03-01, nor an instant such as 2026-03-01T08:00:00Z' },
          { filter: 'to', message: '"yesterday" is not a date such as 2026-03-01, nor an instant such as 2026-03-01T08:00:00Z' },
          { filter: 'actor', message: 'Give who acted, such as slack:U0123ABCD, api-key:4 or cli' },
          { filter: 'action', message: '"Contact Added" is not an action such as contact.added, nor a prefix ending in a dot such as contact.' },
          { filter: 'cursor', message: 'This is not a nextCursor this log gave; start again without it' },
          { filter: 'limit', message: 'Give a whole number from 1 to 500' },
        ],
      },
    })
  })

  test('a patron the library does not have, and a to before from, are refused rather than shown as an empty log', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibraryWithHistory(deps)

    const unknown = await listAudit(deps, { libraryId: lib.id, actor: admin, filters: { patron: 'zsmith' } })
    const backwards = await listAudit(deps, { libraryId: lib.id, actor: admin, filters: { from: '2026-03-05', to: '2026-03-04T12:00:00Z' } })

    expect(unknown).toEqual({
      ok: false,
      error: { code: 'invalid_filters', problems: [{ filter: 'patron', message: 'No patron with username "zsmith" in this library' }] },
    })
    expect(backwards).toEqual({
      ok: false,
      error: { code: 'invalid_filters', problems: [{ filter: 'to', message: '"2026-03-04T12:00:00Z" is before from (2026-03-05)' }] },
    })
  })
})
