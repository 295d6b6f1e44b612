import { addDays, isoWeekday } from '../calendar.ts'
import type { Frequency } from '../scenarios/settings.ts'

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
