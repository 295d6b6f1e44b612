import type { AppDeps } from '../deps.ts'
import { recordAudit } from '../audit/record-audit.ts'
import { err, ok, type Result } from '../result.ts'

export type LibraryError =
  | { code: 'invalid_time_zone'; timeZone: string }
  | { code: 'slack_team_taken'; slackTeamId: string }
  | { code: 'invalid_name' }

export type LibrarySummary = { id: number; name: string; slackTeamId: string | null; timeZone: string }

/** Whether `timeZone` is an IANA zone this runtime knows (`Europe/London`, `Australia/Sydney`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone })
    return timeZone.includes('/') || timeZone === 'UTC'
  } catch {
    return false
  }
}

/** Adds a library (a school), mapped from its Slack workspace. */
export async function addLibrary(
  deps: Pick<AppDeps, 'db'>,
  input: { name: string; slackTeamId: string | null; timeZone: string; actor: string },
): Promise<Result<LibrarySummary, LibraryError>> {
  const name = input.name.trim()
  if (name === '') return err({ code: 'invalid_name' })
  if (!isTimeZone(input.timeZone)) return err({ code: 'invalid_time_zone', timeZone: input.timeZone })
  return deps.db.transaction().execute(async (tx) => {
    if (input.slackTeamId !== null) {
      const taken = await tx.selectFrom('libraries').where('slack_team_id', '=', input.slackTeamId).select('id').executeTakeFirst()
      if (taken) return err({ code: 'slack_team_taken', slackTeamId: input.slackTeamId } as const)
    }
    const library = await tx
      .insertInto('libraries')
      .values({ name, slack_team_id: input.slackTeamId, time_zone: input.timeZone })
      .returning(['id', 'name', 'slack_team_id as slackTeamId', 'time_zone as timeZone'])
      .executeTakeFirstOrThrow()
    await recordAudit(tx, { libraryId: library.id, actor: input.actor, action: 'library.added', subjectType: 'library', subjectId: library.id, after: library })
    return ok(library)
  })
}

export async function listLibraries(deps: Pick<AppDeps, 'db'>): Promise<LibrarySummary[]> {
  return deps.db
    .selectFrom('libraries')
    .select(['id', 'name', 'slack_team_id as slackTeamId', 'time_zone as timeZone'])
    .orderBy('id')
    .execute()
}

/** The library a Slack workspace belongs to. */
export async function findLibraryBySlackTeam(deps: Pick<AppDeps, 'db'>, slackTeamId: string): Promise<LibrarySummary | undefined> {
  return deps.db
    .selectFrom('libraries')
    .where('slack_team_id', '=', slackTeamId)
    .select(['id', 'name', 'slack_team_id as slackTeamId', 'time_zone as timeZone'])
    .executeTakeFirst()
}
