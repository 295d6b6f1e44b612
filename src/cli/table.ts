/** Left-aligned columns separated by two spaces, for a terminal; the header comes first. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd()
  return [header, ...rows].map(line).join('\n') + '\n'
}

/** An instant as an admin reads it in a table: UTC, to the minute. */
export function formatInstant(instant: Date | string | null): string {
  if (instant === null) return '-'
  return new Date(instant).toISOString().slice(0, 16).replace('T', ' ') + 'Z'
}
