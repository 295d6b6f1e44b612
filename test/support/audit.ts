import { sql } from 'kysely'
import type { Db } from '../../src/db/database.ts'
import { type AuditEntry, recordAudit } from '../../src/domain/audit/record-audit.ts'

/**
 * An audit entry written as a use case writes it, then dated `at` (the log takes the
 * database's clock, so a test dates its entries afterwards). Returns the entry's id.
 */
export async function givenAuditEntry(db: Db, entry: AuditEntry & { at: string }): Promise<string> {
  const { at, ...written } = entry
  await recordAudit(db, written)
  const { rows } = await sql<{ id: string }>`
    update audit_log set at = ${at}::timestamptz
     where id = (select max(id) from audit_log where library_id = ${entry.libraryId})
    returning id`.execute(db)
  return String(rows[0].id)
}
