import { Cron } from 'croner'
import type { AppDeps } from '../domain/deps.ts'
import type { RenderNotice } from '../domain/notices/compose.ts'
import type { NightSummary } from '../domain/notices/errors.ts'
import type { DueLibrary } from '../domain/notices/queries.ts'
import { type NightOutcome, runDueNights } from '../domain/notices/run-due-nights.ts'
import { scenarioTitle } from '../domain/scenarios/catalogue.ts'

/** Where a night's summary goes besides the log: the library's Slack channel (main.ts wires it). */
export type ReportNight = (library: DueLibrary, text: string) => Promise<void>

export type NightlySchedule = {
  /** The tick at start, which catches up today's night if its time has passed. */
  started: Promise<void>
  /** Stops ticking, and waits for a night being planned to end (its transaction commits whole or not at all). */
  stop(): Promise<void>
}

type Deps = Pick<AppDeps, 'db' | 'clock' | 'logger'>

/**
 * The nightly run (issue 11): every minute, the libraries whose start time has come in their own
 * time zone, and whose night is not yet done, get today's night planned. Reading `run_at` and
 * `time_zone` at each tick makes a change of either take effect without a restart, and a
 * daylight-saving change needs no care: a start time that a spring-forward skips runs at the
 * first minute after it, one that an autumn night repeats runs once. At start, a night whose
 * time has passed today is run at once; missed days before it are not replayed (one night for
 * today sends every notice still due). Several instances tick alike: one runs each night.
 */
export function startNightlySchedule(deps: Deps, options: { report?: ReportNight; render?: RenderNotice } = {}): NightlySchedule {
  let running: Promise<unknown> = Promise.resolve()
  const tick = async () => {
    running = runNightlyTick(deps, options)
    await running
  }
  const started = tick()
  // protect: a long night (a large district) is not started again by the next minute's tick.
  const job = new Cron('* * * * *', { protect: true, unref: true, catch: (error) => deps.logger.error({ err: error }, 'nightly tick failed') }, tick)
  return {
    started,
    async stop() {
      job.stop()
      await running
    },
  }
}

/** One tick of the schedule: runs the nights that are due, logs a line for each and reports it. */
export async function runNightlyTick(deps: Deps, options: { report?: ReportNight; render?: RenderNotice } = {}): Promise<NightOutcome[]> {
  let outcomes: NightOutcome[]
  try {
    outcomes = await runDueNights(deps, { render: options.render })
  } catch (error) {
    deps.logger.error({ err: error }, 'could not look for the nights that are due')
    return []
  }
  for (const outcome of outcomes) {
    const { library } = outcome
    if (!outcome.ok) {
      deps.logger.error({ libraryId: library.id, asOf: library.today, failure: outcome.failure }, 'nightly run failed; it is tried again in 15 minutes')
      continue
    }
    const line = describeNight(outcome.summary)
    deps.logger.info({ libraryId: library.id, asOf: library.today }, line)
    if (options.report && library.slackChannel) {
      await options
        .report(library, line)
        .catch((error: unknown) => deps.logger.warn({ err: error, libraryId: library.id }, 'could not post the night’s report to Slack'))
    }
  }
  return outcomes
}

/**
 * A night in one line, counts only: "Night of 2026-03-02 for Springfield Library: 12 queued
 * (Overdue notice 9, Escalation #1 3); 1 skipped (1 no contact); 2 not sent (1 deactivated, 1 excluded)".
 */
export function describeNight(summary: NightSummary): string {
  const total = (pick: (count: NightSummary['scenarios'][number]) => number) => summary.scenarios.reduce((sum, count) => sum + pick(count), 0)
  const sum = (values: Partial<Record<string, number>>) => Object.values(values).reduce<number>((a, b) => a + (b ?? 0), 0)
  const reasons = (pick: (count: NightSummary['scenarios'][number]) => Partial<Record<string, number>>) => {
    const byReason = new Map<string, number>()
    for (const count of summary.scenarios) for (const [reason, n] of Object.entries(pick(count))) byReason.set(reason, (byReason.get(reason) ?? 0) + (n ?? 0))
    return [...byReason].map(([reason, n]) => `${n} ${reasonWords[reason] ?? reason}`).join(', ')
  }
  const queued = total((c) => c.queued)
  const byScenario = summary.scenarios.filter((c) => c.queued > 0).map((c) => `${scenarioTitle(c.scenario)} ${c.queued}`)
  const parts = [`${queued} queued${byScenario.length > 0 ? ` (${byScenario.join(', ')})` : ''}`]
  const skipped = total((c) => sum(c.skipped))
  if (skipped > 0) parts.push(`${skipped} skipped (${reasons((c) => c.skipped)})`)
  const notComposed = total((c) => sum(c.notComposed))
  if (notComposed > 0) parts.push(`${notComposed} not sent (${reasons((c) => c.notComposed)})`)
  const already = total((c) => c.alreadyPlanned)
  if (already > 0) parts.push(`${already} already planned`)
  return `${summary.dryRun ? 'Preview of the night' : 'Night'} of ${summary.asOf} for ${summary.libraryName}: ${parts.join('; ')}`
}

const reasonWords: Record<string, string> = {
  no_contact: 'no contact',
  blacklisted: 'blacklisted',
  condition_gone: 'no longer due',
  template_error: 'template error',
  inactive: 'deactivated',
  excluded: 'excluded',
}
