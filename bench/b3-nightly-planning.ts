import { sql } from 'kysely'
import { type DatabaseHandle, openEmbeddedDatabase, openServerDatabase } from '../src/db/database.ts'
import { systemClock } from '../src/domain/deps.ts'
import type { RenderNotice } from '../src/domain/notices/compose.ts'
import { planNight } from '../src/domain/notices/plan-night.ts'
import { loadNoticeRenderer } from '../src/domain/templates/render.ts'
import type { BenchDatabase } from './support/bench-database.ts'
import type { Benchmark, BenchOptions } from './support/benchmark.ts'
import { seedDistrictCirculation } from './support/district-circulation.ts'
import { createDistrictDatabase, type DistrictDatabase } from './support/district-database.ts'
import { type Figure, median } from './support/figures.ts'

/** The night against one INSERT … SELECT of as many message rows of the same size. */
const budgetRatio = 3
/** A Monday: the default overdue notices (weekly on Monday) are due. */
const asOf = '2026-03-09'

/** One run: the night's time and what it wrote, and the baseline's time on the same database. */
type Run = { ms: number; renderMs: number; messages: number; recipients: number; ledger: number; bodyKb: number; baselineMs: number }

/**
 * B3: the nightly planning of the district (40,000 overdue loans over 1-60 days, pre-overdue
 * reminders, escalations, reservations) with the library's default templates: decided,
 * rendered and queued with recipients, loans and ledger in one transaction, as the schedule
 * runs it. Its baseline, on the same copy right after: one INSERT … SELECT copying the
 * messages the night wrote (as many rows, the same subjects and bodies, into the same table
 * with its indexes). Each run on its own copy of the seeded district; on the server when
 * DATABASE_URL is set, and on the embedded default.
 */
export const b3NightlyPlanning: Benchmark = {
  id: 'B3',
  title: 'nightly notice planning of the district: pre-overdue, overdue, escalations, rendered and queued',
  async run(options) {
    const figures: Figure[] = []
    for (const serverUrl of options.serverUrl ? [options.serverUrl, undefined] : [undefined]) {
      const district = await createDistrictDatabase({ serverUrl, small: options.small, log: options.log })
      try {
        await seedCirculation(district, options)
        const runs: Run[] = []
        for (let run = 1; run <= (options.small ? 1 : 3); run += 1) runs.push(await onCopy(district, (copy) => measureNight(options, district, copy, run)))
        figures.push(figureOf(district.kind, runs))
      } finally {
        await district.drop()
      }
    }
    return figures
  },
}

async function seedCirculation(district: DistrictDatabase, { small, log }: BenchOptions): Promise<void> {
  const handle = await district.open()
  try {
    const startedAt = performance.now()
    const size = await seedDistrictCirculation(handle.db, { libraryId: district.libraryId, small, patrons: district.size.patrons, asOf })
    log(
      `B3 ${district.kind}: ${size.items} items, ${size.openLoans} open loans (${size.overdueLoans} overdue), ${size.reservations} reservations, seeded in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
    )
  } finally {
    await handle.close()
  }
}

async function onCopy<T>(district: DistrictDatabase, work: (copy: BenchDatabase) => Promise<T>): Promise<T> {
  const copy = await district.copy()
  try {
    return await work(copy)
  } finally {
    await copy.drop()
  }
}

async function measureNight({ log }: BenchOptions, district: DistrictDatabase, copy: BenchDatabase, run: number): Promise<Run> {
  const handle: DatabaseHandle =
    'DATABASE_URL' in copy.env ? openServerDatabase(copy.env.DATABASE_URL, { max: 2 }) : await openEmbeddedDatabase({ dataDir: copy.env.DATA_DIR, max: 2 })
  try {
    const { db } = handle
    const libraryId = district.libraryId
    const startedAt = performance.now()
    let renderMs = 0
    const templates = await loadNoticeRenderer(db, libraryId)
    const render: RenderNotice = (scenario, context) => {
      const renderStarted = performance.now()
      try {
        return templates(scenario, context)
      } finally {
        renderMs += performance.now() - renderStarted
      }
    }
    const plan = await planNight({ db, clock: systemClock }, { libraryId, asOf, dryRun: false, render })
    const ms = performance.now() - startedAt
    if (!plan.ok) throw new Error(`the night was refused: ${plan.error.code}`)
    const { rows } = await sql<{ messages: number; recipients: number; ledger: number; body_kb: number }>`
      select (select count(*)::int from messages where library_id = ${libraryId}) as messages,
             (select count(*)::int from message_recipients) as recipients,
             (select count(*)::int from notice_sends) as ledger,
             (select (avg(length(subject) + length(html) + length(text)) / 1024)::float from messages where library_id = ${libraryId}) as body_kb`.execute(db)
    const written = rows[0]
    if (written.messages < 1_000) throw new Error(`the night wrote ${written.messages} messages: the district has no night to plan`)

    await sql`checkpoint`.execute(db).catch(() => {})
    const baselineStarted = performance.now()
    await sql`
      insert into messages (library_id, scenario, patron_id, reservation_id, dedupe_key, subject, html, text, status, reason, as_of)
      select library_id, scenario, patron_id, reservation_id, 'baseline:' || dedupe_key, subject, html, text, status, reason, as_of
        from messages where library_id = ${libraryId} and as_of = ${asOf}`.execute(db)
    const baselineMs = performance.now() - baselineStarted

    const byScenario = plan.value.summary.scenarios.map((count) => `${count.scenario.replace(/^[a-z]+\./, '')} ${count.queued}`).join(', ')
    log(
      `B3 ${district.kind} run ${run}: night ${ms.toFixed(0)} ms (rendering ${renderMs.toFixed(0)}), baseline ${baselineMs.toFixed(0)} ms: ` +
        `${written.messages} messages of ${written.body_kb.toFixed(1)} KB (${byScenario}), ${written.recipients} recipients, ${written.ledger} ledger rows`,
    )
    return { ms, renderMs, messages: written.messages, recipients: written.recipients, ledger: written.ledger, bodyKb: written.body_kb, baselineMs }
  } finally {
    await handle.close()
  }
}

function figureOf(kind: BenchDatabase['kind'], runs: Run[]): Figure {
  const value = median(runs.map((run) => run.ms))
  const baseline = median(runs.map((run) => run.baselineMs))
  return {
    id: 'B3',
    name: `nightly-planning${kind === 'server' ? '' : '-embedded'}`,
    value,
    unit: 'ms',
    reference: { kind: 'baseline', value: baseline, unit: 'ms' },
    isWithinBudget: value <= budgetRatio * baseline,
  }
}
