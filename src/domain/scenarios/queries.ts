import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import { nightJob } from '../notices/queries.ts'
import type { ScenarioName } from './catalogue.ts'
import type { LastRun, LibrarySettings, MessageCounts } from './scenario-view.ts'

const librarySettingsColumns = [
  'time_zone as timeZone',
  'run_at as runAt',
  'bcc_by_default as bccDefault',
  'sender_name as senderName',
  'reply_to as replyTo',
  'slack_channel as slackChannel',
  'retain_deleted_patron_loans as retainDeletedPatronLoans',
] as const

// The driver returns a `time` as 'HH:MM:SS'; staff set and read minutes.
const settingsOf = (row: LibrarySettings): LibrarySettings => ({ ...row, runAt: row.runAt.slice(0, 5) })

export async function findLibrarySettings(db: Db, libraryId: number): Promise<LibrarySettings | undefined> {
  const row = await db.selectFrom('libraries').where('id', '=', libraryId).select(librarySettingsColumns).executeTakeFirst()
  return row && settingsOf(row)
}

/**
 * The library's settings, its row locked until the transaction ends: changes to the library's
 * settings, and to its escalations (whose order is checked across three rows), go one at a time.
 */
export async function lockLibrarySettings(db: Db, libraryId: number): Promise<LibrarySettings | undefined> {
  const row = await db.selectFrom('libraries').where('id', '=', libraryId).select(librarySettingsColumns).forUpdate().executeTakeFirst()
  return row && settingsOf(row)
}

export async function updateLibrarySettingsRow(db: Db, libraryId: number, settings: LibrarySettings): Promise<void> {
  await db
    .updateTable('libraries')
    .set({
      time_zone: settings.timeZone,
      run_at: settings.runAt,
      bcc_by_default: settings.bccDefault,
      sender_name: settings.senderName,
      reply_to: settings.replyTo,
      slack_channel: settings.slackChannel,
      retain_deleted_patron_loans: settings.retainDeletedPatronLoans,
    })
    .where('id', '=', libraryId)
    .execute()
}

/** A scenario's full row, every column written (a missing value would otherwise read as "none" rather than the default). */
export type ScenarioSettingsRow = {
  libraryId: number
  scenario: ScenarioName
  enabled: boolean
  daysBefore: number | null
  frequency: 'day' | 'week' | 'month' | null
  weekday: number | null
  monthDay: number | null
  daysOverdue: number | null
  updatedBy: string
  updatedAt: Date
}

export async function upsertScenarioSettings(db: Db, row: ScenarioSettingsRow): Promise<void> {
  const columns = {
    enabled: row.enabled,
    days_before: row.daysBefore,
    frequency: row.frequency,
    weekday: row.weekday,
    month_day: row.monthDay,
    days_overdue: row.daysOverdue,
    updated_by: row.updatedBy,
    updated_at: row.updatedAt,
  }
  await db
    .insertInto('scenario_settings')
    .values({ library_id: row.libraryId, scenario: row.scenario, ...columns })
    .onConflict((oc) => oc.columns(['library_id', 'scenario']).doUpdateSet(columns))
    .execute()
}

/** Academic levels or library groups of the library whose names match `names`, without regard to case. */
export async function findNamed(
  db: Db,
  input: { libraryId: number; kind: 'level' | 'group'; names: readonly string[] },
): Promise<Array<{ id: number; name: string }>> {
  if (input.names.length === 0) return []
  const table = input.kind === 'level' ? 'academic_levels' : 'library_groups'
  const keys = [...new Set(input.names.map((name) => name.toLowerCase()))]
  return db
    .selectFrom(table)
    .where('library_id', '=', input.libraryId)
    .where(sql<string>`lower(name)`, 'in', keys)
    .select(['id', 'name'])
    .orderBy('name')
    .execute()
}

/** Replaces a scenario's excluded academic levels or groups with `ids`. */
export async function replaceExclusions(db: Db, input: { libraryId: number; scenario: ScenarioName; kind: 'level' | 'group'; ids: readonly number[] }) {
  const { libraryId, scenario, ids } = input
  if (input.kind === 'level') {
    await db.deleteFrom('scenario_excluded_levels').where('library_id', '=', libraryId).where('scenario', '=', scenario).execute()
    if (ids.length > 0) {
      await db
        .insertInto('scenario_excluded_levels')
        .values(ids.map((id) => ({ library_id: libraryId, scenario, academic_level_id: id })))
        .execute()
    }
  } else {
    await db.deleteFrom('scenario_excluded_groups').where('library_id', '=', libraryId).where('scenario', '=', scenario).execute()
    if (ids.length > 0) {
      await db
        .insertInto('scenario_excluded_groups')
        .values(ids.map((id) => ({ library_id: libraryId, scenario, group_id: id })))
        .execute()
    }
  }
}

/** The names of the library's academic levels and of its groups, for a form to offer. */
export async function listExclusionChoices(db: Db, libraryId: number): Promise<{ academicLevels: string[]; groups: string[] }> {
  const rows = await sql<{ kind: 'level' | 'group'; name: string }>`
    select 'level' as kind, name from academic_levels where library_id = ${libraryId}
    union all
    select 'group' as kind, name from library_groups where library_id = ${libraryId}`.execute(db)
  const named = (kind: 'level' | 'group') => rows.rows.filter((row) => row.kind === kind).map((row) => row.name)
  return { academicLevels: named('level'), groups: named('group') }
}

/** The scenarios whose template the library has edited. */
export async function findCustomTemplates(db: Db, libraryId: number): Promise<Set<string>> {
  const rows = await db.selectFrom('templates').where('library_id', '=', libraryId).select('scenario').execute()
  return new Set(rows.map((row) => row.scenario))
}

export async function findLastNightlyRun(db: Db, libraryId: number): Promise<LastRun | undefined> {
  return db
    .selectFrom('job_runs')
    .where('library_id', '=', libraryId)
    .where('job', '=', nightJob)
    .select(['as_of as asOf', 'status', 'started_at as startedAt', 'finished_at as finishedAt'])
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/**
 * What each scenario sent lately, by status, in one pass over the library's messages: the
 * nightly scenarios' messages planned for the latest run's date, the events' planned since
 * `since`.
 */
export async function countRecentMessages(
  db: Db,
  input: { libraryId: number; nightly: readonly ScenarioName[]; lastRunAsOf: string | null; events: readonly ScenarioName[]; since: Date },
): Promise<Map<string, MessageCounts>> {
  const { libraryId, nightly, lastRunAsOf, events, since } = input
  const rows = await db
    .selectFrom('messages')
    .where('library_id', '=', libraryId)
    .where((eb) =>
      eb.or([
        ...(lastRunAsOf !== null && nightly.length > 0 ? [eb.and([eb('scenario', 'in', nightly), eb('as_of', '=', lastRunAsOf)])] : []),
        ...(events.length > 0 ? [eb.and([eb('scenario', 'in', events), eb('planned_at', '>=', since)])] : []),
      ]),
    )
    .groupBy(['scenario', 'status'])
    .select(['scenario', 'status', (eb) => eb.fn.countAll<string>().as('count')])
    .execute()
  const counts = new Map<string, MessageCounts>()
  for (const row of rows) {
    const current = counts.get(row.scenario) ?? { sent: 0, queued: 0, skipped: 0, failed: 0 }
    // A message being sent right now is still waiting to go, as far as staff can tell.
    const key = row.status === 'sending' ? 'queued' : row.status
    current[key] += Number(row.count)
    counts.set(row.scenario, current)
  }
  return counts
}
