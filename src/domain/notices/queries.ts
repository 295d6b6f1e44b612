import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'

/**
 * The advisory lock of a library's nightly run (with the library's id), held until the run's
 * transaction ends: two instances, or the schedule and `notices run`, never plan one library at
 * once. A process that dies takes it with it.
 */
export const nightLock = 20_490

/** The job_runs name of the nightly run. */
export const nightJob = 'notices.nightly'

/** Takes the library's night lock, waiting for a run that holds it to end. Returns whether it had to wait. */
export async function lockNight(db: Db, libraryId: number): Promise<{ waited: boolean }> {
  const { rows } = await sql<{ free: boolean }>`select pg_try_advisory_xact_lock(${nightLock}, ${libraryId}) as free`.execute(db)
  if (rows[0].free) return { waited: false }
  await sql`select pg_advisory_xact_lock(${nightLock}, ${libraryId})`.execute(db)
  return { waited: true }
}

export type NightLibrary = { id: number; name: string; timeZone: string; slackChannel: string | null }

export async function selectNightLibrary(db: Db, libraryId: number): Promise<NightLibrary | undefined> {
  return db
    .selectFrom('libraries')
    .select(['id', 'name', 'time_zone as timeZone', 'slack_channel as slackChannel'])
    .where('id', '=', libraryId)
    .executeTakeFirst()
}

/** A loan as a notice lists it, with its patron. Dates are the library's calendar dates. */
export type NoticeLoanRow = {
  loanId: number
  patronId: number
  username: string
  title: string
  author: string
  barcode: string
  checkedOutOn: string
  dueDate: string
  daysOverdue: number
}

/** An overdue loan of a patron who is due an escalation or an overdue notice tonight. */
export type OverdueLoanRow = NoticeLoanRow & {
  /** The escalation the patron is due: the highest level that applies to their most overdue loan, not yet sent for it. */
  escalationLevel: number | null
  escalationLoanId: number | null
  /** Whether a loan overdue on the period's date has not been sent an overdue notice for the period. */
  isOverdueDue: boolean
}

const loanColumns = sql`i.title, i.author, i.barcode, to_char((l.checked_out_at at time zone lib.time_zone)::date, 'YYYY-MM-DD') as "checkedOutOn",
       to_char(l.due_date, 'YYYY-MM-DD') as "dueDate"`

/**
 * Every open overdue loan of each patron due an escalation or an overdue notice on the night
 * `asOf`, decided in one statement (seed 002):
 * - escalation: of the patron's open overdue loans the most overdue (the earliest due date, then
 *   the first lent); of the levels switched on (`levels`, with their days overdue) the highest
 *   whose days it has reached; due if that level was never sent for that loan;
 * - overdue: `period` (null when the scenario is off) is the frequency's date; due while a loan
 *   that was overdue on that date has no overdue notice for the period.
 * Lost and returned loans are never chased. Most overdue first.
 */
