import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import { type ScenarioName, scenarioCatalogue } from './catalogue.ts'

/** How often overdue notices go (seed 002): daily; weekly on a weekday (1 = Monday); monthly on a day (31 = the last). */
export type Frequency = { every: 'day' } | { every: 'week'; weekday: number } | { every: 'month'; day: number }

/** One scenario as the library runs it: its own settings, or the defaults where it has none. */
export type ScenarioSettings = {
  scenario: ScenarioName
  enabled: boolean
  /** Pre-overdue: days before the due date (1-7); reservation expiring: days before pickup-by (1-7). */
  daysBefore: number | null
  /** Overdue notices. */
  frequency: Frequency | null
  /** Escalations: days overdue (strictly increasing from #1 to #3). */
  daysOverdue: number | null
  /** Academic levels and library groups it excludes, by name. */
  excludeAcademicLevels: string[]
  excludeGroups: string[]
}

/**
 * What a new library runs: every scenario on (nothing is sent until the library system feeds
 * loans), pre-overdue two days before (the seed advises 1 to 3), overdue weekly on Monday,
 * escalations at 14, 28 and 42 days, reservations two days before their pickup-by date.
 */
export const defaultScenarioSettings: Record<ScenarioName, Omit<ScenarioSettings, 'scenario' | 'excludeAcademicLevels' | 'excludeGroups'>> = {
  'circulation.pre_overdue': { enabled: true, daysBefore: 2, frequency: null, daysOverdue: null },
  'circulation.overdue': { enabled: true, daysBefore: null, frequency: { every: 'week', weekday: 1 }, daysOverdue: null },
  'circulation.escalation_1': { enabled: true, daysBefore: null, frequency: null, daysOverdue: 14 },
  'circulation.escalation_2': { enabled: true, daysBefore: null, frequency: null, daysOverdue: 28 },
  'circulation.escalation_3': { enabled: true, daysBefore: null, frequency: null, daysOverdue: 42 },
  'circulation.recall': { enabled: true, daysBefore: null, frequency: null, daysOverdue: null },
  'reservation.requested': { enabled: true, daysBefore: null, frequency: null, daysOverdue: null },
  'reservation.ready': { enabled: true, daysBefore: null, frequency: null, daysOverdue: null },
  'reservation.expiring': { enabled: true, daysBefore: 2, frequency: null, daysOverdue: null },
  'reservation.expired': { enabled: true, daysBefore: null, frequency: null, daysOverdue: null },
  'reservation.cancelled': { enabled: true, daysBefore: null, frequency: null, daysOverdue: null },
  'lending.loan_receipt': { enabled: true, daysBefore: null, frequency: null, daysOverdue: null },
  'account.password_reset': { enabled: true, daysBefore: null, frequency: null, daysOverdue: null },
  'acquisitions.order': { enabled: true, daysBefore: null, frequency: null, daysOverdue: null },
}

/** Every scenario of the library as it runs them, in catalogue order. */
export async function loadScenarioSettings(db: Db, libraryId: number): Promise<ScenarioSettings[]> {
  const rows = await db.selectFrom('scenario_settings').selectAll().where('library_id', '=', libraryId).execute()
  const exclusions = await sql<{ scenario: string; kind: 'level' | 'group'; name: string }>`
    select e.scenario, 'level' as kind, l.name from scenario_excluded_levels e join academic_levels l on l.id = e.academic_level_id
     where e.library_id = ${libraryId}
    union all
    select e.scenario, 'group' as kind, g.name from scenario_excluded_groups e join library_groups g on g.id = e.group_id
     where e.library_id = ${libraryId}
    order by 1, 2, 3`.execute(db)
  return scenarioCatalogue.map(({ name }) => {
    const row = rows.find((r) => r.scenario === name)
    const excluded = (kind: 'level' | 'group') => exclusions.rows.filter((e) => e.scenario === name && e.kind === kind).map((e) => e.name)
    const defaults = defaultScenarioSettings[name]
    return {
      scenario: name,
      enabled: row?.enabled ?? defaults.enabled,
      daysBefore: row ? row.days_before : defaults.daysBefore,
      frequency: row ? frequencyOf(row) : defaults.frequency,
      daysOverdue: row ? row.days_overdue : defaults.daysOverdue,
      excludeAcademicLevels: excluded('level'),
      excludeGroups: excluded('group'),
    }
  })
}

function frequencyOf(row: { frequency: 'day' | 'week' | 'month' | null; weekday: number | null; month_day: number | null }): Frequency | null {
  if (row.frequency === 'day') return { every: 'day' }
  if (row.frequency === 'week' && row.weekday !== null) return { every: 'week', weekday: row.weekday }
  if (row.frequency === 'month' && row.month_day !== null) return { every: 'month', day: row.month_day }
  return null
}
