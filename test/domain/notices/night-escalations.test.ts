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

/**
 * A library on the defaults: overdue notices weekly on Monday, escalations at 14, 28 and 42
 * days overdue; no pre-overdue reminders, to keep to the overdue ones.
 */
async function givenSchool() {
  const lib = await givenLibrary(testDeps(handle))
  await setScenario(handle.db, lib.id, 'circulation.pre_overdue', { enabled: false })
  const ana = await lib.patron({ username: 'ana', groups: ['Chess'] })
  await lib.contact(ana, { address: 'mum@example.org' })
  return { lib, ana }
}

/** The emails of each night from `from` to `to`, run in turn, as `date subject | text`. */
async function nightsFrom(lib: GivenLibrary, from: string, to: string): Promise<string[]> {
  const out: string[] = []
  for (let asOf = from; asOf <= to; asOf = addDays(asOf, 1)) {
    await night(lib, asOf)
    for (const email of await emailsOut(handle.db, lib.id, { asOf })) out.push(`${asOf} ${email.replace(/: to mum@example.org \|/, ' |')}`)
  }
  return out
}

describe('escalations', () => {
  test('each level once for the most overdue loan, listing every overdue loan, in place of that night’s overdue notice', async () => {
    const { lib, ana } = await givenSchool()
    await lib.loan(ana, { dueDate: '2026-02-02', title: 'Dracula' })
    await lib.loan(ana, { dueDate: '2026-02-20', title: 'Emma' })

    // Mondays: 9, 16 and 23 February, 2, 9 and 16 March; Dracula is 14 days overdue on the 16th.
    expect(await nightsFrom(lib, '2026-02-03', '2026-03-20')).toEqual([
      '2026-02-09 overdue for ana | Dracula +7',
      '2026-02-16 escalation_1 for ana | Dracula +14',
      '2026-02-23 overdue for ana | Dracula +21, Emma +3',
      '2026-03-02 escalation_2 for ana | Dracula +28, Emma +10',
      '2026-03-09 overdue for ana | Dracula +35, Emma +17',
      '2026-03-16 escalation_3 for ana | Dracula +42, Emma +24',
    ])
    // A level is recorded for each listed loan that has reached it: Emma never had (10 days at #2, 24 at #3).
    expect((await ledgerOf(handle.db, lib.id)).filter((entry) => entry.includes('escalation'))).toEqual([
      'circulation.escalation_1 Dracula',
      'circulation.escalation_2 Dracula',
      'circulation.escalation_3 Dracula',
    ])
  })

  test('a loan first seen 30 days overdue gets escalation #2 alone, never #1 after it', async () => {
    const { lib, ana } = await givenSchool()
    await lib.loan(ana, { dueDate: '2026-02-05', title: 'Dracula' })

    expect(await nightsFrom(lib, '2026-03-07', '2026-03-10')).toEqual([
      '2026-03-07 escalation_2 for ana | Dracula +30',
      '2026-03-09 overdue for ana | Dracula +32',
    ])
  })

  test('each listed loan that has reached the level records it: once the most overdue loan is returned, the next is not told the same level again', async () => {
    const { lib, ana } = await givenSchool()
    const dracula = await lib.loan(ana, { dueDate: '2026-02-01', title: 'Dracula' })
    await lib.loan(ana, { dueDate: '2026-02-01', title: 'Emma' })

    await nightsFrom(lib, '2026-03-01', '2026-03-01')
    await handle.db.updateTable('loans').set({ status: 'returned' }).where('id', '=', dracula.id).execute()

    expect(await nightsFrom(lib, '2026-03-02', '2026-03-03')).toEqual(['2026-03-02 overdue for ana | Emma +29'])
    expect(await emailsOut(handle.db, lib.id, { asOf: '2026-03-01' })).toEqual(['escalation_2 for ana: to mum@example.org | Dracula +28, Emma +28'])
  })

  test('a patron excluded from an escalation gets the overdue notice instead', async () => {
    const { lib, ana } = await givenSchool()
    await lib.exclude('circulation.escalation_1', { groups: ['Chess'] })
    await lib.loan(ana, { dueDate: '2026-02-16', title: 'Dracula' })

    expect(await nightsFrom(lib, '2026-03-02', '2026-03-02')).toEqual(['2026-03-02 overdue for ana | Dracula +14'])
  })

  test('an escalation no contact may receive: the overdue notice goes to the contact who takes it; a patron no one may hear about is recorded once', async () => {
    const { lib } = await givenSchool()
    const ben = await lib.patron({ username: 'ben' })
    await lib.contact(ben, { address: 'dad@example.org', usage: 'custom', scenarios: ['circulation.overdue'] })
    await lib.loan(ben, { dueDate: '2026-02-16', title: 'Emma' })
    const cy = await lib.patron({ username: 'cy' })
    await lib.loan(cy, { dueDate: '2026-02-16', title: 'Middlemarch' })

    await night(lib, '2026-03-02')

    expect(await emailsOut(handle.db, lib.id)).toEqual([
      'escalation_1 for ben: skipped no_contact',
      'escalation_1 for cy: skipped no_contact',
      'overdue for ben: to dad@example.org | Emma +14',
    ])
  })

  test('a level switched off is passed over: the highest level on that applies is sent', async () => {
    const { lib, ana } = await givenSchool()
    await setScenario(handle.db, lib.id, 'circulation.escalation_2', { enabled: false })
    await lib.loan(ana, { dueDate: '2026-02-01', title: 'Dracula' })

    expect(await nightsFrom(lib, '2026-03-01', '2026-03-01')).toEqual(['2026-03-01 escalation_1 for ana | Dracula +28'])
  })

  test('levels at other days: the library’s own settings', async () => {
    const { lib, ana } = await givenSchool()
    await setScenario(handle.db, lib.id, 'circulation.escalation_1', { daysOverdue: 3 })
    await setScenario(handle.db, lib.id, 'circulation.escalation_2', { daysOverdue: 5 })
    await lib.loan(ana, { dueDate: '2026-03-01', title: 'Dracula' })

    expect(await nightsFrom(lib, '2026-03-02', '2026-03-07')).toEqual([
      '2026-03-02 overdue for ana | Dracula +1',
      '2026-03-04 escalation_1 for ana | Dracula +3',
      '2026-03-06 escalation_2 for ana | Dracula +5',
    ])
  })
})

