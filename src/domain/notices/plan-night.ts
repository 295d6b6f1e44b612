import type { Db } from '../../db/database.ts'
import { dateIn, isCalendarDate } from '../calendar.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { escalationScenarios, type ScenarioName, scenarioCatalogue } from '../scenarios/catalogue.ts'
import { defaultScenarioSettings, loadScenarioSettings } from '../scenarios/settings.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import { loadNoticeRenderer } from '../templates/render.ts'
import { overduePeriod } from './calendar.ts'
import { composeNotices, loadComposeFacts, type RenderNotice } from './compose.ts'
import type { NightNotice, NightPlan, NightScenarioCount, NightSummary, PlanNightError } from './errors.ts'
import { circulationDrafts, dueSoonDrafts, escalationScenario, type NightDraft, reservationDrafts } from './night-drafts.ts'
import { type NewMessage, queueMessages } from './outbox.ts'
import {
  insertJobRun,
  isNightDone,
  lockNight,
  type NightLibrary,
  selectExistingDedupeKeys,
  selectLoansDueSoon,
  selectNightLibrary,
  selectOverdueLoans,
  selectReservationsToTell,
} from './queries.ts'

export type PlanNightInput = {
  libraryId: number
  /** The night, a date in the library's time zone ('YYYY-MM-DD'). */
  asOf: string
  /** Compute everything and write nothing. */
  dryRun: boolean
  /** Who asks (the tool, Slack); the schedule asks as no one. */
  actor?: Actor
  /** Renders a scenario's template; by default the library's templates (or the defaults). */
  render?: RenderNotice
  /** The schedule's run: if the night is done already (another instance ran it), do nothing. */
  unlessDone?: boolean
}

/** The nightly scenarios, in catalogue order. */
export const nightlyScenarios: readonly ScenarioName[] = scenarioCatalogue.filter((s) => s.trigger === 'nightly').map((s) => s.name)

/** Notices composed, rendered and written at a time: one write statement each, and memory bounded whatever the district. */
const draftsPerBatch = 2_000
/** A scenario's first batch is smaller: nothing is being written while it is composed. */
const firstBatch = 250
/** Notices composed between two turns of the event loop while a write is in flight. */
const composeSlice = 100

/**
 * Plans one library's night `asOf` by the seeds' rules (docs/staff/notices.md, "The night"):
 * escalations, overdue notices on their frequency, pre-overdue reminders, expiring and expired
 * reservations; decided in a few set-based statements, rendered in batches, and written with
 * their recipients, loans and ledger rows in one transaction with the night's job_runs row,
 * under the library's advisory lock. Every notice has a dedupe key and every send a ledger row,
 * so the same night run again, or by two instances at once, writes nothing new. A dry run
 * computes the same, writes nothing, and says what would be sent, to whom, and what would be
 * skipped and why.
 */
export async function planNight(deps: Pick<AppDeps, 'db' | 'clock'>, input: PlanNightInput): Promise<Result<NightPlan, PlanNightError>> {
  if (input.actor) {
    const refused = checkPermission(input.actor, input.dryRun ? 'readEmailLog' : 'sendNotices')
    if (refused) return err(refused)
  }
  if (!isCalendarDate(input.asOf)) return err({ code: 'invalid_date', value: input.asOf })
  const library = await selectNightLibrary(deps.db, input.libraryId)
  if (!library) return err({ code: 'library_not_found', libraryId: input.libraryId })
  // A night to come may be previewed, never run: its notices would go early, and the schedule
  // would find the real night done.
  const today = dateIn(library.timeZone, deps.clock.now())
  if (!input.dryRun && input.asOf > today) return err({ code: 'future_night', value: input.asOf, today })
  const render = input.render ?? (await loadNoticeRenderer(deps.db, library.id))

  if (input.dryRun) {
    const write = async (messages: readonly NewMessage[]) => {
      const existing = await selectExistingDedupeKeys(deps.db, { libraryId: library.id, keys: messages.map((m) => m.dedupeKey) })
      return new Set(messages.map((m) => m.dedupeKey).filter((key) => !existing.has(key)))
    }
    return ok(await decideNight(deps.db, { library, asOf: input.asOf, dryRun: true, render, write }))
  }

  const startedAt = deps.clock.now()
  return deps.db.transaction().execute(async (tx) => {
    await lockNight(tx, library.id)
    if (input.unlessDone && (await isNightDone(tx, { libraryId: library.id, asOf: input.asOf }))) {
      return ok({ summary: { ...emptySummary(library, input.asOf, false), alreadyDone: true }, notices: [] })
    }
    const write = async (messages: readonly NewMessage[]) => new Set((await queueMessages(tx, messages)).ids.keys())
    const plan = await decideNight(tx, { library, asOf: input.asOf, dryRun: false, render, write })
    await insertJobRun(tx, { libraryId: library.id, asOf: input.asOf, startedAt, finishedAt: deps.clock.now(), status: 'done', summary: plan.summary })
    return ok(plan)
  })
}

