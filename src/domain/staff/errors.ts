import type { NotAllowed } from './permissions.ts'
import type { StaffRole } from './roles.ts'

export type StaffError =
  | NotAllowed
  | { code: 'staff_not_found'; slackUserId: string }
  | { code: 'last_admin'; slackUserId: string }
  | { code: 'configured_admin'; slackUserId: string }
  | { code: 'invalid_role'; role: string }
  | { code: 'invalid_slack_user'; slackUserId: string }
  | { code: 'library_not_found'; libraryId: number }

export type StaffMember = { slackUserId: string; role: StaffRole; addedBy: string; updatedAt: Date; fromConfiguration: boolean }
