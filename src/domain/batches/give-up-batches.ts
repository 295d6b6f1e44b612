import type { Db } from '../../db/database.ts'
import { recordAudit } from '../audit/record-audit.ts'
import type { Clock } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, type ActorRef, actorLabel, actorOf } from '../staff/actors.ts'
import { checkPermission, type NotAllowed } from '../staff/permissions.ts'
import { dropStagedRows, findRunningBatch } from './queries.ts'

// A batch being read beats every 10 seconds (imports/stage-file.ts); one silent for a minute was
// left by a process that is gone, and stops holding its library.
const staleAfterMs = 60_000

/** Gives up the batches being read whose heart stopped a minute ago. Their staged rows go. Returns their ids. */
export async function giveUpDeadBatches(db: Db, input: { libraryId?: number; now: Date }): Promise<number[]> {
  const given = await db
    .updateTable('batches')
    .set({ status: 'failed', finished_at: input.now })
    .where('status', '=', 'staging')
    .where('heartbeat_at', '<', new Date(input.now.getTime() - staleAfterMs))
    .$if(input.libraryId !== undefined, (qb) => qb.where('library_id', '=', input.libraryId!))
    .returning('id')
    .execute()
  await dropStagedRows(
    db,
    given.map((row) => row.id),
  )
  return given.map((row) => row.id)
}

/**
 * Gives up every batch an earlier run left being read, for the process that owns the database
 * alone (the embedded one) as it starts: nothing else can be reading them. (An apply leaves
 * nothing behind: it is one transaction.)
 */
export async function giveUpUnfinishedBatches(db: Db, input: { now: Date }): Promise<number[]> {
  const given = await db.updateTable('batches').set({ status: 'failed', finished_at: input.now }).where('status', '=', 'staging').returning('id').execute()
  await dropStagedRows(
    db,
    given.map((row) => row.id),
  )
  return given.map((row) => row.id)
}

/**
 * Staged batches nobody confirmed before they expired: expired, their staged rows dropped. Not a
 * purge request: the purge sweep expires those, and updates their messages in Slack.
 */
export async function expireBatches(db: Db, input: { libraryId: number; now: Date }): Promise<number[]> {
  const expired = await db
    .updateTable('batches')
    .set({ status: 'expired', finished_at: input.now })
    .where('library_id', '=', input.libraryId)
    .where('status', '=', 'staged')
    .where('kind', '<>', 'purge')
    .where('expires_at', '<', input.now)
    .returning('id')
    .execute()
  await dropStagedRows(
    db,
    expired.map((row) => row.id),
  )
  return expired.map((row) => row.id)
}

export type ReleaseError =
  | NotAllowed
  | { code: 'nothing_running'; libraryId: number }
  /** Its process is alive: an apply is under way, or a file being read beat `secondsSinceHeartbeat` ago. */
  | { code: 'batch_alive'; batchId: number; phase: 'reading' | 'applying'; requestedBy: ActorRef; secondsSinceHeartbeat: number }

export type ReleasedBatch = { batchId: number; fileName: string; requestedBy: ActorRef; forced: boolean }

/**
 * Releases a library held by a batch being read whose process is gone, so the next can start:
 * the batch is failed and its staged rows dropped; nothing else changes. An apply is never
 * released (it ends in seconds, and a dead one holds nothing). A file still being read, by a
 * process that beat less than a minute ago, is released only with `force`, and its reading then
 * ends in an error. Audited.
 */
export async function releaseBatch(
  deps: { db: Db; clock: Clock },
  input: { libraryId: number; actor: Actor; force: boolean; auditAs: string },
): Promise<Result<ReleasedBatch, ReleaseError>> {
  const refused = checkPermission(input.actor, 'releaseImports')
  if (refused) return err(refused)
  const now = deps.clock.now()
  const dead = await giveUpDeadBatches(deps.db, { libraryId: input.libraryId, now })
  const running = await findRunningBatch(deps.db, input.libraryId)
  let released: { id: number; fileName: string; requestedBy: string; forced: boolean } | undefined
  if (running === undefined) {
    if (dead.length === 0) return err({ code: 'nothing_running', libraryId: input.libraryId })
    const row = await deps.db
      .selectFrom('batches')
      .where('id', '=', dead[0])
      .select(['id', 'file_name as fileName', 'requested_by as requestedBy'])
      .executeTakeFirstOrThrow()
    released = { ...row, forced: false }
  } else {
    const beatAt = await deps.db.selectFrom('batches').where('id', '=', running.batchId).select('heartbeat_at').executeTakeFirstOrThrow()
    const alive: ReleaseError = {
      code: 'batch_alive',
      batchId: running.batchId,
      phase: running.phase,
      requestedBy: running.requestedBy,
      secondsSinceHeartbeat: Math.max(0, Math.round((now.getTime() - new Date(beatAt.heartbeat_at).getTime()) / 1000)),
    }
    if (running.phase === 'applying' || !input.force) return err(alive)
    const forced = await deps.db
      .updateTable('batches')
      .set({ status: 'failed', finished_at: now })
      .where('id', '=', running.batchId)
      .where('status', '=', 'staging')
      .returning(['id', 'file_name as fileName', 'requested_by as requestedBy'])
      .executeTakeFirst()
    if (!forced) return err({ code: 'nothing_running', libraryId: input.libraryId })
    await dropStagedRows(deps.db, [forced.id])
    released = { ...forced, forced: true }
  }
  await recordAudit(deps.db, {
    libraryId: input.libraryId,
    actor: actorLabel(input.actor.ref),
    action: `${input.auditAs}.released`,
    subjectType: input.auditAs,
    subjectId: released.id,
    details: { fileName: released.fileName, requestedBy: released.requestedBy, forced: released.forced },
  })
  return ok({ batchId: released.id, fileName: released.fileName, requestedBy: actorOf(released.requestedBy), forced: released.forced })
}