function emptySummary(library: NightLibrary, asOf: string, dryRun: boolean): NightSummary {
  return { libraryId: library.id, libraryName: library.name, asOf, dryRun, alreadyDone: false, scenarios: [], disabled: [] }
}

/** Writes composed messages (or, dry, checks them) and returns the dedupe keys newly written. */
type WriteMessages = (messages: readonly NewMessage[]) => Promise<Set<string>>

async function decideNight(
  db: Db,
  input: { library: NightLibrary; asOf: string; dryRun: boolean; render: RenderNotice; write: WriteMessages },
): Promise<NightPlan> {
  const { library, asOf } = input
  const settings = await loadScenarioSettings(db, library.id)
  const settingOf = (name: ScenarioName) => settings.find((s) => s.scenario === name)!
  const isOn = (name: ScenarioName) => settingOf(name).enabled
  const daysBefore = (name: ScenarioName) => settingOf(name).daysBefore ?? defaultScenarioSettings[name].daysBefore ?? 0

  const counts = new Map<ScenarioName, NightScenarioCount>(
    nightlyScenarios.filter(isOn).map((scenario) => [scenario, { scenario, queued: 0, skipped: {}, notComposed: {}, alreadyPlanned: 0 }]),
  )
  const notices: NightNotice[] = []

  /**
   * Composes, renders and writes a scenario's drafts in batches; returns the patrons whose
   * notice was composed, queued or skipped. `isDropped`: a message not to record at all. The
   * patrons' facts are loaded once for the scenario, and each batch is composed while the
   * database writes the one before (one write in flight at a time, in order, on the run's
   * transaction): B3 spent as long composing as writing, one after the other.
   */
  async function send(
    scenario: ScenarioName,
    drafts: readonly NightDraft[],
    isDropped: (message: NewMessage) => boolean = () => false,
  ): Promise<{ queued: Set<number>; skipped: Set<number>; inactive: Set<number> }> {
    const reached = { queued: new Set<number>(), skipped: new Set<number>(), inactive: new Set<number>() }
    if (drafts.length === 0) return reached
    const count = counts.get(scenario)!
    const facts = await loadComposeFacts(db, { libraryId: library.id, scenario, patronIds: drafts.map((draft) => draft.patronId) })

    function account(batch: readonly NightDraft[], composed: ReturnType<typeof composeNotices>, written: Set<string>): void {
      const byKey = new Map(composed.messages.map((m) => [m.dedupeKey, m]))
      let notComposed = 0
      for (const draft of batch) {
        const message = byKey.get(draft.dedupeKey)
        const shown = { scenario, username: draft.username, loans: draft.loans, reservation: draft.reservation }
        if (message && isDropped(message)) continue
        if (!message) {
          const reason = composed.notComposed[notComposed++].reason
          count.notComposed[reason] = (count.notComposed[reason] ?? 0) + 1
          if (reason === 'inactive') reached.inactive.add(draft.patronId)
          notices.push({ ...shown, status: 'not_composed', reason, recipients: [], subject: '' })
          continue
        }
        reached[message.status].add(draft.patronId)
        const isNew = written.has(draft.dedupeKey)
        if (!isNew) count.alreadyPlanned += 1
        else if (message.status === 'queued') count.queued += 1
        else if (message.reason) count.skipped[message.reason] = (count.skipped[message.reason] ?? 0) + 1
        notices.push({
          ...shown,
          status: isNew ? message.status : 'already_planned',
          reason: message.reason ?? null,
          recipients: message.recipients.map((r) => ({ kind: r.kind, address: r.address })),
          subject: message.subject,
        })
      }
    }

    /**
     * Composes a batch a slice at a time, giving the event loop a turn between slices: the write in
     * flight is megabytes of parameters, which the driver's socket sends (and whose answer it reads)
     * only on such turns; composed in one go, the batch held the write back until it was done.
     */
    async function composeBatch(batch: readonly NightDraft[]): Promise<ReturnType<typeof composeNotices>> {
      const composed: ReturnType<typeof composeNotices> = { messages: [], notComposed: [] }
      for (let start = 0; start < batch.length; start += composeSlice) {
        await new Promise((resolve) => setImmediate(resolve))
        const slice = composeNotices(facts, { libraryId: library.id, scenario, drafts: batch.slice(start, start + composeSlice), render: input.render })
        composed.messages.push(...slice.messages)
        composed.notComposed.push(...slice.notComposed)
      }
      return composed
    }

    let previous: Promise<void> = Promise.resolve()
    for (let start = 0; start < drafts.length; ) {
      const batch = drafts.slice(start, start + (start === 0 ? firstBatch : draftsPerBatch))
      start += batch.length
      const composed = await composeBatch(batch)
      await previous
      const writing = input.write(composed.messages.filter((m) => !isDropped(m)))
      previous = writing.then((written) => account(batch, composed, written))
      // Its failure is thrown by the next `await previous`; until then it is not unhandled.
      previous.catch(() => {})
    }
    await previous
    return reached
  }

  // Escalations and overdue notices: one circulation notice per patron, the escalation replacing the overdue notice.
  const overdue = settingOf('circulation.overdue')
  const period = overdue.enabled && overdue.frequency ? overduePeriod(overdue.frequency, asOf) : null
  const levels = escalationScenarios
    .map((scenario, index) => ({ level: index + 1, setting: settingOf(scenario) }))
    .filter(({ setting }) => setting.enabled && setting.daysOverdue !== null)
    .map(({ level, setting }) => ({ level, daysOverdue: setting.daysOverdue! }))
  if (period !== null || levels.length > 0) {
    const rows = await selectOverdueLoans(db, { libraryId: library.id, asOf, period, levels })
    const drafts = circulationDrafts(rows, { asOf, period, levelDays: new Map(levels.map((l) => [l.level, l.daysOverdue])) })
    const escalated = new Set<number>()
    const unreachable = new Set<number>()
    for (const { level } of [...levels].reverse()) {
      const reached = await send(escalationScenario(level), drafts.escalations.get(level) ?? [])
      for (const patronId of [...reached.queued, ...reached.inactive]) escalated.add(patronId)
      for (const patronId of reached.skipped) unreachable.add(patronId)
    }
    // The escalation replaces the overdue notice. A patron excluded from the escalation, or whose
    // contacts take the overdue notice but not the escalation (custom usage), gets the overdue
    // notice; one the overdue notice cannot reach either is recorded once, as the escalation; a
    // deactivated patron is reported once, as the escalation.
    if (period !== null) {
      const drafted = drafts.overdue.filter((draft) => !escalated.has(draft.patronId))
      await send('circulation.overdue', drafted, (message) => message.status === 'skipped' && unreachable.has(message.patronId!))
    }
  }

  if (isOn('circulation.pre_overdue')) {
    const rows = await selectLoansDueSoon(db, { libraryId: library.id, asOf, daysBefore: daysBefore('circulation.pre_overdue') })
    await send('circulation.pre_overdue', dueSoonDrafts(rows, { asOf }))
  }

  const isExpiringOn = isOn('reservation.expiring')
  const isExpiredOn = isOn('reservation.expired')
  if (isExpiringOn || isExpiredOn) {
    const rows = await selectReservationsToTell(db, {
      libraryId: library.id,
      asOf,
      expiringDaysBefore: isExpiringOn ? daysBefore('reservation.expiring') : null,
      isExpiredOn,
    })
    if (isExpiringOn) await send('reservation.expiring', reservationDrafts(rows, { asOf, kind: 'expiring' }))
    if (isExpiredOn) await send('reservation.expired', reservationDrafts(rows, { asOf, kind: 'expired' }))
  }

  return {
    summary: {
      ...emptySummary(library, asOf, input.dryRun),
      scenarios: [...counts.values()],
      disabled: nightlyScenarios.filter((scenario) => !isOn(scenario)),
    },
    notices,
  }
}
