import { sql } from 'kysely'
import { recordAudit } from '../audit/record-audit.ts'
import { findBatch } from '../batches/queries.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { PurgeError } from './errors.ts'
import type { PurgeBatchRequest } from './purge-batch.ts'
import type { PurgePageSize, PurgeRequest } from './purge-view.ts'
import { countImpact, findPatronsToPurge, stagePurgePatrons, toPurgeRequest } from './queries.ts'

/** A request waits a week for a second admin; then it expires, and nothing changed. */
export const purgeRequestLifetimeMs = 7 * 24 * 60 * 60 * 1000

const auditedNames = 100

// Sent as text and cast: drivers disagree on how they encode a parameter typed jsonb.
const json = (value: unknown) => sql`cast(${JSON.stringify(value)}::text as jsonb)`

/** Asks for a purge: checks every patron, stages the request (expires in a week), audited; changes nothing else. */
export async function requestPurge(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: {
    libraryId: number
    actor: Actor
    usernames: readonly string[]
    markLoansLost: boolean
    pageSize?: PurgePageSize | undefined
    /** The door, when the actor's kind does not say it: the tool acting for a Slack member (audited). */
    via?: 'cli' | undefined
  },
): Promise<Result<PurgeRequest, PurgeError>> {
  const refused = checkPermission(input.actor, 'purgePatrons')
  if (refused) return err(refused)
  const asked = [
    ...new Map(
      input.usernames
        .map((u) => u.trim())
        .filter((u) => u !== '')
        .map((u) => [u.toLowerCase(), u]),
    ).values(),
  ]
  if (asked.length === 0) return err({ code: 'empty_request' })
  const now = deps.clock.now()
  const result = await deps.db.transaction().execute(async (tx): Promise<Result<number, PurgeError>> => {
    const patrons = await findPatronsToPurge(tx, { libraryId: input.libraryId, usernames: asked })
    const known = new Set(patrons.map((p) => p.username.toLowerCase()))
    const unknown = asked.filter((u) => !known.has(u.toLowerCase()))
    if (unknown.length > 0) return err({ code: 'unknown_patrons', usernames: unknown })
    const enabled = patrons.filter((p) => p.isEnabled).map((p) => p.username)
    if (enabled.length > 0) return err({ code: 'not_deactivated', usernames: enabled.sort() })
    const loaned = patrons.filter((p) => p.openLoans > 0)
    if (loaned.length > 0 && !input.markLoansLost) {
      return err({
        code: 'open_loans',
        patrons: loaned.map((p) => ({ username: p.username, openLoans: p.openLoans })).sort((a, b) => a.username.localeCompare(b.username)),
      })
    }
    const library = await tx.selectFrom('libraries').where('id', '=', input.libraryId).select('retain_deleted_patron_loans').executeTakeFirstOrThrow()
    const pageSize = input.pageSize ?? 200
    const { rows: lastLoan } = await sql<{ id: number | null }>`select max(id) as id from loans where library_id = ${input.libraryId}`.execute(tx)
    const request: PurgeBatchRequest = {
      retainLoans: library.retain_deleted_patron_loans,
      markLoansLost: input.markLoansLost,
      pageSize,
      pages: Math.ceil(patrons.length / pageSize),
      loansUpTo: lastLoan[0]?.id ?? 0,
    }
    const patronIds = patrons.map((p) => p.id)
    const impact = await countImpact(tx, { patronIds, request })
    const { id } = await tx
      .insertInto('batches')
      .values({
        library_id: input.libraryId,
        kind: 'purge',
        mode: 'pages',
        file_name: 'purge request',
        keep_custom: false,
        status: 'staged',
        requested_by: actorLabel(input.actor.ref),
        confirm_permission: 'purgePatrons',
        confirmer_must_differ: true,
        request: json(request),
        summary: json(impact),
        row_count: patrons.length,
        created_at: now,
        heartbeat_at: now,
        expires_at: new Date(now.getTime() + purgeRequestLifetimeMs),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await stagePurgePatrons(tx, { batchId: id, patronIds, pageSize })
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: actorLabel(input.actor.ref),
      action: 'purge.requested',
      subjectType: 'purge',
      subjectId: id,
      // The first hundred by name: each page's entry names every patron it purged.
      details: {
        ...withoutLoansUpTo(request),
        impact,
        usernames: patrons
          .map((p) => p.username)
          .sort()
          .slice(0, auditedNames),
        ...(input.via && { via: input.via }),
      },
    })
    return ok(id)
  })
  if (!result.ok) return result
  const batch = await findBatch(deps.db, { libraryId: input.libraryId, batchId: result.value })
  if (batch?.kind !== 'purge') throw new Error(`purge request #${result.value} vanished`)
  return ok(toPurgeRequest(batch))
}

// A bookmark of the purge's own, not a fact for the audit log's reader.
const withoutLoansUpTo = ({ loansUpTo, ...request }: PurgeBatchRequest) => request
