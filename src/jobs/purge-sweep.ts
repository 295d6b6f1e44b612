import { Cron } from 'croner'
import { sql } from 'kysely'
import type { MessageRef, progressUpdater } from '../bot/progress-message.ts'
import { expiredMessage, progressMessage, purgedMessage } from '../bot/purge/views.ts'
import type { AppDeps } from '../domain/deps.ts'
import type { PurgeOutcome, PurgeProgress, PurgeRequest } from '../domain/purge/purge-view.ts'
import { expirePurgeRequests, resumePurges } from '../domain/purge/sweep-purges.ts'

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

  const posted = new Map<number, Posted>()
  const postedFor = (request: PurgeRequest): Posted | undefined => {
    if (!updater || !request.reportMessage || !request.approvedBy) return undefined
    const known = posted.get(request.id)
    if (known) return known
    const message = updater(request.reportMessage)
    const approvedBy = request.approvedBy
    const made: Posted = {
      progress: message.progress((progress: PurgeProgress & { phase: 'purging' }) => progressMessage(request, approvedBy, progress)),
      show: (outcome) => message.show(purgedMessage(request, approvedBy, outcome)),
    }
    posted.set(request.id, made)
    return made
  }
  const resumed = await resumePurges(deps, { onProgress: (request, progress) => postedFor(request)?.progress({ ...progress, phase: 'purging' }) })
  for (const { request, ...outcome } of resumed) {
    // Nothing done here: another runner (the approving admin's) had the pages, and tells its own outcome.
    if (outcome.purged === 0 && outcome.skipped.length === 0) continue
    deps.logger.info({ requestId: outcome.requestId, purged: outcome.purged, skipped: outcome.skipped.length }, 'an unfinished purge was carried on to its end')
    await postedFor(request)?.show(outcome)
  }
  return { expired: expired.length, resumed }
}

type Posted = {
  progress: (progress: PurgeProgress & { phase: 'purging' }) => void
  show: (outcome: PurgeOutcome) => Promise<void>
}
