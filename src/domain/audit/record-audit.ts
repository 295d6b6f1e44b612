import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import { auditLogOf } from './queries.ts'

export type AuditEntry = {
  libraryId: number
  actor: string
  approver?: string | null
  action: string
  subjectType: string
  subjectId?: string | number | null
  /** The patron the entry is about (a contact's patron), so a patron's history can be listed. */
  patronId?: number | null
  before?: unknown
  after?: unknown
  details?: unknown
}

// Sent as text and cast: drivers disagree on how they encode a parameter typed jsonb.
const json = (value: unknown) => (value === undefined || value === null ? null : sql<string>`cast(${JSON.stringify(value)}::text as jsonb)`)

/** Writes one audit row. Pass the transaction that made the change, so both land or neither. */
export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await auditLogOf(db)
    .insertInto('audit_log')
    .values({
      library_id: entry.libraryId,
      actor: entry.actor,
      approver: entry.approver ?? null,
      action: entry.action,
      subject_type: entry.subjectType,
      subject_id: entry.subjectId === undefined || entry.subjectId === null ? null : String(entry.subjectId),
      patron_id: entry.patronId ?? null,
      before: json(entry.before),
      after: json(entry.after),
      details: json(entry.details),
    })
    .execute()
}
