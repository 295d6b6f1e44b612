import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { scenarioNames } from '../../../src/domain/scenarios/catalogue.ts'
import { listScenarios } from '../../../src/domain/scenarios/list-scenarios.ts'
import type { ScenarioChanges } from '../../../src/domain/scenarios/scenario-changes.ts'
import { loadScenarioSettings } from '../../../src/domain/scenarios/settings.ts'
import { showScenario } from '../../../src/domain/scenarios/show-scenario.ts'
import { updateScenario } from '../../../src/domain/scenarios/update-scenario.ts'
import { givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { givenLevelsAndGroups, givenMessages, givenNightlyRun } from '../../support/notice-settings.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const admin = staffActor('admin', 'slack:UADMIN')

async function scenarioRow(libraryId: number, scenario: string) {
  return handle.db
    .selectFrom('scenario_settings')
    .where('library_id', '=', libraryId)
    .where('scenario', '=', scenario)
    .select(['enabled', 'days_before', 'frequency', 'weekday', 'month_day', 'days_overdue', 'updated_by'])
    .executeTakeFirst()
}

async function settingsOf(libraryId: number, scenario: string) {
  return (await loadScenarioSettings(handle.db, libraryId)).find((s) => s.scenario === scenario)!
}

describe('listing the scenarios', () => {
  test('a new library runs every scenario on its defaults, each with the default template and nothing sent yet; a viewer may look', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)

    const listed = await listScenarios(deps, { libraryId: lib.id, actor: staffActor('viewer') })

    if (!listed.ok) throw new Error(listed.error.code)
    const { scenarios, lastRun, settings } = listed.value
    expect(scenarios.map((s) => s.scenario)).toEqual(scenarioNames)
    expect(scenarios.every((s) => s.settings.enabled && s.template === 'default')).toBe(true)
    expect(scenarios.map((s) => s.recent)).toEqual(scenarioNames.map(() => ({ sent: 0, queued: 0, skipped: 0, failed: 0 })))
    expect(lastRun).toBeNull()
    expect(settings.runAt).toBe('02:00')
    expect(scenarios.find((s) => s.scenario === 'circulation.overdue')).toMatchObject({
      group: 'circulation',
      trigger: 'nightly',
      applies: ['frequency'],
      settings: { frequency: { every: 'week', weekday: 1 }, excludeAcademicLevels: [], excludeGroups: [] },
    })
    expect(scenarios.find((s) => s.scenario === 'acquisitions.order')).toMatchObject({ group: 'acquisitions', hasExclusions: false })
  })

  test('what each scenario sent: nightly ones in the latest run, events in the last 24 hours', async () => {
    const deps = testDeps(handle) // now: 2026-03-10T09:00:00Z
    const lib = await givenLibrary(deps)
    const libraryId = lib.id
    await givenNightlyRun(handle.db, { libraryId, asOf: '2026-03-09', startedAt: '2026-03-08T15:00:00Z' })
    await givenNightlyRun(handle.db, { libraryId, asOf: '2026-03-10', startedAt: '2026-03-09T15:00:00Z' })
    await givenMessages(handle.db, { libraryId, scenario: 'circulation.overdue', status: 'sent', count: 3, asOf: '2026-03-10' })
    await givenMessages(handle.db, { libraryId, scenario: 'circulation.overdue', status: 'sending', asOf: '2026-03-10' })
    await givenMessages(handle.db, { libraryId, scenario: 'circulation.overdue', status: 'skipped', count: 2, asOf: '2026-03-10' })
    await givenMessages(handle.db, { libraryId, scenario: 'circulation.overdue', status: 'sent', count: 5, asOf: '2026-03-09' })
    await givenMessages(handle.db, { libraryId, scenario: 'lending.loan_receipt', status: 'sent', count: 2, plannedAt: '2026-03-09T09:30:00Z' })
    await givenMessages(handle.db, { libraryId, scenario: 'lending.loan_receipt', status: 'failed', plannedAt: '2026-03-10T08:00:00Z' })
    await givenMessages(handle.db, { libraryId, scenario: 'lending.loan_receipt', status: 'sent', plannedAt: '2026-03-09T08:59:00Z' })
    const other = await givenLibrary(deps)
    await givenMessages(handle.db, { libraryId: other.id, scenario: 'circulation.overdue', status: 'sent', asOf: '2026-03-10' })

    const listed = await listScenarios(deps, { libraryId, actor: admin })

    if (!listed.ok) throw new Error(listed.error.code)
    const recent = (name: string) => listed.value.scenarios.find((s) => s.scenario === name)!.recent
    expect(listed.value.lastRun).toMatchObject({ asOf: '2026-03-10', status: 'done' })
    expect(recent('circulation.overdue')).toEqual({ sent: 3, queued: 1, skipped: 2, failed: 0 })
    expect(recent('lending.loan_receipt')).toEqual({ sent: 2, queued: 0, skipped: 0, failed: 1 })
    expect(recent('circulation.pre_overdue')).toEqual({ sent: 0, queued: 0, skipped: 0, failed: 0 })
  })

  test('a scenario whose template the library edited says custom', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    await handle.db
      .insertInto('templates')
      .values({ library_id: lib.id, scenario: 'reservation.ready', subject: 'Ready', html: '<p>Ready</p>', text: 'Ready', updated_by: 'slack:UADMIN' })
      .execute()

    const listed = await listScenarios(deps, { libraryId: lib.id, actor: admin })

    expect(listed.ok && listed.value.scenarios.filter((s) => s.template === 'custom').map((s) => s.scenario)).toEqual(['reservation.ready'])
  })
})

