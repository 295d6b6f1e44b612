export type LibraryError =
  | { code: 'invalid_time_zone'; timeZone: string }
  | { code: 'invalid_slack_team'; slackTeamId: string }
  | { code: 'slack_team_taken'; slackTeamId: string }
  | { code: 'invalid_name' }

/** Which library a request is about, when it does not name one it may leave out. */
export type ChooseLibraryError = { code: 'library_not_found'; libraryId: number } | { code: 'library_needed'; libraryCount: number }

export type LibrarySummary = { id: number; name: string; slackTeamId: string | null; timeZone: string }
