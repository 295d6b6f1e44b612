const written = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })

/**
 * A calendar date written out for people, as the `_text` placeholders carry it.
 * @example dateText('2026-03-02') // 'Monday 2 March 2026'
 */
export function dateText(date: string): string {
  // The date is a day of the library's calendar: read and written in UTC, it keeps its day.
  const parts = Object.fromEntries(written.formatToParts(new Date(`${date}T00:00:00Z`)).map((part) => [part.type, part.value]))
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}`
}

/** The calendar date `days` after `date` (before it, when negative). */
export function addDays(date: string, days: number): string {
  const day = new Date(`${date}T00:00:00Z`)
  day.setUTCDate(day.getUTCDate() + days)
  return day.toISOString().slice(0, 10)
}