describe('changing a scenario', () => {
  test('an admin sets pre-overdue to 3 days: the whole row is written with the defaults, and audited with before and after', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)

    const updated = await updateScenario(deps, { libraryId: lib.id, scenario: 'circulation.pre_overdue', changes: { daysBefore: 3 }, actor: admin })

    expect(updated.ok && updated.value.settings).toMatchObject({ enabled: true, daysBefore: 3 })
    expect(await scenarioRow(lib.id, 'circulation.pre_overdue')).toEqual({
      enabled: true,
      days_before: 3,
      frequency: null,
      weekday: null,
      month_day: null,
      days_overdue: null,
      updated_by: 'slack:UADMIN',
    })
    const [entry] = await lib.auditActions()
    expect(entry).toMatchObject({
      action: 'scenario.updated',
      actor: 'slack:UADMIN',
      before: { enabled: true, daysBefore: 2, frequency: null, daysOverdue: null, excludeAcademicLevels: [], excludeGroups: [] },
      after: { enabled: true, daysBefore: 3, frequency: null, daysOverdue: null, excludeAcademicLevels: [], excludeGroups: [] },
    })
  })

  test('switching a scenario off keeps its schedule', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)

    await updateScenario(deps, { libraryId: lib.id, scenario: 'circulation.overdue', changes: { enabled: false }, actor: admin })

    expect(await settingsOf(lib.id, 'circulation.overdue')).toMatchObject({ enabled: false, frequency: { every: 'week', weekday: 1 } })
    expect(await scenarioRow(lib.id, 'circulation.overdue')).toMatchObject({ enabled: false, frequency: 'week', weekday: 1, month_day: null })
  })

  test.each<[string, ScenarioChanges]>([
    ['daily', { frequency: { every: 'day' } }],
    ['weekly on Sunday', { frequency: { every: 'week', weekday: 7 } }],
    ['monthly on the last day', { frequency: { every: 'month', day: 31 } }],
    ['monthly on the 1st', { frequency: { every: 'month', day: 1 } }],
  ])('the overdue notice goes %s', async (_, changes) => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)

    const updated = await updateScenario(deps, { libraryId: lib.id, scenario: 'circulation.overdue', changes, actor: admin })

    expect(updated.ok).toBe(true)
    expect((await settingsOf(lib.id, 'circulation.overdue')).frequency).toEqual(changes.frequency)
  })

  test.each<[string, string, ScenarioChanges, string, string]>([
    ['pre-overdue 0 days before', 'circulation.pre_overdue', { daysBefore: 0 }, 'daysBefore', 'Days before must be a whole number from 1 to 7'],
    ['pre-overdue 8 days before', 'circulation.pre_overdue', { daysBefore: 8 }, 'daysBefore', 'Days before must be a whole number from 1 to 7'],
    ['pre-overdue 2.5 days before', 'circulation.pre_overdue', { daysBefore: 2.5 }, 'daysBefore', 'Days before must be a whole number from 1 to 7'],
    ['expiring 9 days before', 'reservation.expiring', { daysBefore: 9 }, 'daysBefore', 'Days before must be a whole number from 1 to 7'],
    ['weekly on day 8', 'circulation.overdue', { frequency: { every: 'week', weekday: 8 } }, 'frequency.weekday', 'from 1 (Monday) to 7 (Sunday)'],
    ['weekly on day 0', 'circulation.overdue', { frequency: { every: 'week', weekday: 0 } }, 'frequency.weekday', 'from 1 (Monday) to 7 (Sunday)'],
    ['monthly on the 32nd', 'circulation.overdue', { frequency: { every: 'month', day: 32 } }, 'frequency.day', 'from 1 to 31 (31: the last day'],
    ['monthly on day 0', 'circulation.overdue', { frequency: { every: 'month', day: 0 } }, 'frequency.day', 'from 1 to 31'],
    ['every fortnight', 'circulation.overdue', { frequency: { every: 'fortnight' } as never }, 'frequency', 'every day, every week or every month'],
    ['escalation at 0 days', 'circulation.escalation_1', { daysOverdue: 0 }, 'daysOverdue', 'Days overdue must be a whole number from 1 to 365'],
    ['escalation at 366 days', 'circulation.escalation_3', { daysOverdue: 366 }, 'daysOverdue', 'Days overdue must be a whole number from 1 to 365'],
    ['days before on the overdue notice', 'circulation.overdue', { daysBefore: 2 }, 'daysBefore', 'Days before does not apply to Overdue notice'],
    ['a frequency on pre-overdue', 'circulation.pre_overdue', { frequency: { every: 'day' } }, 'frequency', 'Frequency does not apply to Pre-overdue notice'],
    ['days overdue on a recall', 'circulation.recall', { daysOverdue: 3 }, 'daysOverdue', 'Days overdue does not apply to Recall'],
    ['days before on expired reservations', 'reservation.expired', { daysBefore: 1 }, 'daysBefore', 'Days before does not apply to Reservation expired'],
    ['excluded levels on purchase orders', 'acquisitions.order', { excludeAcademicLevels: [] }, 'excludeAcademicLevels', 'goes to suppliers'],
    ['excluded groups on purchase orders', 'acquisitions.order', { excludeGroups: ['Staff'] }, 'excludeGroups', 'goes to suppliers'],
  ])('%s is refused on its field, and nothing is written', async (_, scenario, changes, field, message) => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)

    const refused = await updateScenario(deps, { libraryId: lib.id, scenario, changes: { enabled: false, ...changes }, actor: admin })

    expect(refused).toEqual({
      ok: false,
      error: { code: 'invalid_scenario_settings', scenario, problems: [{ field, message: expect.stringContaining(message) }] },
    })
    expect(await scenarioRow(lib.id, scenario)).toBeUndefined()
    expect(await lib.auditActions()).toEqual([])
  })

  test('an unknown scenario is named, and staff may not change scenarios', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)

    expect(await updateScenario(deps, { libraryId: lib.id, scenario: 'circulation.fines', changes: {}, actor: admin })).toEqual({
      ok: false,
      error: { code: 'scenario_not_found', scenario: 'circulation.fines' },
    })
    expect(await updateScenario(deps, { libraryId: lib.id, scenario: 'circulation.overdue', changes: { enabled: false }, actor: staffActor('staff') })).toEqual(
      {
        ok: false,
        error: { code: 'not_allowed', permission: 'changeNoticeSettings', needed: 'admin', role: 'staff' },
      },
    )
    expect(await scenarioRow(lib.id, 'circulation.overdue')).toBeUndefined()
  })
})

