import type { Db } from '../../src/db/database.ts'
import type { MessageStatus } from '../../src/db/schema.ts'
import { nightJob } from '../../src/domain/notices/queries.ts'
import type { ScenarioName } from '../../src/domain/scenarios/catalogue.ts'

let counter = 0

/** The library's academic levels and library groups, as an import would have created them. */
export async function givenLevelsAndGroups(db: Db, libraryId: number, input: { levels?: string[]; groups?: string[] }): Promise<void> {
  if (input.levels?.length)
    await db
      .insertInto('academic_levels')
      .values(input.levels.map((name) => ({ library_id: libraryId, name })))
      .execute()
  if (input.groups?.length)
    await db
      .insertInto('library_groups')
      .values(input.groups.map((name) => ({ library_id: libraryId, name })))
      .execute()
}

/** A nightly run of the library, for a date. */
export async function givenNightlyRun(db: Db, input: { libraryId: number; asOf: string; startedAt: string; status?: 'running' | 'done' | 'failed' }) {
  await db
    .insertInto('job_runs')
    .values({
      library_id: input.libraryId,
      job: nightJob,
      as_of: input.asOf,
      started_at: new Date(input.startedAt),
      status: input.status ?? 'done',
      summary: null,
    })
    .execute()
}

/** Messages of a scenario in the outbox and email log, in one state. */
export async function givenMessages(
  db: Db,
  input: { libraryId: number; scenario: ScenarioName; status: MessageStatus; count?: number; asOf?: string | null; plannedAt?: string },
): Promise<void> {
  const rows = Array.from({ length: input.count ?? 1 }, () => ({
    library_id: input.libraryId,
    scenario: input.scenario,
    dedupe_key: `test-${process.pid}-${++counter}`,
    subject: 'A notice',
    html: '<p>A notice</p>',
    text: 'A notice',
    status: input.status,
    reason: input.status === 'skipped' ? 'no_contact' : null,
    as_of: input.asOf ?? null,
    planned_at: new Date(input.plannedAt ?? '2026-03-10T08:00:00Z'),
  }))
  await db.insertInto('messages').values(rows).execute()
}
