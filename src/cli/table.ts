/** Left-aligned columns separated by two spaces, for a terminal; the header comes first. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd()
  return `${[header, ...rows].map(line).join('\n')}\n`
}

/** An instant as an admin reads it in a table: UTC, to the minute. */
export function formatInstant(instant: Date | string | null): string {
  if (instant === null) return '-'
  return `${new Date(instant).toISOString().slice(0, 16).replace('T', ' ')}Z`
}

/** An instant as the library's clock showed it, to the second: `2026-03-02 00:01:00`. */
export function formatLocalInstant(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  )
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`
}
