import { Cron } from 'croner'
import { sql } from 'kysely'
import type { MessageRef, progressUpdater } from '../bot/progress-message.ts'
import { expiredMessage, progressMessage, purgedMessage } from '../bot/purge/views.ts'
import type { Db } from '../db/database.ts'
import type { AppDeps } from '../domain/deps.ts'
import type { PurgeOutcome, PurgeProgress } from '../domain/purge/purge-view.ts'
import { expirePurgeRequests, resumePurges } from '../domain/purge/sweep-purges.ts'
import { type ActorRef, actorOf } from '../domain/staff/actors.ts'

/** Updates one Slack message in place, throttled (main.ts wires the bot's `progressUpdater`). */
export type MessageUpdater = (ref: MessageRef) => ReturnType<typeof progressUpdater>

export type PurgeSweep = { stop(): Promise<void> }

type Deps = Pick<AppDeps, 'db' | 'clock' | 'logger'>

// Held for the sweep's length on its own connection, so that of several instances one sweeps at a time.
const sweepLock = sql`hashtext('library-comms:purge_sweep')`

/**
 * Every five minutes: purge requests nobody approved within a week expire, and their messages say so;
 * approved purges a process left unfinished (a crash, a restart) are carried on page by page, their
 * messages following. Nothing runs at start but the schedule; the first tick comes within five minutes.
 */
export function startPurgeSweep(deps: Deps, options: { updater?: MessageUpdater } = {}): PurgeSweep {
  let running: Promise<unknown> = Promise.resolve()
  const tick = async () => {
    running = runPurgeSweep(deps, options)
    await running
  }
  const job = new Cron('*/5 * * * *', { protect: true, unref: true, catch: (error) => deps.logger.error({ err: error }, 'purge sweep failed') }, tick)
  return {
    async stop() {
      job.stop()
      await running
    },
  }
}

/** One sweep, unless another instance is sweeping: expires, then resumes. */
export async function runPurgeSweep(deps: Deps, options: { updater?: MessageUpdater } = {}): Promise<{ expired: number; resumed: PurgeOutcome[] } | 'busy'> {
  return deps.db.connection().execute(async (connection) => {
    const { rows } = await sql<{ free: boolean }>`select pg_try_advisory_lock(${sweepLock}) as free`.execute(connection)
    if (!rows[0]?.free) return 'busy' as const
    try {
      return await sweep(deps, options)
    } finally {
      await sql`select pg_advisory_unlock(${sweepLock})`.execute(connection)
    }
  })
}

async function sweep(deps: Deps, options: { updater?: MessageUpdater }) {
  const { updater } = options
  const expired = await expirePurgeRequests(deps, { now: deps.clock.now() })
  for (const request of expired) {
    deps.logger.info({ requestId: request.id, libraryId: request.libraryId }, 'a purge request expired: nobody approved it within a week')
    if (updater && request.reportMessage) await updater(request.reportMessage).show(expiredMessage(request))
  }

  const messages = new Map<number, Promise<Posted | undefined>>()
  const postedFor = (requestId: number) => {
    const known = messages.get(requestId)
    if (known) return known
    const found = findPosted(deps.db, requestId, updater)
    messages.set(requestId, found)
    return found
  }
  const resumed = await resumePurges(deps, {
    onProgress: (requestId: number, progress: PurgeProgress) => {
      void postedFor(requestId).then((posted) => posted?.progress({ ...progress, phase: 'purging' }))
    },
  })
  for (const outcome of resumed) {
    // Nothing done here: another runner (the approving admin's) had the pages, and tells its own outcome.
    if (outcome.purged === 0 && outcome.skipped.length === 0) continue
    const posted = await postedFor(outcome.requestId)
    deps.logger.info({ requestId: outcome.requestId, purged: outcome.purged, skipped: outcome.skipped.length }, 'an unfinished purge was carried on to its end')
    if (posted) await posted.show(purgedMessage({ id: outcome.requestId, requestedBy: posted.requestedBy }, posted.approvedBy, outcome))
  }
  return { expired: expired.length, resumed }
}

type Posted = {
  requestedBy: ActorRef
  approvedBy: ActorRef
  progress: (progress: PurgeProgress & { phase: 'purging' }) => void
  show: ReturnType<MessageUpdater>['show']
}

// Where a resumed purge was posted, and by whom it was asked and approved: the domain's outcome names only the request.
async function findPosted(db: Db, requestId: number, updater: MessageUpdater | undefined): Promise<Posted | undefined> {
  if (!updater) return undefined
  const row = await db
    .selectFrom('batches')
    .where('id', '=', requestId)
    .where('kind', '=', 'purge')
    .select(['report_message', 'requested_by', 'confirmed_by'])
    .executeTakeFirst()
  const ref = row?.report_message as MessageRef | null | undefined
  if (!row || !ref?.channel || !ref.ts) return undefined
  const requestedBy = actorOf(row.requested_by)
  const approvedBy = actorOf(row.confirmed_by ?? 'unknown')
  const message = updater(ref)
  return {
    requestedBy,
    approvedBy,
    progress: message.progress((progress: PurgeProgress & { phase: 'purging' }) => progressMessage({ id: requestId, requestedBy }, approvedBy, progress)),
    show: message.show,
  }
}
