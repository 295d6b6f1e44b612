import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { ImportProblem } from '../imports/errors.ts'
import { err, ok, type Result } from '../result.ts'
import { type ActorRef, actorLabel } from '../staff/actors.ts'
import type { Permission } from '../staff/permissions.ts'
import type { BatchError } from './batch.ts'
import { dropStagedRows } from './queries.ts'

// Sent as text and cast: drivers disagree on how they encode a parameter typed jsonb.
const json = (value: unknown) => sql`cast(${JSON.stringify(value)}::text as jsonb)`

/** A batch being read beats, so that one whose process died is known (give-up-batches.ts). */
export async function beat(db: Db, batchId: number, now: Date): Promise<void> {
  await db.updateTable('batches').set({ heartbeat_at: now }).where('id', '=', batchId).where('status', '=', 'staging').execute()
}

/** How reading a batch ended. */
type StagingOutcome =
  | {
      status: 'staged'
      rowCount: number
      checksum: string
      warnings: ImportProblem[]
      summary: unknown
      confirmPermission: Permission
      /** How long it waits for a confirmation before it expires. */
      expiresAfterMs: number
    }
  | { status: 'invalid'; rowCount?: number; checksum?: string; problems?: ImportProblem[]; problemCount?: number; warnings?: ImportProblem[] }
  | { status: 'failed' }

/**
 * Ends the reading of a batch: staged, to wait for a confirmation; or invalid or failed, when its
 * staged rows go. A batch given up meanwhile (an admin released it, its heart stopped) stays so.
 */
export async function finishStaging(db: Db, input: { batchId: number; outcome: StagingOutcome; now: Date }): Promise<Result<void, BatchError>> {
  const { outcome, now } = input
  const closed = await db
    .updateTable('batches')
    .set({
      status: outcome.status,
      heartbeat_at: now,
      ...(outcome.status === 'staged'
        ? {
            row_count: outcome.rowCount,
            checksum: outcome.checksum,
            warnings: json(outcome.warnings),
            summary: json(outcome.summary),
            confirm_permission: outcome.confirmPermission,
            expires_at: new Date(now.getTime() + outcome.expiresAfterMs),
          }
        : { finished_at: now }),
      ...(outcome.status === 'invalid' && {
        ...(outcome.rowCount !== undefined && { row_count: outcome.rowCount }),
        ...(outcome.checksum !== undefined && { checksum: outcome.checksum }),
        ...(outcome.problems !== undefined && { errors: json(outcome.problems) }),
        ...(outcome.problemCount !== undefined && { error_count: outcome.problemCount }),
        ...(outcome.warnings !== undefined && { warnings: json(outcome.warnings) }),
      }),
    })
    .where('id', '=', input.batchId)
    .where('status', '=', 'staging')
    .returning('id')
    .executeTakeFirst()
  if (outcome.status !== 'staged') await dropStagedRows(db, [input.batchId])
  if (!closed) return err({ code: 'batch_not_ready', batchId: input.batchId, status: 'failed' })
  return ok(undefined)
}

/**
 * Records work staged at once, without a file to read (a preview worked out in one request): the
 * batch is `staged` from the start, waiting for a confirmation until it expires.
 */
export async function recordStagedBatch(
  db: Db,
  input: {
    libraryId: number
    kind: 'preferences'
    mode: string
    requestedBy: ActorRef
    confirmPermission: Permission
    request: unknown
    summary: unknown
    /** A digest of what the preview counted: the confirmation compares it. */
    checksum: string
    rowCount: number
    expiresAfterMs: number
    now: Date
  },
): Promise<number> {
  const { id } = await db
    .insertInto('batches')
    .values({
      library_id: input.libraryId,
      kind: input.kind,
      mode: input.mode,
      file_name: '',
      keep_custom: false,
      status: 'staged',
      requested_by: actorLabel(input.requestedBy),
      confirm_permission: input.confirmPermission,
      request: json(input.request),
      summary: json(input.summary),
      checksum: input.checksum,
      row_count: input.rowCount,
      created_at: input.now,
      heartbeat_at: input.now,
      expires_at: new Date(input.now.getTime() + input.expiresAfterMs),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}
