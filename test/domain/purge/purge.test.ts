import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { openBatch } from '../../../src/domain/batches/open-batch.ts'
import { addContact } from '../../../src/domain/contacts/add-contact.ts'
import { approvePurge } from '../../../src/domain/purge/approve-purge.ts'
import { listPurgeRequestPatrons } from '../../../src/domain/purge/list-purge-request-patrons.ts'
import type { PurgeProgress } from '../../../src/domain/purge/purge-view.ts'
import { rejectPurge } from '../../../src/domain/purge/reject-purge.ts'
import { requestPurge } from '../../../src/domain/purge/request-purge.ts'
import { showPurgeRequest } from '../../../src/domain/purge/show-purge-request.ts'
import { expirePurgeRequests, resumePurges } from '../../../src/domain/purge/sweep-purges.ts'
import { fixedClock, type GivenLibrary, givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const asker = staffActor('admin', 'slack:UASKER')
const approver = staffActor('admin', 'slack:UAPPROVER')
const clock = fixedClock('2026-07-01T09:00:00Z')
const deps = () => ({ db: handle.db, clock })

async function patronsOf(lib: GivenLibrary): Promise<string[]> {
  const rows = await handle.db.selectFrom('patrons').where('library_id', '=', lib.id).select('username').orderBy('username').execute()
  return rows.map((row) => row.username)
}

async function ask(lib: GivenLibrary, usernames: string[], options: { markLoansLost?: boolean; pageSize?: 20 | 50 | 100 | 200 } = {}) {
  const asked = await requestPurge(deps(), {
    libraryId: lib.id,
    actor: asker,
    usernames,
    markLoansLost: options.markLoansLost ?? false,
    pageSize: options.pageSize,
  })
  if (!asked.ok) throw new Error(`refused: ${JSON.stringify(asked.error)}`)
  return asked.value
}

describe('asking for a purge', () => {
  test('every patron must be known and deactivated, and without loans unless they are marked lost', async () => {
    const lib = await givenLibrary(testDeps(handle))
    await lib.patron({ username: 'amy', enabled: true })
    const zoe = await lib.patron({ username: 'zoe', enabled: false })
    await lib.patron({ username: 'bob', enabled: false })
    await lib.loan(zoe, { dueDate: '2026-02-01' })
    await lib.loan(zoe, { dueDate: '2026-02-02' })
    const refusal = async (usernames: string[], markLoansLost = false) => {
      const asked = await requestPurge(deps(), { libraryId: lib.id, actor: asker, usernames, markLoansLost })
      return asked.ok ? 'asked' : asked.error
    }

    expect(await refusal(['bob', 'nobody', 'ghost'])).toEqual({ code: 'unknown_patrons', usernames: ['nobody', 'ghost'] })
    expect(await refusal(['bob', 'amy'])).toEqual({ code: 'not_deactivated', usernames: ['amy'] })
    expect(await refusal(['bob', 'zoe'])).toEqual({ code: 'open_loans', patrons: [{ username: 'zoe', openLoans: 2 }] })
    expect(await refusal([' ', ''])).toEqual({ code: 'empty_request' })
    // A name no patron can have (a NUL, half a surrogate pair, from a damaged file) is unknown, not a database error.
    expect(await refusal(['bob', 'zo\u0000e', 'b\ud800'])).toEqual({ code: 'unknown_patrons', usernames: ['zo\u0000e', 'b\ud800'] })
    expect(await requestPurge(deps(), { libraryId: lib.id, actor: staffActor('staff'), usernames: ['bob'], markLoansLost: false })).toMatchObject({
      ok: false,
      error: { code: 'not_allowed', permission: 'purgePatrons' },
    })
    expect(await refusal(['bob', 'zoe'], true)).toBe('asked')
  })

  test('a request shows what it would remove and keep, expires in a week, and changes nothing', async () => {
    const lib = await givenLibrary(testDeps(handle))
    const zoe = await lib.patron({ username: 'zoe', enabled: false })
    const contact = await lib.contact(zoe, { address: 'zoe.mum@example.org' })
    await lib.contact(zoe, { address: 'zoe.dad@example.org' })
    await lib.loan(zoe, { dueDate: '2026-02-01', status: 'returned' })
    await lib.loan(zoe, { dueDate: '2026-02-01' })
    await lib.reservation(zoe)
    await lib.message(zoe, { to: [{ address: 'zoe.mum@example.org', contactId: contact }], status: 'sent' })

    const request = await ask(lib, ['ZOE'], { markLoansLost: true })

    expect(request).toMatchObject({
      status: 'staged',
      requestedBy: { kind: 'slack', userId: 'UASKER' },
      approvedBy: null,
      expiresAt: new Date('2026-07-08T09:00:00Z'),
      pageSize: 200,
      retainLoans: true,
      markLoansLost: true,
      impact: { patrons: 1, contacts: 2, loans: 2, loansToMarkLost: 1, loansKept: 'anonymised', reservations: 1, messagesKeptWithoutAddresses: 1 },
      progress: { pagesDone: 0, pages: 1, purged: 0, skipped: 0 },
    })
    expect(await patronsOf(lib)).toEqual(['zoe'])
    expect(await handle.db.selectFrom('loans').where('library_id', '=', lib.id).where('status', '=', 'open').select('id').execute()).toHaveLength(1)
    expect(await listPurgeRequestPatrons(deps(), { libraryId: lib.id, actor: approver, requestId: request.id, page: 1, pageSize: 20 })).toEqual({
      ok: true,
      value: { total: 1, patrons: [{ username: 'zoe', firstName: 'Pat', lastName: expect.any(String), academicLevel: null, openLoans: 1 }] },
    })
    expect((await lib.auditActions()).map((a) => [a.action, a.actor])).toEqual([['purge.requested', 'slack:UASKER']])
  })
})

describe('approving a purge', () => {
  test('the asker cannot approve their own request; staff cannot approve at all', async () => {
    const lib = await givenLibrary(testDeps(handle))
    await lib.patron({ username: 'zoe', enabled: false })
    const request = await ask(lib, ['zoe'])

    expect(await approvePurge(deps(), { libraryId: lib.id, actor: asker, requestId: request.id })).toEqual({
      ok: false,
      error: { code: 'same_confirmer', batchId: request.id, requestedBy: { kind: 'slack', userId: 'UASKER' } },
    })
    expect(await approvePurge(deps(), { libraryId: lib.id, actor: staffActor('staff', 'slack:USTAFF'), requestId: request.id })).toMatchObject({
      ok: false,
      error: { code: 'not_allowed' },
    })
    expect(await patronsOf(lib)).toEqual(['zoe'])
  })

  test('another admin approves: the patron and contacts go; loans stay anonymised with their level; the log keeps messages without addresses', async () => {
    const lib = await givenLibrary(testDeps(handle))
    const zoe = await lib.patron({ username: 'zoe', enabled: false, level: 'Year 12', groups: ['Chess'] })
    const amy = await lib.patron({ username: 'amy', enabled: true })
    const added = await addContact(
      { db: handle.db, clock },
      {
        libraryId: lib.id,
        actor: staffActor('staff'),
        patron: { username: 'zoe' },
        source: 'staff',
        fields: { role: 'guardian', type: 'email', address: 'Zoe.Mum@example.org', addressee: 'Mum', isPrimary: true, bcc: 'default', usage: 'any' },
      },
    )
    if (!added.ok) throw new Error('contact refused')
    await lib.contact(amy, { address: 'amy.dad@example.org' })
    await lib.loan(zoe, { dueDate: '2026-02-01', status: 'returned', externalId: 'L-returned' })
    await lib.loan(zoe, { dueDate: '2026-02-01', externalId: 'L-open' })
    await lib.reservation(zoe)
    const sent = await lib.message(zoe, { to: [{ address: 'Zoe.Mum@example.org', contactId: added.value.id }], status: 'sent' })
    const queued = await lib.message(zoe, { to: [{ address: 'Zoe.Mum@example.org', contactId: added.value.id }] })
    const amys = await lib.message(amy, { to: [{ address: 'amy.dad@example.org' }] })
    const request = await ask(lib, ['zoe'], { markLoansLost: true })

    const approved = await approvePurge(deps(), { libraryId: lib.id, actor: approver, requestId: request.id })

    expect(approved).toEqual({
      ok: true,
      value: {
        requestId: request.id,
        purged: 1,
        contactsRemoved: 1,
        loansAnonymised: 2,
        loansRemoved: 0,
        loansMarkedLost: 1,
        reservationsRemoved: 1,
        messagesWithoutAddresses: 2,
        skipped: [],
      },
    })
    expect(await patronsOf(lib)).toEqual(['amy'])
    const loans = await handle.db
      .selectFrom('loans as l')
      .leftJoin('academic_levels as a', 'a.id', 'l.academic_level_id')
      .where('l.library_id', '=', lib.id)
      .select(['l.external_id', 'l.patron_id', 'l.status', 'a.name as level'])
      .orderBy('l.external_id')
      .execute()
    expect(loans).toEqual([
      { external_id: 'L-open', patron_id: null, status: 'lost', level: 'Year 12' },
      { external_id: 'L-returned', patron_id: null, status: 'returned', level: 'Year 12' },
    ])
    const messages = await handle.db
      .selectFrom('messages as m')
      .innerJoin('message_recipients as r', 'r.message_id', 'm.id')
      .where('m.library_id', '=', lib.id)
      .select(['m.id', 'm.status', 'm.reason', 'r.address', 'm.subject'])
      .orderBy('m.id')
      .execute()
    expect(messages).toEqual([
      { id: sent, status: 'sent', reason: null, address: null, subject: 'Overdue' },
      { id: queued, status: 'skipped', reason: 'patron_purged', address: null, subject: 'Overdue' },
      { id: amys, status: 'queued', reason: null, address: 'amy.dad@example.org', subject: 'Overdue' },
    ])
    expect(await handle.db.selectFrom('reservations').where('library_id', '=', lib.id).select('id').execute()).toEqual([])
    const audit = await lib.auditActions()
    expect(JSON.stringify(audit)).not.toMatch(/zoe\.mum@example\.org/i)
    expect(audit.find((a) => a.action === 'contact.added')?.after).toMatchObject({ username: 'zoe', addressee: 'Mum' })
    const completed = await handle.db
      .selectFrom('audit_log')
      .where('library_id', '=', lib.id)
      .where('action', '=', 'purge.completed')
      .select(['actor', 'approver', 'details'])
      .executeTakeFirstOrThrow()
    expect(completed).toMatchObject({ actor: 'slack:UASKER', approver: 'slack:UAPPROVER', details: { purged: 1, contactsRemoved: 1 } })
    expect(audit.map((a) => a.action)).toEqual(['contact.added', 'purge.requested', 'purge.approved', 'purge.page', 'purge.completed'])
    const events = await handle.db.selectFrom('events').where('library_id', '=', lib.id).select(['type', 'subject']).orderBy('id').execute()
    expect(events).toEqual([
      { type: 'loan.lost', subject: 'L-open' },
      { type: 'patron.purged', subject: 'zoe' },
    ])
    expect(await showPurgeRequest(deps(), { libraryId: lib.id, actor: asker, requestId: request.id })).toMatchObject({
      ok: true,
      value: { status: 'applied', approvedBy: { kind: 'slack', userId: 'UAPPROVER' }, progress: { pagesDone: 1, pages: 1, purged: 1 } },
    })
    expect(await approvePurge(deps(), { libraryId: lib.id, actor: approver, requestId: request.id })).toMatchObject({
      ok: false,
      error: { code: 'batch_not_ready', status: 'applied' },
    })
  })

  test('a message being sent keeps its sender’s lease and addresses; one whose sender died is skipped', async () => {
    const lib = await givenLibrary(testDeps(handle))
    const zoe = await lib.patron({ username: 'zoe', enabled: false })
    const live = await lib.message(zoe, { to: [{ address: 'zoe.mum@example.org' }], status: 'sending', leaseUntil: '2026-07-01T09:05:00Z' })
    const dead = await lib.message(zoe, { to: [{ address: 'zoe.mum@example.org' }], status: 'sending', leaseUntil: '2026-07-01T08:55:00Z' })
    const request = await ask(lib, ['zoe'])

    await approvePurge(deps(), { libraryId: lib.id, actor: approver, requestId: request.id })

    const messages = await handle.db
      .selectFrom('messages as m')
      .innerJoin('message_recipients as r', 'r.message_id', 'm.id')
      .where('m.library_id', '=', lib.id)
      .select(['m.id', 'm.status', 'm.reason', 'r.address'])
      .orderBy('m.id')
      .execute()
    expect(messages).toEqual([
      { id: live, status: 'sending', reason: null, address: 'zoe.mum@example.org' },
      { id: dead, status: 'skipped', reason: 'patron_purged', address: null },
    ])
  })

  test('a library that does not retain loans has them removed with the patron', async () => {
    const lib = await givenLibrary(testDeps(handle))
    await handle.db.updateTable('libraries').set({ retain_deleted_patron_loans: false }).where('id', '=', lib.id).execute()
    const zoe = await lib.patron({ username: 'zoe', enabled: false })
    await lib.loan(zoe, { dueDate: '2026-02-01', status: 'returned' })
    const request = await ask(lib, ['zoe'])
    expect(request.impact.loansKept).toBe('removed')

    const approved = await approvePurge(deps(), { libraryId: lib.id, actor: approver, requestId: request.id })

    expect(approved).toMatchObject({ ok: true, value: { purged: 1, loansAnonymised: 0, loansRemoved: 1 } })
    expect(await handle.db.selectFrom('loans').where('library_id', '=', lib.id).select('id').execute()).toEqual([])
  })

  test('runs page by page, telling its progress; a patron reactivated or given a loan since is left alone', async () => {
    const lib = await givenLibrary(testDeps(handle))
    const usernames = Array.from({ length: 45 }, (_, i) => `leaver${String(i).padStart(2, '0')}`)
    for (const username of usernames) await lib.patron({ username, lastName: username, enabled: false })
    const request = await ask(lib, usernames, { pageSize: 20 })
    await handle.db.updateTable('patrons').set({ is_enabled: true }).where('library_id', '=', lib.id).where('username', '=', 'leaver03').execute()
    const late = await handle.db
      .selectFrom('patrons')
      .where('library_id', '=', lib.id)
      .where('username', '=', 'leaver44')
      .select('id')
      .executeTakeFirstOrThrow()
    await lib.loan({ id: late.id, username: 'leaver44' }, { dueDate: '2026-08-01' })
    const progress: PurgeProgress[] = []

    const approved = await approvePurge(deps(), { libraryId: lib.id, actor: approver, requestId: request.id, onProgress: (p) => progress.push(p) })

    expect(progress).toEqual([
      { page: 1, pages: 3, purged: 19 },
      { page: 2, pages: 3, purged: 39 },
      { page: 3, pages: 3, purged: 43 },
    ])
    expect(approved).toMatchObject({
      ok: true,
      value: {
        purged: 43,
        skipped: [
          { username: 'leaver03', reason: 'reactivated' },
          { username: 'leaver44', reason: 'open_loans' },
        ],
      },
    })
    expect(await patronsOf(lib)).toEqual(['leaver03', 'leaver44'])
  })

  test('a patron another request purged first is named as asked, and the rest go', async () => {
    const lib = await givenLibrary(testDeps(handle))
    for (const username of ['ana', 'ben']) await lib.patron({ username, enabled: false })
    const both = await ask(lib, ['ana', 'ben'])
    const first = await ask(lib, ['ana'])
    expect(await approvePurge(deps(), { libraryId: lib.id, actor: approver, requestId: first.id })).toMatchObject({ ok: true, value: { purged: 1 } })

    const approved = await approvePurge(deps(), { libraryId: lib.id, actor: approver, requestId: both.id })

    expect(approved).toMatchObject({ ok: true, value: { purged: 1, skipped: [{ username: 'ana', reason: 'gone' }] } })
    expect(await patronsOf(lib)).toEqual([])
  })
})

describe('mark as lost and purge', () => {
  test('a loan checked out after the request is not marked lost unseen: the patron is left alone, both loans open', async () => {
    const lib = await givenLibrary(testDeps(handle))
    const zoe = await lib.patron({ username: 'zoe', enabled: false })
    const amy = await lib.patron({ username: 'amy', enabled: false })
    await lib.loan(zoe, { dueDate: '2026-06-01' })
    await lib.loan(amy, { dueDate: '2026-06-01' })
    const request = await ask(lib, ['zoe', 'amy'], { markLoansLost: true })
    await lib.loan(zoe, { dueDate: '2026-08-01', title: 'Borrowed since' })

    const approved = await approvePurge(deps(), { libraryId: lib.id, actor: approver, requestId: request.id })

    expect(approved).toMatchObject({ ok: true, value: { purged: 1, loansMarkedLost: 1, skipped: [{ username: 'zoe', reason: 'open_loans' }] } })
    expect(await patronsOf(lib)).toEqual(['zoe'])
    const zoeLoans = await handle.db.selectFrom('loans').where('patron_id', '=', zoe.id).select('status').execute()
    expect(zoeLoans.map((loan) => loan.status)).toEqual(['open', 'open'])
  })
})

describe('a purge that stops', () => {
  test('a page that fails changes nothing of itself; the pages before stay; the request resumes where it stopped', async () => {
    const lib = await givenLibrary(testDeps(handle))
    const usernames = Array.from({ length: 50 }, (_, i) => `crash${String(i).padStart(2, '0')}`)
    for (const username of usernames) {
      const patron = await lib.patron({ username, lastName: username, enabled: false })
      await lib.contact(patron, { address: `${username}@example.org` })
    }
    const request = await ask(lib, usernames, { pageSize: 20 })
    // A fault on the second page: deleting crash25 fails, as a lost connection would.
    const trigger = `purge_fault_${lib.id}`
    await sql
      .raw(`create function ${trigger}() returns trigger language plpgsql as $$ begin
        if old.username = 'crash25' and old.library_id = ${lib.id} then raise exception 'fault'; end if; return old; end $$`)
      .execute(handle.db)
    await sql.raw(`create trigger ${trigger} before delete on patrons for each row execute function ${trigger}()`).execute(handle.db)
    try {
      await expect(approvePurge(deps(), { libraryId: lib.id, actor: approver, requestId: request.id })).rejects.toThrow(/fault/)
    } finally {
      await sql.raw(`drop trigger ${trigger} on patrons`).execute(handle.db)
      await sql.raw(`drop function ${trigger}()`).execute(handle.db)
    }

    const left = await patronsOf(lib)
    expect(left).toEqual(usernames.slice(20))
    const contactsLeft = await handle.db.selectFrom('contacts').where('library_id', '=', lib.id).select('address').execute()
    expect(contactsLeft).toHaveLength(30)
    expect(await showPurgeRequest(deps(), { libraryId: lib.id, actor: asker, requestId: request.id })).toMatchObject({
      ok: true,
      value: { status: 'approved', progress: { pagesDone: 1, pages: 3, purged: 20 } },
    })

    // A runner may still be at work: the sweep leaves a purge alone until it has been silent a minute.
    expect((await resumePurges(deps(), {})).filter((o) => o.requestId === request.id)).toEqual([])
    const aMinuteLater = { now: () => new Date(clock.now().getTime() + 61_000) }
    const resumed = await resumePurges({ ...deps(), clock: aMinuteLater }, {})

    expect(resumed.filter((o) => o.requestId === request.id)).toMatchObject([{ purged: 50, contactsRemoved: 50, skipped: [] }])
    expect(await patronsOf(lib)).toEqual([])
    const completed = (await lib.auditActions()).filter((a) => a.action === 'purge.completed')
    expect(completed).toHaveLength(1)
  })

  test('the asker resumes an approved purge too: approval was given', async () => {
    const lib = await givenLibrary(testDeps(handle))
    await lib.patron({ username: 'zoe', enabled: false })
    const request = await ask(lib, ['zoe'])
    await handle.db.updateTable('batches').set({ status: 'approved', confirmed_by: 'slack:UAPPROVER' }).where('id', '=', request.id).execute()

    const resumed = await approvePurge(deps(), { libraryId: lib.id, actor: asker, requestId: request.id })

    expect(resumed).toMatchObject({ ok: true, value: { purged: 1 } })
  })
})

describe('a request nobody approves', () => {
  test('rejected by another admin, cancelled by its asker: nothing changes, and it cannot be approved after', async () => {
    const lib = await givenLibrary(testDeps(handle))
    await lib.patron({ username: 'zoe', enabled: false })
    const first = await ask(lib, ['zoe'])
    const second = await ask(lib, ['zoe'])

    expect(await rejectPurge(deps(), { libraryId: lib.id, actor: approver, requestId: first.id })).toMatchObject({ ok: true, value: { status: 'rejected' } })
    expect(await rejectPurge(deps(), { libraryId: lib.id, actor: asker, requestId: second.id })).toMatchObject({ ok: true, value: { status: 'cancelled' } })
    expect(await approvePurge(deps(), { libraryId: lib.id, actor: approver, requestId: first.id })).toMatchObject({
      ok: false,
      error: { code: 'batch_not_ready', status: 'rejected' },
    })
    expect(await patronsOf(lib)).toEqual(['zoe'])
    expect((await lib.auditActions()).map((a) => a.action)).toEqual(['purge.requested', 'purge.requested', 'purge.rejected', 'purge.cancelled'])
  })

  test('expires after a week: the sweep says which, and approving it then is refused', async () => {
    const lib = await givenLibrary(testDeps(handle))
    await lib.patron({ username: 'zoe', enabled: false })
    const request = await ask(lib, ['zoe'])
    const later = { db: handle.db, clock: fixedClock('2026-07-08T09:00:01Z') }
    // An import opened meanwhile leaves it to the sweep, which tells Slack.
    const opened = await openBatch(handle.db, {
      libraryId: lib.id,
      kind: 'patrons',
      mode: 'upsert',
      fileName: 'patrons.csv',
      requestedBy: { kind: 'cli' },
      confirmPermission: 'changePatrons',
      now: later.clock.now(),
    })
    expect(opened.ok).toBe(true)

    const expired = await expirePurgeRequests(later, { now: later.clock.now() })

    expect(expired.filter((r) => r.libraryId === lib.id)).toMatchObject([{ id: request.id, status: 'expired' }])
    expect(await approvePurge(later, { libraryId: lib.id, actor: approver, requestId: request.id })).toMatchObject({
      ok: false,
      error: { code: 'batch_not_ready', status: 'expired' },
    })
    expect(await patronsOf(lib)).toEqual(['zoe'])
  })

  test('another library’s request is not found', async () => {
    const lib = await givenLibrary(testDeps(handle))
    const other = await givenLibrary(testDeps(handle))
    await lib.patron({ username: 'zoe', enabled: false })
    const request = await ask(lib, ['zoe'])

    expect(await approvePurge(deps(), { libraryId: other.id, actor: approver, requestId: request.id })).toEqual({
      ok: false,
      error: { code: 'request_not_found', requestId: request.id },
    })
  })
})