describe('the escalations stay strictly increasing, #1 < #2 < #3', () => {
  const escalate = async (libraryId: number, level: 1 | 2 | 3, daysOverdue: number) =>
    updateScenario(testDeps(handle), { libraryId, scenario: `circulation.escalation_${level}`, changes: { daysOverdue }, actor: admin })
  const refusal = (result: Awaited<ReturnType<typeof escalate>>) =>
    result.ok ? undefined : result.error.code === 'invalid_scenario_settings' && result.error.problems

  test('a level on the same day as the one below it, or past the one above it, is refused, naming that level', async () => {
    const lib = await givenLibrary(testDeps(handle)) // defaults: 14, 28, 42

    expect(refusal(await escalate(lib.id, 2, 14))).toEqual([
      { field: 'daysOverdue', message: 'Escalation #2 comes after escalation #1, which is at 14 days overdue: give more than 14 days' },
    ])
    expect(refusal(await escalate(lib.id, 2, 42))).toEqual([
      { field: 'daysOverdue', message: 'Escalation #2 comes before escalation #3, which is at 42 days overdue: give fewer than 42 days' },
    ])
    expect(refusal(await escalate(lib.id, 1, 50))).toEqual([
      { field: 'daysOverdue', message: 'Escalation #1 comes before escalation #2, which is at 28 days overdue: give fewer than 28 days' },
    ])
    expect(refusal(await escalate(lib.id, 3, 10))).toEqual([
      { field: 'daysOverdue', message: 'Escalation #3 comes after escalation #2, which is at 28 days overdue: give more than 28 days' },
    ])
  })

  test("each level is checked against the others' values as the library runs them, saved or default", async () => {
    const lib = await givenLibrary(testDeps(handle))

    expect((await escalate(lib.id, 2, 20)).ok).toBe(true)
    expect(refusal(await escalate(lib.id, 1, 21))).toEqual([expect.objectContaining({ message: expect.stringContaining('at 20 days overdue') })])
    expect((await escalate(lib.id, 1, 7)).ok).toBe(true)
    expect((await escalate(lib.id, 3, 21)).ok).toBe(true)

    const days = (await loadScenarioSettings(handle.db, lib.id)).filter((s) => s.scenario.startsWith('circulation.escalation')).map((s) => s.daysOverdue)
    expect(days).toEqual([7, 20, 21])
  })
})