export async function selectOverdueLoans(
  db: Db,
  input: { libraryId: number; asOf: string; period: string | null; levels: ReadonlyArray<{ level: number; daysOverdue: number }> },
): Promise<OverdueLoanRow[]> {
  const levels = input.levels.map((l) => l.level)
  const levelDays = input.levels.map((l) => l.daysOverdue)
  const { rows } = await sql<OverdueLoanRow>`
    with overdue as (
      select l.id, l.patron_id, l.item_id, l.due_date, l.checked_out_at, ${input.asOf}::date - l.due_date as days_overdue,
             row_number() over (partition by l.patron_id order by l.due_date, l.id) as rank
        from loans l
       where l.library_id = ${input.libraryId} and l.status = 'open' and l.due_date < ${input.asOf}::date
    ),
    most_overdue as (
      select o.patron_id, o.id as loan_id,
             (select max(e.level) from unnest(${sql.val(levels)}::int[], ${sql.val(levelDays)}::int[]) as e(level, days) where e.days <= o.days_overdue) as level
        from overdue o
       where o.rank = 1
    ),
    escalating as (
      select m.patron_id, m.loan_id, m.level
        from most_overdue m
       where m.level is not null
         and not exists (select 1 from notice_sends s
                          where s.loan_id = m.loan_id and s.scenario = 'circulation.escalation_' || m.level and s.period = '')
    ),
    chased as (
      select distinct o.patron_id
        from overdue o
       where o.due_date < ${input.period}::date
         and not exists (select 1 from notice_sends s
                          where s.loan_id = o.id and s.scenario = 'circulation.overdue' and s.period = ${input.period ?? ''})
    )
    select l.id as "loanId", l.patron_id as "patronId", p.username, ${loanColumns}, l.days_overdue as "daysOverdue",
           e.level as "escalationLevel", e.loan_id as "escalationLoanId", c.patron_id is not null as "isOverdueDue"
      from overdue l
      join patrons p on p.id = l.patron_id
      join items i on i.id = l.item_id
      join libraries lib on lib.id = ${input.libraryId}
      left join escalating e on e.patron_id = l.patron_id
      left join chased c on c.patron_id = l.patron_id
     where e.patron_id is not null or c.patron_id is not null
     order by l.patron_id, l.rank`.execute(db)
  return rows
}

/** A loan falling due soon, of a patron due a pre-overdue notice. */
export type DueSoonLoanRow = NoticeLoanRow & { daysUntilDue: number }

/**
 * Every open loan due in 1 to `daysBefore` days of each patron with one such loan not yet
 * reminded for its due date (a renewal to a new due date earns a fresh reminder). Soonest first.
 */
export async function selectLoansDueSoon(db: Db, input: { libraryId: number; asOf: string; daysBefore: number }): Promise<DueSoonLoanRow[]> {
  const { rows } = await sql<DueSoonLoanRow>`
    with soon as (
      select l.id, l.patron_id, l.item_id, l.due_date, l.checked_out_at, l.due_date - ${input.asOf}::date as days_until_due,
             not exists (select 1 from notice_sends s
                          where s.loan_id = l.id and s.scenario = 'circulation.pre_overdue' and s.period = to_char(l.due_date, 'YYYY-MM-DD')) as unreminded
        from loans l
       where l.library_id = ${input.libraryId} and l.status = 'open'
         and l.due_date > ${input.asOf}::date and l.due_date <= ${input.asOf}::date + ${input.daysBefore}::int
    )
    select l.id as "loanId", l.patron_id as "patronId", p.username, ${loanColumns},
           -l.days_until_due as "daysOverdue", l.days_until_due as "daysUntilDue"
      from soon l
      join patrons p on p.id = l.patron_id
      join items i on i.id = l.item_id
      join libraries lib on lib.id = ${input.libraryId}
     where l.patron_id in (select patron_id from soon where unreminded)
     order by l.patron_id, l.due_date, l.id`.execute(db)
  return rows
}

/** A reservation ready for pickup that is expiring or has expired. */
export type ReservationRow = {
  reservationId: number
  patronId: number
  username: string
  kind: 'expiring' | 'expired'
  title: string
  author: string
  barcode: string
  placedOn: string
  pickupBy: string
}

/**
 * Reservations ready for pickup whose pickup-by date is 0 to `expiringDaysBefore` days away and
 * that were not told so for that date (expiring), or whose date has passed and that were never
 * told (expired). A scenario switched off passes null.
 */
