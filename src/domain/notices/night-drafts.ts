import { dateText } from '../calendar.ts'
import { escalationScenarios, type ScenarioName } from '../scenarios/catalogue.ts'
import type { LoanContext, NoticeContext } from '../templates/context.ts'
import type { NoticeDraft } from './compose.ts'
import type { NightNotice } from './errors.ts'
import type { DueSoonLoanRow, NoticeLoanRow, OverdueLoanRow, ReservationRow } from './queries.ts'

/** A notice of the night before it is composed: the draft, and what a preview shows of it. */
export type NightDraft = NoticeDraft & { username: string; loans: NightNotice['loans']; reservation: NightNotice['reservation'] }

/** The scenario of escalation level 1, 2 or 3. */
export const escalationScenario = (level: number): ScenarioName => escalationScenarios[level - 1]

/** Rows ordered by patron, one list per patron. */
function byPatron<Row extends { patronId: number }>(rows: readonly Row[]): Row[][] {
  const groups: Row[][] = []
  for (const row of rows) {
    const last = groups.at(-1)
    if (last && last[0].patronId === row.patronId) last.push(row)
    else groups.push([row])
  }
  return groups
}

/**
 * `dateText` once per date of the night: a district's tens of thousands of loans fall on a few
 * hundred dates, and Intl's formatToParts cost B3 some 400 ms called for each.
 */
function dateTexts(): (date: string) => string {
  const texts = new Map<string, string>()
  return (date) => {
    let text = texts.get(date)
    if (text === undefined) {
      text = dateText(date)
      texts.set(date, text)
    }
    return text
  }
}

function loanContext(row: NoticeLoanRow, textOf: (date: string) => string): LoanContext {
  return {
    title: row.title,
    author: row.author,
    barcode: row.barcode,
    checked_out_on: row.checkedOutOn,
    checked_out_on_text: textOf(row.checkedOutOn),
    due_date: row.dueDate,
    due_date_text: textOf(row.dueDate),
    days_overdue: row.daysOverdue,
    days_until_due: -row.daysOverdue,
  }
}

function loanDraft(
  rows: readonly NoticeLoanRow[],
  textOf: (date: string) => string,
): Pick<NightDraft, 'patronId' | 'username' | 'context' | 'loanIds' | 'loans'> {
  return {
    patronId: rows[0].patronId,
    username: rows[0].username,
    context: { loans: rows.map((row) => loanContext(row, textOf)) },
    loanIds: rows.map((row) => row.loanId),
    loans: rows.map((row) => ({ title: row.title, barcode: row.barcode, dueDate: row.dueDate, daysOverdue: row.daysOverdue })),
  }
}

/**
 * The circulation notices of the night (seed 002): for each patron, one notice listing every
 * open overdue loan, most overdue first: the escalation they are due, else the overdue notice.
 * An escalation records its level for each listed loan that has reached the level's days (each
 * level once per loan), and the overdue period for every listed loan, since it stands in for
 * that period's overdue notice. Which patron's overdue notice the escalation replaces is decided
 * once the escalations are composed (an excluded patron still gets the overdue notice).
 */
export function circulationDrafts(
  rows: readonly OverdueLoanRow[],
  input: { asOf: string; period: string | null; levelDays: ReadonlyMap<number, number> },
): { escalations: Map<number, NightDraft[]>; overdue: NightDraft[] } {
  const escalations = new Map<number, NightDraft[]>()
  const overdue: NightDraft[] = []
  const periodLedger = (loans: readonly OverdueLoanRow[]) =>
    input.period === null ? [] : loans.map((loan) => ({ scenario: 'circulation.overdue' as const, loanId: loan.loanId, period: input.period! }))
  const textOf = dateTexts()
  for (const loans of byPatron(rows)) {
    const { escalationLevel: level, escalationLoanId } = loans[0]
    const base = { ...loanDraft(loans, textOf), asOf: input.asOf, reservation: null }
    if (level !== null && escalationLoanId !== null) {
      const scenario = escalationScenario(level)
      const days = input.levelDays.get(level)!
      const list = escalations.get(level) ?? []
      list.push({
        ...base,
        dedupeKey: `escalation_${level}:${base.patronId}:${escalationLoanId}`,
        ledger: [...loans.filter((loan) => loan.daysOverdue >= days).map((loan) => ({ scenario, loanId: loan.loanId, period: '' })), ...periodLedger(loans)],
      })
      escalations.set(level, list)
    }
    if (loans[0].isOverdueDue && input.period !== null) {
      overdue.push({ ...base, dedupeKey: `overdue:${base.patronId}:${input.period}`, ledger: periodLedger(loans) })
    }
  }
  return { escalations, overdue }
}

/** One pre-overdue notice per patron, listing every loan due soon; each listed loan is reminded for its due date. */
export function dueSoonDrafts(rows: readonly DueSoonLoanRow[], input: { asOf: string }): NightDraft[] {
  const textOf = dateTexts()
  return byPatron(rows).map((loans) => ({
    ...loanDraft(loans, textOf),
    dedupeKey: `pre_overdue:${loans[0].patronId}:${input.asOf}`,
    asOf: input.asOf,
    reservation: null,
    ledger: loans.map((loan) => ({ scenario: 'circulation.pre_overdue' as const, loanId: loan.loanId, period: loan.dueDate })),
  }))
}

/** One notice per reservation: expiring once per pickup-by date, expired once. */
export function reservationDrafts(rows: readonly ReservationRow[], input: { asOf: string; kind: ReservationRow['kind'] }): NightDraft[] {
  const textOf = dateTexts()
  return rows
    .filter((row) => row.kind === input.kind)
    .map((row) => {
      const reservation: NonNullable<NoticeContext['reservation']> = {
        title: row.title,
        author: row.author,
        barcode: row.barcode,
        placed_on: row.placedOn,
        placed_on_text: textOf(row.placedOn),
        pickup_by: row.pickupBy,
        pickup_by_text: textOf(row.pickupBy),
      }
      const expiring = input.kind === 'expiring'
      return {
        patronId: row.patronId,
        username: row.username,
        dedupeKey: expiring ? `reservation_expiring:${row.reservationId}:${row.pickupBy}` : `reservation_expired:${row.reservationId}`,
        context: { reservation },
        reservationId: row.reservationId,
        asOf: input.asOf,
        ledger: [
          { scenario: expiring ? 'reservation.expiring' : 'reservation.expired', reservationId: row.reservationId, period: expiring ? row.pickupBy : '' },
        ],
        loans: [],
        reservation: { title: row.title, pickupBy: row.pickupBy },
      }
    })
}