describe('exclusions, by name', () => {
  test('academic levels and groups are matched without regard to case, and kept by their own names', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    await givenLevelsAndGroups(handle.db, lib.id, { levels: ['Year 7', 'Year 12'], groups: ['Staff', 'Chess club'] })

    const updated = await updateScenario(deps, {
      libraryId: lib.id,
      scenario: 'circulation.overdue',
      changes: { excludeAcademicLevels: ['year 12', 'YEAR 12', ' Year 7 '], excludeGroups: ['staff'] },
      actor: admin,
    })

    expect(updated.ok && updated.value.settings).toMatchObject({ excludeAcademicLevels: ['Year 12', 'Year 7'], excludeGroups: ['Staff'] })
    expect(await settingsOf(lib.id, 'circulation.overdue')).toMatchObject({ excludeAcademicLevels: ['Year 12', 'Year 7'], excludeGroups: ['Staff'] })
    expect(await settingsOf(lib.id, 'circulation.escalation_1')).toMatchObject({ excludeAcademicLevels: [], excludeGroups: [] })
  })

  test('names the library does not have are refused, each named, and the exclusions stay as they were', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    await givenLevelsAndGroups(handle.db, lib.id, { levels: ['Year 7'], groups: ['Staff'] })
    await updateScenario(deps, { libraryId: lib.id, scenario: 'reservation.ready', changes: { excludeGroups: ['Staff'] }, actor: admin })

    const refused = await updateScenario(deps, {
      libraryId: lib.id,
      scenario: 'reservation.ready',
      changes: { excludeAcademicLevels: ['Year 7', 'Year 13', 'Kindy'], excludeGroups: ['Staff', 'Robotics'] },
      actor: admin,
    })

    expect(refused).toEqual({
      ok: false,
      error: {
        code: 'invalid_scenario_settings',
        scenario: 'reservation.ready',
        problems: [
          { field: 'excludeAcademicLevels', message: 'No academic levels "Year 13", "Kindy" in this library' },
          { field: 'excludeGroups', message: 'No library group "Robotics" in this library' },
        ],
      },
    })
    expect(await settingsOf(lib.id, 'reservation.ready')).toMatchObject({ excludeAcademicLevels: [], excludeGroups: ['Staff'] })
  })

  test("another library's levels are not this library's", async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const other = await givenLibrary(deps)
    await givenLevelsAndGroups(handle.db, other.id, { levels: ['Year 7'] })

    const refused = await updateScenario(deps, {
      libraryId: lib.id,
      scenario: 'circulation.overdue',
      changes: { excludeAcademicLevels: ['Year 7'] },
      actor: admin,
    })

    expect(refused.ok).toBe(false)
  })

  test('an empty list takes the exclusions away; leaving the list out keeps them', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    await givenLevelsAndGroups(handle.db, lib.id, { levels: ['Year 7'], groups: ['Staff'] })
    const scenario = 'circulation.pre_overdue'
    await updateScenario(deps, { libraryId: lib.id, scenario, changes: { excludeAcademicLevels: ['Year 7'], excludeGroups: ['Staff'] }, actor: admin })

    await updateScenario(deps, { libraryId: lib.id, scenario, changes: { excludeGroups: [], daysBefore: 1 }, actor: admin })

    expect(await settingsOf(lib.id, scenario)).toMatchObject({ daysBefore: 1, excludeAcademicLevels: ['Year 7'], excludeGroups: [] })
  })

  test("one scenario's form offers the library's levels in school order, its groups, and the escalations' days", async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    await givenLevelsAndGroups(handle.db, lib.id, { levels: ['Year 10', 'Year 9', 'Kindergarten'], groups: ['Staff', 'Chess club'] })

    const shown = await showScenario(deps, { libraryId: lib.id, scenario: 'circulation.escalation_2', actor: staffActor('viewer') })

    expect(shown.ok && shown.value).toMatchObject({
      scenario: { scenario: 'circulation.escalation_2', settings: { daysOverdue: 28 } },
      escalationDays: [14, 28, 42],
      academicLevels: ['Kindergarten', 'Year 9', 'Year 10'],
      groups: ['Chess club', 'Staff'],
    })
    expect(await showScenario(deps, { libraryId: lib.id, scenario: 'nope', actor: admin })).toEqual({
      ok: false,
      error: { code: 'scenario_not_found', scenario: 'nope' },
    })
  })
})
