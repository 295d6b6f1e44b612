import type { NotAllowed } from '../staff/permissions.ts'

/** The filters of the email log, named as the API's query parameters. */
export const emailLogFilterNames = ['from', 'to', 'scenario', 'username', 'address', 'status', 'cursor', 'limit'] as const
type EmailLogFilterName = (typeof emailLogFilterNames)[number]

/** A filter value that cannot be used, and why, in words for the one who typed it. */
export type EmailLogFilterProblem = { filter: EmailLogFilterName; message: string }

export type EmailLogError = NotAllowed | { code: 'library_not_found'; libraryId: number } | { code: 'invalid_filters'; problems: EmailLogFilterProblem[] }

/**
 * Why a notice could not be sent by hand: the patron or loan is not in the library, nothing of
 * the patron's is overdue, the loan is closed, or the patron may not receive it (deactivated, or
 * in a level or group the scenario excludes).
 */
export type SendByHandError =
  | NotAllowed
  | { code: 'patron_not_found'; patronId: number }
  | { code: 'nothing_overdue'; username: string }
  | { code: 'patron_inactive'; username: string }
  | { code: 'patron_excluded'; username: string; scenario: string }

/** Why a loan could not be recalled: not in the library, or already returned or marked lost. */
export type RecallError =
  | NotAllowed
  | { code: 'loan_not_found'; loanId: number | string }
  | { code: 'loan_not_open'; loanId: number; status: 'returned' | 'lost' }
