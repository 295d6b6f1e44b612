import { recordAudit } from '../audit/record-audit.ts'
import type { Clock } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { checkRole, type Actor, type NotAllowed } from '../staff/roles.ts'
import type { Db } from '../../db/database.ts'
import { dropStagedRows, giveUpDeadBatches } from './batches.ts'

export type ReleaseImportError =
  | NotAllowed
  | { code: 'no_import_running'; libraryId: number }
  /** Its process is alive: an apply holds its lock, or a file being read beat `secondsSinceHeartbeat` ago. */
  | { code: 'import_alive'; batchId: number; status: 'staging' | 'applying'; requestedBy: string; secondsSinceHeartbeat: number }

export type ReleasedImport = { batchId: number; status: 'staging' | 'applying'; requestedBy: string; fileName: string }

/**
 * Releases a library whose import was left running by a process that is gone, so the next
 * import can start: the batch is marked failed and its staged rows dropped. Nothing else
 * changes (an apply is one transaction, which the database rolled back). An apply that is still
 * alive is never released; a file still being read is released only with `force`, and its
 * reading then ends with an error. Admins only; audited.
 */
export async function releaseImport(
  deps: { db: Db; clock: Clock },
  input: { libraryId: number; actor: Actor; force: boolean },
): Promise<Result<ReleasedImport, ReleaseImportError>> {
  const refused = checkRole(input.actor, 'admin')
  if (refused) return err(refused)
  const now = deps.clock.now()
  const running = await deps.db
    .selectFrom('import_batches')
    .where('library_id', '=', input.libraryId)
    .where('status', 'in', ['staging', 'applying'])
    .select(['id', 'status', 'requested_by as requestedBy', 'file_name as fileName', 'heartbeat_at as heartbeatAt'])
    .executeTakeFirst()
  if (!running) return err({ code: 'no_import_running', libraryId: input.libraryId })
  const status = running.status as ReleasedImport['status']
  const released: ReleasedImport = { batchId: running.id, status, requestedBy: running.requestedBy, fileName: running.fileName }
  const dead = await giveUpDeadBatches(deps.db, { libraryId: input.libraryId, now })
  if (!dead.includes(running.id)) {
    const alive: ReleaseImportError = {
      code: 'import_alive', batchId: running.id, status, requestedBy: running.requestedBy,
      secondsSinceHeartbeat: Math.max(0, Math.round((now.getTime() - new Date(running.heartbeatAt).getTime()) / 1000)),
    }
    if (status === 'applying' || !input.force) return err(alive)
    const forced = await deps.db
      .updateTable('import_batches')
      .set({ status: 'failed', finished_at: now })
      .where('id', '=', running.id)
      .where('status', '=', 'staging')
      .returning('id')
      .executeTakeFirst()
    if (!forced) return err({ code: 'no_import_running', libraryId: input.libraryId })
    await dropStagedRows(deps.db, [running.id])
  }
  await recordAudit(deps.db, {
    libraryId: input.libraryId, actor: input.actor.label, action: 'import.released', subjectType: 'import', subjectId: running.id,
    details: { fileName: running.fileName, status, requestedBy: running.requestedBy, forced: !dead.includes(running.id) },
  })
  return ok(released)
}
