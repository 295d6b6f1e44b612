import { Cron } from 'croner'
import { digestMessage } from '../bot/bounces/views.ts'
import type { SlackMessage } from '../bot/views.ts'
import { takeDueBlacklistDigests } from '../domain/bounces/blacklist-digest.ts'
import { syncSuppressionList } from '../domain/bounces/sync-suppression-list.ts'
import type { AppDeps } from '../domain/deps.ts'
import type { SuppressionList } from '../mail/ses-suppression.ts'

/** Where a digest goes: the library's report channel (main.ts wires Slack). */
export type PostDigest = (channel: string, message: SlackMessage) => Promise<void>

export type BounceJobs = { stop(): Promise<void> }

type Deps = Pick<AppDeps, 'db' | 'clock' | 'logger'>

/** SES's list is read once a day; a sync that failed is tried again at the next hourly tick. */
const syncEveryMs = 24 * 3_600_000
/** Read again from a little before the last sync, so an address SES updated while we read is not missed. */
const overlapMs = 3_600_000

/**
 * The blacklist's daily work, on an hourly tick: in `ses` mode, SES's account suppression list
 * is brought into the blacklist once a day (all of it at the first tick after a start, then what
 * changed since the last sync); and each library with a report channel gets its digest once a
 * day from 07:00 in its own time zone (several instances post it once: see
 * `takeDueBlacklistDigests`). Nothing runs at start but the schedule.
 */
export function startBounceJobs(deps: Deps, options: { suppressionList: SuppressionList | null; post?: PostDigest }): BounceJobs {
  let running: Promise<unknown> = Promise.resolve()
  let lastSync: Date | undefined
  const tick = async () => {
    running = runBounceTick(deps, { ...options, lastSync }).then((synced) => {
      if (synced) lastSync = synced
    })
    await running
  }
  const job = new Cron('0 * * * *', { protect: true, unref: true, catch: (error) => deps.logger.error({ err: error }, 'bounce jobs tick failed') }, tick)
  return {
    async stop() {
      job.stop()
      await running
    },
  }
}

/** One tick: the sync when a day has passed since the last (returns when it synced), then the digests that are due. */
export async function runBounceTick(
  deps: Deps,
  options: { suppressionList: SuppressionList | null; post?: PostDigest; lastSync?: Date },
): Promise<Date | undefined> {
  const now = deps.clock.now()
  let synced: Date | undefined
  if (options.suppressionList && (!options.lastSync || now.getTime() - options.lastSync.getTime() >= syncEveryMs - overlapMs)) {
    try {
      const since = options.lastSync && new Date(options.lastSync.getTime() - overlapMs)
      await syncSuppressionList({ ...deps, suppressionList: options.suppressionList }, since ? { since } : {})
      synced = now
    } catch (error) {
      deps.logger.error({ err: error }, 'could not read the SES suppression list; it is tried again in an hour')
    }
  }
  if (options.post) {
    const due = await takeDueBlacklistDigests(deps)
    for (const { library, digest } of due) {
      const message = digestMessage(digest, library.timeZone)
      if (!message) continue
      await options
        .post(library.slackChannel, message)
        .catch((error: unknown) => deps.logger.warn({ err: error, libraryId: library.id }, 'could not post the bounce digest to Slack'))
    }
  }
  return synced
}