describe('loans that are not chased', () => {
  test('lost and returned loans get no overdue notice nor escalation, and are not listed', async () => {
    const { lib, ana } = await givenSchool()
    await lib.loan(ana, { dueDate: '2026-02-20', title: 'Dracula' })
    await lib.loan(ana, { dueDate: '2026-01-20', title: 'Lost Book', status: 'lost' })
    await lib.loan(ana, { dueDate: '2026-01-20', title: 'Returned Book', status: 'returned' })
    const ben = await lib.patron({ username: 'ben' })
    await lib.contact(ben, { address: 'dad@example.org' })
    await lib.loan(ben, { dueDate: '2026-01-20', title: 'Lost Too', status: 'lost' })

    expect(await nightsFrom(lib, '2026-03-02', '2026-03-02')).toEqual(['2026-03-02 overdue for ana | Dracula +10'])
  })

  test('scenarios switched off send nothing', async () => {
    const { lib, ana } = await givenSchool()
    for (const scenario of ['circulation.overdue', 'circulation.escalation_1', 'circulation.escalation_2', 'circulation.escalation_3'] as const) {
      await setScenario(handle.db, lib.id, scenario, { enabled: false })
    }
    await lib.loan(ana, { dueDate: '2026-01-20', title: 'Dracula' })

    const plan = await night(lib, '2026-03-02')

    expect(await emailsOut(handle.db, lib.id)).toEqual([])
    expect(plan.ok && plan.value.summary.disabled).toEqual([
      'circulation.pre_overdue',
      'circulation.overdue',
      'circulation.escalation_1',
      'circulation.escalation_2',
      'circulation.escalation_3',
    ])
  })
})
