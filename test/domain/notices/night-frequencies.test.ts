import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { addDays } from '../../../src/domain/calendar.ts'
import { overduePeriod } from '../../../src/domain/notices/calendar.ts'
import { planNight } from '../../../src/domain/notices/plan-night.ts'
import type { Frequency } from '../../../src/domain/scenarios/settings.ts'
import { fixedClock, type GivenLibrary, givenLibrary, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { emailsOut, listingRender, setScenario } from '../../support/nights.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

// Each night runs on its own day: a night still to come may only be previewed.
const night = (lib: GivenLibrary, asOf: string) =>
  planNight({ ...testDeps(handle), clock: fixedClock(`${asOf}T12:00:00Z`) }, { libraryId: lib.id, asOf, dryRun: false, render: listingRender })

/** A library that sends overdue notices on `frequency` alone (no escalations, no reminders), and a pupil whose guardian reads them. */
async function givenOverdueLibrary(frequency: Frequency) {
  const lib = await givenLibrary(testDeps(handle))
  await setScenario(handle.db, lib.id, 'circulation.overdue', { frequency })
  for (const scenario of ['circulation.escalation_1', 'circulation.escalation_2', 'circulation.escalation_3', 'circulation.pre_overdue'] as const) {
    await setScenario(handle.db, lib.id, scenario, { enabled: false })
  }
  const ana = await lib.patron({ username: 'ana' })
  await lib.contact(ana, { address: 'mum@example.org' })
  return { lib, ana }
}

const daily: Frequency = { every: 'day' }
const mondays: Frequency = { every: 'week', weekday: 1 }
const fridays: Frequency = { every: 'week', weekday: 5 }
const monthly = (day: number): Frequency => ({ every: 'month', day })

describe('overdue notices go on the chosen frequency, and a missed scheduled night is caught up', () => {
  test.each([
    ['daily, the day after the due date', daily, '2026-03-09', '2026-03-10', 'Dracula +1'],
    ['daily, on the due date itself (not yet overdue)', daily, '2026-03-10', '2026-03-10', null],
    ['weekly on Monday, on a Monday', mondays, '2026-03-01', '2026-03-02', 'Dracula +1'],
    ['weekly on Monday, overdue since Tuesday: waits for next Monday', mondays, '2026-03-02', '2026-03-03', null],
    ["weekly on Monday, on Wednesday after Monday's night did not run", mondays, '2026-03-01', '2026-03-04', 'Dracula +3'],
    ['weekly on Friday, on a Friday', fridays, '2026-03-05', '2026-03-06', 'Dracula +1'],
    ['monthly on the 31st, on 28 February', monthly(31), '2026-02-10', '2026-02-28', 'Dracula +18'],
    ['monthly on the 31st, on 27 February (last run 31 January)', monthly(31), '2026-02-10', '2026-02-27', null],
    ['monthly on the 31st in a leap year, on 28 February', monthly(31), '2028-02-10', '2028-02-28', null],
    ['monthly on the 31st in a leap year, on 29 February', monthly(31), '2028-02-10', '2028-02-29', 'Dracula +19'],
    ['monthly on the 30th, in February', monthly(30), '2026-02-10', '2026-02-28', 'Dracula +18'],
    ['monthly on the 31st, in a 30-day month, on the 30th', monthly(31), '2026-04-10', '2026-04-30', 'Dracula +20'],
    ['monthly on the 31st, in a 30-day month, on the 29th', monthly(31), '2026-04-10', '2026-04-29', null],
    ['monthly on the 15th, on the 20th after the 15th did not run', monthly(15), '2026-03-01', '2026-03-20', 'Dracula +19'],
  ])('%s', async (_, frequency, dueDate, asOf, listed) => {
    const { lib, ana } = await givenOverdueLibrary(frequency)
    await lib.loan(ana, { dueDate, title: 'Dracula' })

    expect((await night(lib, asOf)).ok).toBe(true)

    expect(await emailsOut(handle.db, lib.id)).toEqual(listed === null ? [] : [`overdue for ana: to mum@example.org | ${listed}`])
  })

  test('weekly on Monday, run every night for two weeks: one notice each Monday, listing every overdue loan', async () => {
    const { lib, ana } = await givenOverdueLibrary(mondays)
    await lib.loan(ana, { dueDate: '2026-02-27', title: 'Dracula' })
    await lib.loan(ana, { dueDate: '2026-03-04', title: 'Emma' })

    for (let asOf = '2026-03-01'; asOf <= '2026-03-15'; asOf = addDays(asOf, 1)) await night(lib, asOf)

    expect(await emailsOut(handle.db, lib.id, { asOf: '2026-03-02' })).toEqual(['overdue for ana: to mum@example.org | Dracula +3'])
    expect(await emailsOut(handle.db, lib.id, { asOf: '2026-03-09' })).toEqual(['overdue for ana: to mum@example.org | Dracula +10, Emma +5'])
    expect(await emailsOut(handle.db, lib.id)).toHaveLength(2)
  })

  test('daily, after four nights that did not run: one notice on the next night, not one for each missed night', async () => {
    const { lib, ana } = await givenOverdueLibrary(daily)
    await lib.loan(ana, { dueDate: '2026-03-01', title: 'Dracula' })

    await night(lib, '2026-03-06')

    expect(await emailsOut(handle.db, lib.id)).toEqual(['overdue for ana: to mum@example.org | Dracula +5'])
  })
})

describe('the period of an overdue notice', () => {
  test.each([
    [daily, '2026-03-10', '2026-03-10'],
    [mondays, '2026-03-09', '2026-03-09'],
    [mondays, '2026-03-15', '2026-03-09'],
    [{ every: 'week', weekday: 7 } as Frequency, '2026-03-14', '2026-03-08'],
    [monthly(1), '2026-01-01', '2026-01-01'],
    [monthly(31), '2026-01-15', '2025-12-31'],
    [monthly(31), '2026-03-05', '2026-02-28'],
    [monthly(31), '2024-03-05', '2024-02-29'],
    [monthly(29), '2026-02-28', '2026-02-28'],
    [monthly(29), '2026-03-28', '2026-02-28'],
    [monthly(30), '2026-05-29', '2026-04-30'],
    [monthly(31), '2026-12-31', '2026-12-31'],
  ])('%o on %s is %s', (frequency, asOf, period) => {
    expect(overduePeriod(frequency, asOf)).toBe(period)
  })
})