export async function selectReservationsToTell(
  db: Db,
  input: { libraryId: number; asOf: string; expiringDaysBefore: number | null; isExpiredOn: boolean },
): Promise<ReservationRow[]> {
  const { rows } = await sql<ReservationRow>`
    select r.id as "reservationId", r.patron_id as "patronId", p.username,
           case when r.pickup_by < ${input.asOf}::date then 'expired' else 'expiring' end as kind,
           i.title, i.author, i.barcode, to_char((r.placed_at at time zone lib.time_zone)::date, 'YYYY-MM-DD') as "placedOn",
           to_char(r.pickup_by, 'YYYY-MM-DD') as "pickupBy"
      from reservations r
      join patrons p on p.id = r.patron_id
      join items i on i.id = r.item_id
      join libraries lib on lib.id = ${input.libraryId}
     where r.library_id = ${input.libraryId} and r.status = 'ready'
       and ((r.pickup_by >= ${input.asOf}::date and r.pickup_by <= ${input.asOf}::date + ${input.expiringDaysBefore}::int
             and not exists (select 1 from notice_sends s where s.reservation_id = r.id and s.scenario = 'reservation.expiring'
                                                           and s.period = to_char(r.pickup_by, 'YYYY-MM-DD')))
         or (${input.isExpiredOn}::boolean and r.pickup_by < ${input.asOf}::date
             and not exists (select 1 from notice_sends s where s.reservation_id = r.id and s.scenario = 'reservation.expired' and s.period = '')))
     order by r.patron_id, r.pickup_by, r.id`.execute(db)
  return rows
}

/** Which of `keys` the library's outbox holds already (a dry run tells what a run would leave alone). */
export async function selectExistingDedupeKeys(db: Db, input: { libraryId: number; keys: readonly string[] }): Promise<Set<string>> {
  if (input.keys.length === 0) return new Set()
  const { rows } = await sql<{ key: string }>`
    select dedupe_key as key from messages where library_id = ${input.libraryId} and dedupe_key = any(${sql.val([...input.keys])}::text[])`.execute(db)
  return new Set(rows.map((row) => row.key))
}

/** Whether the library's night `asOf` has run to the end. */
export async function isNightDone(db: Db, input: { libraryId: number; asOf: string }): Promise<boolean> {
  const row = await db
    .selectFrom('job_runs')
    .select('id')
    .where('library_id', '=', input.libraryId)
    .where('job', '=', nightJob)
    .where('as_of', '=', input.asOf)
    .where('status', '=', 'done')
    .executeTakeFirst()
  return row !== undefined
}

/** Records a night's run and its summary (counts only: no personal data). */
export async function insertJobRun(
  db: Db,
  input: { libraryId: number; asOf: string; startedAt: Date; finishedAt: Date; status: 'done' | 'failed'; summary: unknown },
): Promise<void> {
  await db
    .insertInto('job_runs')
    .values({
      library_id: input.libraryId,
      job: nightJob,
      as_of: input.asOf,
      started_at: input.startedAt,
      finished_at: input.finishedAt,
      status: input.status,
      summary: JSON.stringify(input.summary),
    })
    .execute()
}

/** A library whose night is due: its local time has passed its start time, and today's night has not run. */
export type DueLibrary = NightLibrary & { today: string }

/**
 * The libraries whose nightly run is due at `now`: in each library's time zone, the time is
 * past its `run_at` and today's night is not done, nor failed within the last `retryAfterMinutes`
 * (a failing night is tried again, not every minute). A library's time zone or start time
 * changed takes effect at once: nothing is cached.
 */
export async function selectDueLibraries(db: Db, input: { now: Date; retryAfterMinutes: number }): Promise<DueLibrary[]> {
  const { rows } = await sql<DueLibrary>`
    select l.id, l.name, l.time_zone as "timeZone", l.slack_channel as "slackChannel", to_char(t.today, 'YYYY-MM-DD') as today
      from libraries l
     cross join lateral (select (${input.now}::timestamptz at time zone l.time_zone)::date as today,
                                (${input.now}::timestamptz at time zone l.time_zone)::time as time) as t
     where t.time >= l.run_at
       and not exists (select 1 from job_runs j
                        where j.library_id = l.id and j.job = ${nightJob} and j.as_of = t.today
                          and (j.status = 'done'
                               or (j.status = 'failed' and j.started_at > ${input.now}::timestamptz - make_interval(mins => ${input.retryAfterMinutes}))))
     order by l.id`.execute(db)
  return rows
}
