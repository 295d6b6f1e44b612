import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { addDays } from '../../../src/domain/calendar.ts'
import { planNight } from '../../../src/domain/notices/plan-night.ts'
import { fixedClock, type GivenLibrary, givenLibrary, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { emailsOut, ledgerOf, listingRender, setScenario } from '../../support/nights.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

// Each night runs on its own day: a night still to come may only be previewed.
const night = (lib: GivenLibrary, asOf: string) =>
  planNight({ ...testDeps(handle), clock: fixedClock(`${asOf}T12:00:00Z`) }, { libraryId: lib.id, asOf, dryRun: false, render: listingRender })

async function nightsFrom(lib: GivenLibrary, from: string, to: string): Promise<string[]> {
  const out: string[] = []
  for (let asOf = from; asOf <= to; asOf = addDays(asOf, 1)) {
    await night(lib, asOf)
    for (const email of await emailsOut(handle.db, lib.id, { asOf })) out.push(`${asOf} ${email}`)
  }
  return out
}

/** A library whose overdue notices and escalations are off: what is left is reminders and reservations. */
async function givenQuietLibrary(options: { timeZone?: string } = {}) {
  const lib = await givenLibrary(testDeps(handle), options)
  for (const scenario of ['circulation.overdue', 'circulation.escalation_1', 'circulation.escalation_2', 'circulation.escalation_3'] as const) {
    await setScenario(handle.db, lib.id, scenario, { enabled: false })
  }
  const ana = await lib.patron({ username: 'ana' })
  await lib.contact(ana, { address: 'mum@example.org' })
  return { lib, ana }
}

describe('pre-overdue reminders', () => {
  test('once per loan and due date, one notice listing every loan due soon; a renewal earns a fresh one', async () => {
    const { lib, ana } = await givenQuietLibrary()
    const dracula = await lib.loan(ana, { dueDate: '2026-03-12', title: 'Dracula' })
    await lib.loan(ana, { dueDate: '2026-03-11', title: 'Emma' })

    const before = await nightsFrom(lib, '2026-03-08', '2026-03-12')
    await handle.db.updateTable('loans').set({ due_date: '2026-03-20' }).where('id', '=', dracula.id).execute()
    const after = await nightsFrom(lib, '2026-03-13', '2026-03-20')

    // Two days before (the default): Emma on the 9th; Dracula joins on the 10th, and Emma, still due soon, is listed again.
    expect(before).toEqual([
      '2026-03-09 pre_overdue for ana: to mum@example.org | Emma -2',
      '2026-03-10 pre_overdue for ana: to mum@example.org | Emma -1, Dracula -2',
    ])
    expect(after).toEqual(['2026-03-18 pre_overdue for ana: to mum@example.org | Dracula -2'])
  })

  test('the library’s number of days; nothing on the due date itself', async () => {
    const { lib, ana } = await givenQuietLibrary()
    await setScenario(handle.db, lib.id, 'circulation.pre_overdue', { daysBefore: 1 })
    await lib.loan(ana, { dueDate: '2026-03-12', title: 'Dracula' })

    expect(await nightsFrom(lib, '2026-03-09', '2026-03-13')).toEqual(['2026-03-11 pre_overdue for ana: to mum@example.org | Dracula -1'])
  })
})

describe('anonymised loans', () => {
  test("a purged patron's loan kept for statistics is never in a notice, and the night runs past it", async () => {
    const { lib, ana } = await givenQuietLibrary()
    await lib.loan(ana, { dueDate: '2026-03-12', title: 'Dracula' })
    const gone = await lib.patron({ username: 'gone', level: 'Year 12' })
    await lib.contact(gone, { address: 'gone@example.org' })
    const kept = await lib.loan(gone, { dueDate: '2026-03-12', title: 'Kept' })
    // Even left open, as no purge would leave it: no patron, only the date it was anonymised.
    await handle.db.updateTable('loans').set({ patron_id: null, anonymised_at: new Date() }).where('id', '=', kept.id).execute()

    expect(await nightsFrom(lib, '2026-03-09', '2026-03-10')).toEqual(['2026-03-10 pre_overdue for ana: to mum@example.org | Dracula -2'])
  })
})

describe('reservations', () => {
  test('expiring: once per pickup-by date, from the set number of days before it; expired: once', async () => {
    const { lib, ana } = await givenQuietLibrary()
    const atlas = await lib.reservation(ana, { status: 'ready', pickupBy: '2026-03-12', title: 'Atlas' })
    await lib.reservation(ana, { status: 'ready', pickupBy: '2026-03-09', title: 'Beowulf' })
    await lib.reservation(ana, { status: 'placed', title: 'Not Ready' })
    await lib.reservation(ana, { status: 'collected', pickupBy: '2026-03-09', title: 'Collected' })
    await lib.reservation(ana, { status: 'cancelled', pickupBy: '2026-03-09', title: 'Cancelled' })

    const first = await nightsFrom(lib, '2026-03-10', '2026-03-11')
    await handle.db.updateTable('reservations').set({ pickup_by: '2026-03-16' }).where('id', '=', atlas.id).execute()
    const extended = await nightsFrom(lib, '2026-03-12', '2026-03-17')

    expect(first).toEqual([
      '2026-03-10 expiring for ana: to mum@example.org | Atlas by 2026-03-12',
      '2026-03-10 expired for ana: to mum@example.org | Beowulf by 2026-03-09',
    ])
    expect(extended).toEqual([
      '2026-03-14 expiring for ana: to mum@example.org | Atlas by 2026-03-16',
      '2026-03-17 expired for ana: to mum@example.org | Atlas by 2026-03-16',
    ])
  })
})

describe('who receives a night’s notices', () => {
  test('contacts by usage, the scenario’s roles and BCC', async () => {
    const lib = await givenLibrary(testDeps(handle))
    const ana = await lib.patron({ username: 'ana' })
    await lib.contact(ana, { role: 'patron', address: 'ana@school.example', isPrimary: true, bcc: 'no' })
    await lib.contact(ana, { role: 'guardian', address: 'mum@example.org', bcc: 'yes' })
    await lib.contact(ana, { role: 'guardian', address: 'records@example.org', usage: 'none' })
    await lib.contact(ana, { role: 'other', address: 'teacher@school.example', usage: 'custom', scenarios: ['circulation.overdue'] })
    await lib.loan(ana, { dueDate: '2026-02-27', title: 'Dracula' })
    await lib.loan(ana, { dueDate: '2026-03-03', title: 'Emma' })

    await night(lib, '2026-03-02')

    expect(await emailsOut(handle.db, lib.id)).toEqual([
      'overdue for ana: to ana@school.example, bcc mum@example.org, to teacher@school.example | Dracula +3',
      'pre_overdue for ana: to ana@school.example, bcc mum@example.org | Emma -1',
    ])
  })

  test('deactivated patrons and excluded levels and groups get nothing; a patron with no contact is recorded as skipped, once', async () => {
    const lib = await givenLibrary(testDeps(handle))
    const patrons = {
      kept: await lib.patron({ username: 'kept', level: 'Year 7' }),
      left: await lib.patron({ username: 'left', enabled: false }),
      senior: await lib.patron({ username: 'senior', level: 'Year 12' }),
      staffer: await lib.patron({ username: 'staffer', groups: ['Staff'] }),
      alone: await lib.patron({ username: 'alone' }),
    }
    for (const [name, patron] of Object.entries(patrons)) {
      if (name !== 'alone') await lib.contact(patron, { address: `${name}@example.org` })
      await lib.loan(patron, { dueDate: '2026-03-01', title: `Book of ${name}` })
    }
    await lib.exclude('circulation.overdue', { levels: ['Year 12'], groups: ['Staff'] })

    const plan = await night(lib, '2026-03-02')
    await night(lib, '2026-03-03')

    expect(await emailsOut(handle.db, lib.id)).toEqual(['overdue for kept: to kept@example.org | Book of kept +1', 'overdue for alone: skipped no_contact'])
    expect(plan.ok && plan.value.summary.scenarios.find((s) => s.scenario === 'circulation.overdue')).toEqual({
      scenario: 'circulation.overdue',
      queued: 1,
      skipped: { no_contact: 1 },
      notComposed: { inactive: 1, excluded: 2 },
      alreadyPlanned: 0,
    })
    expect(plan.ok && plan.value.notices.filter((n) => n.status !== 'queued').map((n) => `${n.username} ${n.status} ${n.reason}`)).toEqual([
      'left not_composed inactive',
      'senior not_composed excluded',
      'staffer not_composed excluded',
      'alone skipped no_contact',
    ])
  })
})

describe('days in the library’s time zone', () => {
  test('a loan checked out in the evening in Auckland (the morning in UTC) was out on the Auckland date, written out', async () => {
    const { lib, ana } = await givenQuietLibrary({ timeZone: 'Pacific/Auckland' })
    await lib.loan(ana, { dueDate: '2026-03-04', title: 'Dracula', checkedOutAt: '2026-03-01T20:30:00Z' })

    await night(lib, '2026-03-02')

    const html = await handle.db.selectFrom('messages').select('html').where('library_id', '=', lib.id).executeTakeFirstOrThrow()
    expect(html.html).toContain('<li>Dracula, due Wednesday 4 March 2026, out Monday 2 March 2026</li>')
  })
})

describe('runs are safe to repeat', () => {
  async function givenBusyLibrary() {
    const lib = await givenLibrary(testDeps(handle))
    for (const name of ['ana', 'ben', 'cy']) {
      const patron = await lib.patron({ username: name })
      await lib.contact(patron, { address: `${name}.parent@example.org` })
      await lib.loan(patron, { dueDate: '2026-02-10', title: `Overdue of ${name}` })
      await lib.loan(patron, { dueDate: '2026-03-03', title: `Due soon of ${name}` })
      await lib.reservation(patron, { status: 'ready', pickupBy: '2026-03-03', title: `Reserved by ${name}` })
    }
    const dan = await lib.patron({ username: 'dan' })
    await lib.loan(dan, { dueDate: '2026-02-10', title: 'No one to tell' })
    return lib
  }

  test('the same night run again writes nothing new', async () => {
    const lib = await givenBusyLibrary()

    const first = await night(lib, '2026-03-02')
    const emails = await emailsOut(handle.db, lib.id)
    const ledger = await ledgerOf(handle.db, lib.id)
    const again = await night(lib, '2026-03-02')

    expect(emails).toHaveLength(10)
    expect(await emailsOut(handle.db, lib.id)).toEqual(emails)
    expect(await ledgerOf(handle.db, lib.id)).toEqual(ledger)
    const queued = (plan: typeof first) => (plan.ok ? plan.value.summary.scenarios.reduce((sum, s) => sum + s.queued, 0) : -1)
    expect([queued(first), queued(again)]).toEqual([9, 0])
    // The patron with no contact is planned again, and left as recorded.
    expect(again.ok && again.value.notices.map((n) => `${n.username} ${n.status}`)).toEqual(['dan already_planned'])
  })

  test('two runs of the same night at once: one plans, the other waits and finds nothing left to send', async () => {
    const lib = await givenBusyLibrary()

    const [one, other] = await Promise.all([night(lib, '2026-03-02'), night(lib, '2026-03-02')])

    expect(await emailsOut(handle.db, lib.id)).toHaveLength(10)
    const queued = [one, other].map((plan) => (plan.ok ? plan.value.summary.scenarios.reduce((sum, s) => sum + s.queued, 0) : -1))
    expect(queued.sort()).toEqual([0, 9])
    const runs = await handle.db.selectFrom('job_runs').select(['as_of', 'status']).where('library_id', '=', lib.id).execute()
    expect(runs).toEqual([
      { as_of: '2026-03-02', status: 'done' },
      { as_of: '2026-03-02', status: 'done' },
    ])
  })

  test('a dry run writes nothing, and says what would be sent, to whom, and what would be skipped and why', async () => {
    const lib = await givenBusyLibrary()

    const plan = await planNight(testDeps(handle), { libraryId: lib.id, asOf: '2026-03-02', dryRun: true, render: listingRender })

    expect(await emailsOut(handle.db, lib.id)).toEqual([])
    expect(await ledgerOf(handle.db, lib.id)).toEqual([])
    expect(await handle.db.selectFrom('job_runs').select('id').where('library_id', '=', lib.id).execute()).toEqual([])
    expect(plan.ok && plan.value.notices.filter((n) => n.username === 'ana' || n.username === 'dan')).toEqual([
      {
        scenario: 'circulation.escalation_1',
        username: 'ana',
        status: 'queued',
        reason: null,
        recipients: [{ kind: 'to', address: 'ana.parent@example.org' }],
        subject: 'escalation_1 for ana',
        loans: [{ title: 'Overdue of ana', barcode: expect.any(String), dueDate: '2026-02-10', daysOverdue: 20 }],
        reservation: null,
      },
      expect.objectContaining({ scenario: 'circulation.escalation_1', username: 'dan', status: 'skipped', reason: 'no_contact', recipients: [] }),
      expect.objectContaining({ scenario: 'circulation.pre_overdue', username: 'ana', status: 'queued', subject: 'pre_overdue for ana' }),
      expect.objectContaining({ scenario: 'reservation.expiring', username: 'ana', reservation: { title: 'Reserved by ana', pickupBy: '2026-03-03' } }),
    ])
    const real = await night(lib, '2026-03-02')
    expect(real.ok && real.value.summary.scenarios).toEqual(plan.ok && plan.value.summary.scenarios.map((s) => s))
  })
})

describe('who may run a night', () => {
  test('a viewer may preview a night, not run it', async () => {
    const lib = await givenLibrary(testDeps(handle))
    const viewer = { ref: { kind: 'slack' as const, userId: 'UVIEW' }, role: 'viewer' as const }

    const preview = await planNight(testDeps(handle), { libraryId: lib.id, asOf: '2026-03-02', dryRun: true, actor: viewer, render: listingRender })
    const run = await planNight(testDeps(handle), { libraryId: lib.id, asOf: '2026-03-02', dryRun: false, actor: viewer, render: listingRender })

    expect(preview.ok).toBe(true)
    expect(run).toEqual({ ok: false, error: { code: 'not_allowed', permission: 'sendNotices', needed: 'staff', role: 'viewer' } })
  })

  test('a night still to come may be previewed, never run: nothing goes early, and the real night is not marked done', async () => {
    const lib = await givenLibrary(testDeps(handle), { timeZone: 'Australia/Sydney' })
    const ana = await lib.patron({ username: 'ana' })
    await lib.contact(ana, { address: 'mum@example.org' })
    await lib.loan(ana, { dueDate: '2026-03-03' })
    // 15:00 UTC on 1 March is 2 am on 2 March in Sydney: the library's today is 2 March.
    const deps = { ...testDeps(handle), clock: fixedClock('2026-03-01T15:00:00Z') }

    const early = await planNight(deps, { libraryId: lib.id, asOf: '2026-04-01', dryRun: false, render: listingRender })
    const preview = await planNight(deps, { libraryId: lib.id, asOf: '2026-04-01', dryRun: true, render: listingRender })

    expect(early).toEqual({ ok: false, error: { code: 'future_night', value: '2026-04-01', today: '2026-03-02' } })
    expect(preview.ok && preview.value.notices.map((n) => n.scenario)).toEqual(['circulation.escalation_2'])
    expect(await emailsOut(handle.db, lib.id)).toEqual([])
    expect((await planNight(deps, { libraryId: lib.id, asOf: '2026-03-02', dryRun: false, render: listingRender })).ok).toBe(true)
  })

  test('a night that is not a date, or a library that does not exist, is refused', async () => {
    const deps = testDeps(handle)
    expect(await planNight(deps, { libraryId: 1, asOf: '2026-02-30', dryRun: true, render: listingRender })).toEqual({
      ok: false,
      error: { code: 'invalid_date', value: '2026-02-30' },
    })
    expect(await planNight(deps, { libraryId: 999_999, asOf: '2026-03-02', dryRun: true, render: listingRender })).toEqual({
      ok: false,
      error: { code: 'library_not_found', libraryId: 999_999 },
    })
  })
})
