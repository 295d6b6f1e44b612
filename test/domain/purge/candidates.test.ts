import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { systemClock } from '../../../src/domain/deps.ts'
import { listLoansToLose } from '../../../src/domain/purge/list-loans-to-lose.ts'
import { listPurgeCandidates } from '../../../src/domain/purge/list-purge-candidates.ts'
import { markLoansLostForPurge } from '../../../src/domain/purge/mark-loans-lost-for-purge.ts'
import { type PurgePageSize, purgePageSizes } from '../../../src/domain/purge/purge-view.ts'
import { givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const admin = staffActor('admin', 'slack:UADMIN1')
const deps = () => ({ db: handle.db, clock: systemClock })

describe('purge candidates', () => {
  test('only deactivated patrons are candidates, by name, with their loans and contacts', async () => {
    const lib = await givenLibrary(testDeps(handle))
    const zoe = await lib.patron({ username: 'zoe', firstName: 'Zoe', lastName: 'Adams', enabled: false, level: 'Year 12', groups: ['Chess'] })
    await lib.patron({ username: 'amy', firstName: 'Amy', lastName: 'Brown', enabled: true })
    const bob = await lib.patron({ username: 'bob', firstName: 'Bob', lastName: 'Clark', enabled: false })
    await lib.loan(zoe, { dueDate: '2026-02-01' })
    await lib.loan(zoe, { dueDate: '2026-02-01', status: 'returned' })
    await lib.contact(zoe, { address: 'zoe.mum@example.org' })
    await lib.contact(bob, { address: 'bob.dad@example.org' })

    const found = await listPurgeCandidates(deps(), { libraryId: lib.id, actor: admin, page: 1, pageSize: 20, filter: {} })

    expect(found).toEqual({
      ok: true,
      value: {
        candidates: [
          { patronId: zoe.id, username: 'zoe', firstName: 'Zoe', lastName: 'Adams', academicLevel: 'Year 12', groups: ['Chess'], openLoans: 1, contacts: 1 },
          { patronId: bob.id, username: 'bob', firstName: 'Bob', lastName: 'Clark', academicLevel: null, groups: [], openLoans: 0, contacts: 1 },
        ],
        page: 1,
        pageSize: 20,
        total: 2,
        pages: 1,
      },
    })
  })

  test.each(purgePageSizes)('in pages of %i', async (pageSize: PurgePageSize) => {
    const lib = await givenLibrary(testDeps(handle))
    const count = pageSize + 3
    await handle.db
      .insertInto('patrons')
      .values(
        Array.from({ length: count }, (_, i) => ({
          library_id: lib.id,
          username: `leaver${i}`,
          last_name: `Leaver${String(i).padStart(4, '0')}`,
          is_enabled: false,
        })),
      )
      .execute()

    const first = await listPurgeCandidates(deps(), { libraryId: lib.id, actor: admin, page: 1, pageSize, filter: {} })
    const second = await listPurgeCandidates(deps(), { libraryId: lib.id, actor: admin, page: 2, pageSize, filter: {} })
    const past = await listPurgeCandidates(deps(), { libraryId: lib.id, actor: admin, page: 9, pageSize, filter: {} })

    if (!first.ok || !second.ok || !past.ok) throw new Error('refused')
    expect(first.value.candidates).toHaveLength(pageSize)
    expect(first.value.candidates[0].lastName).toBe('Leaver0000')
    expect(second.value.candidates.map((c) => c.lastName)).toEqual([pageSize, pageSize + 1, pageSize + 2].map((i) => `Leaver${String(i).padStart(4, '0')}`))
    expect(first.value).toMatchObject({ total: count, pages: 2 })
    expect(past.value.page).toBe(2)
  })

  test('filtered by academic level and by group; an unknown name is said', async () => {
    const lib = await givenLibrary(testDeps(handle))
    await lib.patron({ username: 'y12chess', enabled: false, level: 'Year 12', groups: ['Chess'] })
    await lib.patron({ username: 'y12', enabled: false, level: 'Year 12' })
    await lib.patron({ username: 'y11chess', enabled: false, level: 'Year 11', groups: ['Chess'] })
    const usernames = async (filter: { academicLevel?: string; group?: string }) => {
      const found = await listPurgeCandidates(deps(), { libraryId: lib.id, actor: admin, page: 1, pageSize: 50, filter })
      return found.ok ? found.value.candidates.map((c) => c.username).sort() : found.error
    }

    expect(await usernames({ academicLevel: 'year 12' })).toEqual(['y12', 'y12chess'])
    expect(await usernames({ group: 'Chess' })).toEqual(['y11chess', 'y12chess'])
    expect(await usernames({ academicLevel: 'Year 12', group: 'Chess' })).toEqual(['y12chess'])
    expect(await usernames({ group: 'Drama' })).toEqual({ code: 'unknown_in_filter', field: 'group', value: 'Drama' })
  })

  test('staff and viewers may not list candidates', async () => {
    const lib = await givenLibrary(testDeps(handle))
    for (const role of ['staff', 'viewer'] as const) {
      const found = await listPurgeCandidates(deps(), { libraryId: lib.id, actor: staffActor(role), page: 1, pageSize: 20, filter: {} })
      expect(found).toEqual({ ok: false, error: { code: 'not_allowed', permission: 'purgePatrons', needed: 'admin', role } })
    }
  })

  test('Mark as lost lists the open loans, then marks them lost and tells the library system', async () => {
    const lib = await givenLibrary(testDeps(handle))
    const zoe = await lib.patron({ username: 'zoe', enabled: false })
    await lib.loan(zoe, { dueDate: '2026-02-01', title: 'Dune', barcode: 'B1', externalId: 'L1' })
    await lib.loan(zoe, { dueDate: '2026-01-01', status: 'returned', externalId: 'L0' })

    const listed = await listLoansToLose(deps(), { libraryId: lib.id, actor: admin, username: 'zoe' })
    const marked = await markLoansLostForPurge(deps(), { libraryId: lib.id, actor: admin, username: 'zoe' })

    expect(listed).toMatchObject({ ok: true, value: [{ loanId: 'L1', title: 'Dune', barcode: 'B1', dueDate: '2026-02-01' }] })
    expect(marked).toEqual({ ok: true, value: { marked: 1 } })
    const loans = await handle.db.selectFrom('loans').where('library_id', '=', lib.id).select(['external_id', 'status']).orderBy('external_id').execute()
    expect(loans).toEqual([
      { external_id: 'L0', status: 'returned' },
      { external_id: 'L1', status: 'lost' },
    ])
    const events = await handle.db.selectFrom('events').where('library_id', '=', lib.id).select(['type', 'subject']).execute()
    expect(events).toEqual([{ type: 'loan.lost', subject: 'L1' }])
    expect((await lib.auditActions()).map((a) => a.action)).toEqual(['purge.loans_marked_lost'])
  })

  test('an enabled patron’s loans are not marked lost', async () => {
    const lib = await givenLibrary(testDeps(handle))
    const amy = await lib.patron({ username: 'amy', enabled: true })
    await lib.loan(amy, { dueDate: '2026-02-01' })

    const marked = await markLoansLostForPurge(deps(), { libraryId: lib.id, actor: admin, username: 'amy' })

    expect(marked).toEqual({ ok: false, error: { code: 'not_deactivated', usernames: ['amy'] } })
  })
})
