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

/** The calendar date of `instant` in `timeZone`, 'YYYY-MM-DD': "today" for a library is its own date. */
export function dateIn(timeZone: string, instant: Date): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant)
}

/** `date` moved by `days` (negative: back). */
export function addDays(date: string, days: number): string {
  const moved = new Date(`${date}T00:00:00Z`)
  moved.setUTCDate(moved.getUTCDate() + days)
  return moved.toISOString().slice(0, 10)
}

/** Whole days from one calendar date to another: 1 from 2026-03-01 to 2026-03-02. */
export function daysFrom(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}

/** The ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay()
  return day === 0 ? 7 : day
}

const textFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })

/**
 * A date as a notice writes it for people, as the `_text` placeholders carry it.
 * @example dateText('2026-03-02') // 'Monday 2 March 2026'
 */
export function dateText(date: string): string {
  const parts = Object.fromEntries(textFormat.formatToParts(new Date(`${date}T00:00:00Z`)).map((part) => [part.type, part.value]))
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}`
}
