import { sql } from 'kysely'
import type { Db } from '../../src/db/database.ts'
import type { RenderNotice } from '../../src/domain/notices/compose.ts'
import type { ScenarioName } from '../../src/domain/scenarios/catalogue.ts'
import { defaultScenarioSettings, type Frequency } from '../../src/domain/scenarios/settings.ts'

/**
 * A template that stands in for the real ones: the subject says the scenario and the patron,
 * the text lists what the notice concerns, each loan with its days overdue (`Dracula +29`) or
 * until due (`Emma -2`), the HTML its dates written out.
 */
export const listingRender: RenderNotice = (scenario, context) => ({
  subject: `${scenario.replace(/^[a-z]+\./, '')} for ${context.patron?.username}`,
  html: [
    `<p>Dear ${context.addressee}</p>`,
    ...(context.loans ?? []).map((loan) => `<li>${loan.title}, due ${loan.due_date_text}, out ${loan.checked_out_on_text}</li>`),
    ...(context.reservation ? [`<li>${context.reservation.title}, collect by ${context.reservation.pickup_by_text}</li>`] : []),
  ].join(''),
  text: [
    ...(context.loans ?? []).map((loan) => `${loan.title} ${loan.days_overdue > 0 ? `+${loan.days_overdue}` : `-${loan.days_until_due}`}`),
    ...(context.reservation ? [`${context.reservation.title} by ${context.reservation.pickup_by}`] : []),
  ].join(', '),
})

/** Sets how a library runs a scenario, the rest as the defaults. */
export async function setScenario(
  db: Db,
  libraryId: number,
  scenario: ScenarioName,
  settings: { enabled?: boolean; daysBefore?: number; frequency?: Frequency; daysOverdue?: number },
): Promise<void> {
  const merged = { ...defaultScenarioSettings[scenario], ...settings }
  const frequency = merged.frequency
  const row = {
    enabled: merged.enabled,
    days_before: merged.daysBefore,
    frequency: frequency?.every ?? null,
    weekday: frequency?.every === 'week' ? frequency.weekday : null,
    month_day: frequency?.every === 'month' ? frequency.day : null,
    days_overdue: merged.daysOverdue,
    updated_by: 'test',
  }
  await db
    .insertInto('scenario_settings')
    .values({ library_id: libraryId, scenario, ...row })
    .onConflict((oc) => oc.columns(['library_id', 'scenario']).doUpdateSet(row))
    .execute()
}

/**
 * The library's emails out, oldest first, as `subject: recipients | text` (a skipped one as
 * `subject: skipped reason`); with `asOf`, those planned for that night.
 */
export async function emailsOut(db: Db, libraryId: number, options: { asOf?: string } = {}): Promise<string[]> {
  const { rows } = await sql<{ subject: string; status: string; reason: string | null; text: string; recipients: string | null }>`
    select m.subject, m.status, m.reason, m.text,
           (select string_agg(r.kind || ' ' || r.address, ', ' order by r.position) from message_recipients r where r.message_id = m.id) as recipients
      from messages m
     where m.library_id = ${libraryId} and (${options.asOf ?? null}::date is null or m.as_of = ${options.asOf ?? null}::date)
     order by m.id`.execute(db)
  return rows.map((row) => (row.status === 'skipped' ? `${row.subject}: skipped ${row.reason}` : `${row.subject}: ${row.recipients} | ${row.text}`))
}

/** What the ledger holds for the library: `scenario loan-or-reservation title period`, sorted. */
export async function ledgerOf(db: Db, libraryId: number): Promise<string[]> {
  const { rows } = await sql<{ entry: string }>`
    select s.scenario || ' ' || i.title || case when s.period = '' then '' else ' ' || s.period end as entry
      from notice_sends s
      left join loans l on l.id = s.loan_id
      left join reservations r on r.id = s.reservation_id
      join items i on i.id = coalesce(l.item_id, r.item_id)
     where s.library_id = ${libraryId}
     order by 1`.execute(db)
  return rows.map((row) => row.entry)
}
