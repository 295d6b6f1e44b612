import type { Db } from '../../db/database.ts'
import type { LibrarySummary } from './errors.ts'

const summary = ['id', 'name', 'slack_team_id as slackTeamId', 'time_zone as timeZone'] as const

export async function selectLibraries(db: Db): Promise<LibrarySummary[]> {
  return db.selectFrom('libraries').select(summary).orderBy('id').execute()
}

export async function findLibrary(db: Db, libraryId: number): Promise<LibrarySummary | undefined> {
  return db.selectFrom('libraries').where('id', '=', libraryId).select(summary).executeTakeFirst()
}

/** The library a Slack workspace belongs to. */
export async function findLibraryBySlackTeam(db: Db, slackTeamId: string): Promise<LibrarySummary | undefined> {
  return db.selectFrom('libraries').where('slack_team_id', '=', slackTeamId).select(summary).executeTakeFirst()
}

export async function isSlackTeamLinked(db: Db, slackTeamId: string): Promise<boolean> {
  return (await db.selectFrom('libraries').where('slack_team_id', '=', slackTeamId).select('id').executeTakeFirst()) !== undefined
}
