import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { unstorableText } from '../text.ts'
import type { LibraryError, LibrarySummary } from './errors.ts'
import { isSlackTeamLinked } from './queries.ts'

/** A Slack workspace (team) id as Slack writes them: T… (E… for an Enterprise Grid organisation). */
export const isSlackTeamId = (value: string): boolean => /^[TE][A-Z0-9]{2,}$/.test(value)

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
  input: { name: string; slackTeamId: string | null; timeZone: string; actor: Actor },
): Promise<Result<LibrarySummary, LibraryError>> {
  const name = input.name.trim()
  if (name === '' || unstorableText(name)) return err({ code: 'invalid_name' })
  // Slack ids are upper case; a mistyped one would never match a command.
  if (input.slackTeamId !== null && !isSlackTeamId(input.slackTeamId)) return err({ code: 'invalid_slack_team', slackTeamId: input.slackTeamId })
  if (!isTimeZone(input.timeZone)) return err({ code: 'invalid_time_zone', timeZone: input.timeZone })
  return deps.db.transaction().execute(async (tx) => {
    if (input.slackTeamId !== null && (await isSlackTeamLinked(tx, input.slackTeamId))) {
      return err({ code: 'slack_team_taken', slackTeamId: input.slackTeamId } as const)
    }
    const library = await tx
      .insertInto('libraries')
      .values({ name, slack_team_id: input.slackTeamId, time_zone: input.timeZone })
      .returning(['id', 'name', 'slack_team_id as slackTeamId', 'time_zone as timeZone'])
      .executeTakeFirstOrThrow()
    await recordAudit(tx, {
      libraryId: library.id,
      actor: actorLabel(input.actor.ref),
      action: 'library.added',
      subjectType: 'library',
      subjectId: library.id,
      after: library,
    })
    return ok(library)
  })
}
