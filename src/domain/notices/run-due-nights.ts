import type { AppDeps } from '../deps.ts'
import type { RenderNotice } from './compose.ts'
import type { NightSummary, PlanNightError } from './errors.ts'
import { planNight } from './plan-night.ts'
import { type DueLibrary, insertJobRun, selectDueLibraries } from './queries.ts'

/** A night that failed is tried again after this long, not at every tick. */
const retryAfterMinutes = 15

/** What the schedule did for one library: its night's summary, or why it failed (no personal data). */
export type NightOutcome =
  | { library: DueLibrary; ok: true; summary: NightSummary }
  | { library: DueLibrary; ok: false; failure: PlanNightError | { code: 'failed'; error: string } }

/**
 * Runs every library's night that is due at the clock's time: past the library's start time in
 * its time zone, with today's night not yet done. A night is run for today only: after
 * downtime, one run covers every notice still due (a notice is due while its condition holds
 * and it was not sent), where replaying each missed night would send a parent one overdue
 * notice per missed night at once. Several instances may call this at once: the night's lock
 * and its job_runs row let one of them run it, and the others find it done.
 */
export async function runDueNights(deps: Pick<AppDeps, 'db' | 'clock'>, input: { render?: RenderNotice } = {}): Promise<NightOutcome[]> {
  const due = await selectDueLibraries(deps.db, { now: deps.clock.now(), retryAfterMinutes })
  const outcomes: NightOutcome[] = []
  for (const library of due) {
    const startedAt = deps.clock.now()
    try {
      const plan = await planNight(deps, { libraryId: library.id, asOf: library.today, dryRun: false, unlessDone: true, render: input.render })
      if (!plan.ok) outcomes.push({ library, ok: false, failure: plan.error })
      else if (!plan.value.summary.alreadyDone) outcomes.push({ library, ok: true, summary: plan.value.summary })
    } catch (error) {
      // The error's message, never its detail, where a database error quotes the row's values.
      const described = error instanceof Error ? `${error.name}${'code' in error ? ` ${String(error.code)}` : ''}: ${error.message}` : 'unknown error'
      await insertJobRun(deps.db, {
        libraryId: library.id,
        asOf: library.today,
        startedAt,
        finishedAt: deps.clock.now(),
        status: 'failed',
        summary: { error: described },
      })
      outcomes.push({ library, ok: false, failure: { code: 'failed', error: described } })
    }
  }
  return outcomes
}
