import type { Db } from '../../db/database.ts'

export type AuditRecord = {
  id: string
  at: Date
  actor: string
  approver: string | null
  action: string
  subjectType: string
  subjectId: string | null
  before: unknown
  after: unknown
  details: unknown
}

/** The newest audit entries of a library, newest first. */
export async function listAudit(db: Db, input: { libraryId: number; limit?: number }): Promise<AuditRecord[]> {
  const rows = await db
    .selectFrom('audit_log')
    .where('library_id', '=', input.libraryId)
    .select(['id', 'at', 'actor', 'approver', 'action', 'subject_type as subjectType', 'subject_id as subjectId', 'before', 'after', 'details'])
    .orderBy('id', 'desc')
    .limit(input.limit ?? 50)
    .execute()
  return rows.map((row) => ({ ...row, id: String(row.id), at: new Date(row.at) }))
}
