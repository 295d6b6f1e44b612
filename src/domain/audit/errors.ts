import type { NotAllowed } from '../staff/permissions.ts'

/** The filters of the audit log, named as the API's query parameters and the tool's options. */
export const auditFilterNames = ['from', 'to', 'actor', 'patron', 'action', 'cursor', 'limit'] as const
type AuditFilterName = (typeof auditFilterNames)[number]

/** A filter value that cannot be used, and why, in words for the one who typed it. */
export type AuditFilterProblem = { filter: AuditFilterName; message: string }

export type AuditError = NotAllowed | { code: 'library_not_found'; libraryId: number } | { code: 'invalid_filters'; problems: AuditFilterProblem[] }
