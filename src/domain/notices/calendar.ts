import type { Frequency } from '../scenarios/settings.ts'

/**
 * Calendar dates as the library counts them: 'YYYY-MM-DD' strings, the library's own days. The
 * arithmetic runs on UTC midnights, where every day has 24 hours, so a daylight-saving change in
 * the library's zone never makes a day of 23 or 25 hours here.
 */

/** Whether `value` is a real date written 'YYYY-MM-DD' (not 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value)) return false
  const date = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value
}

/** `date` moved by `days` (negative: back). */
export function addDays(date: string, days: number): string {
  const moved = new Date(`${date}T00:00:00Z`)
  moved.setUTCDate(moved.getUTCDate() + days)
  return moved.toISOString().slice(0, 10)
}

/** The ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay()
  return day === 0 ? 7 : day
}

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/**
 * The overdue notice's period on the night `asOf`: the latest date on or before it that the
 * frequency schedules (seed 002). Daily: the night itself. Weekly: the latest date with that
 * weekday. Monthly: the latest date whose day is `day`, or the month's last day when the month is
 * shorter (31 means the last day; 30 in February means the 28th or, in a leap year, the 29th).
 * A notice is due while a loan overdue on that date has not been sent for the period, so a night
 * that did not run is caught up by the next one of the same period.
 * @example overduePeriod({ every: 'month', day: 31 }, '2026-03-05') // '2026-02-28'
 */
export function overduePeriod(frequency: Frequency, asOf: string): string {
  switch (frequency.every) {
    case 'day':
      return asOf
    case 'week':
      return addDays(asOf, -((isoWeekday(asOf) - frequency.weekday + 7) % 7))
    case 'month': {
      const [year, month, day] = asOf.split('-').map(Number)
      const thisMonth = Math.min(frequency.day, lastDayOfMonth(year, month))
      if (thisMonth <= day) return `${asOf.slice(0, 8)}${String(thisMonth).padStart(2, '0')}`
      const [lastYear, lastMonth] = month === 1 ? [year - 1, 12] : [year, month - 1]
      const thatMonth = Math.min(frequency.day, lastDayOfMonth(lastYear, lastMonth))
      return `${lastYear}-${String(lastMonth).padStart(2, '0')}-${String(thatMonth).padStart(2, '0')}`
    }
  }
}

const textFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })

/**
 * A date as a notice writes it for people: "Monday 2 March 2026".
 * @example dateText('2026-03-02') // 'Monday 2 March 2026'
 */
export function dateText(date: string): string {
  const parts = Object.fromEntries(textFormat.formatToParts(new Date(`${date}T00:00:00Z`)).map((part) => [part.type, part.value]))
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}`
}
