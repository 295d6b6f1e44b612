import type { ImportProgress } from '../domain/imports/stage-file.ts'
import type { CliTerminal } from './command.ts'

/** What an import reports while it runs: the domain's phases, and the bytes read from disk. */
type ImportProgressView = {
  onProgress(progress: ImportProgress): void
  onBytes(bytesRead: number): void
  /** Clears the bar, so what follows starts on a clean line. */
  finish(): void
}

// A terminal is redrawn at most this often; a log (stderr not a terminal) gets a line at most this often.
const redrawEveryMs = 100
const logEveryMs = 5_000

/**
 * A progress bar on stderr when it is a terminal (rows read against the file's size, then
 * applying), plain lines when it is a log or a pipe, so cron mail stays readable.
 */
export function showImportProgress(terminal: CliTerminal, file: { name: string; sizeBytes: number }): ImportProgressView {
  let phase: ImportProgress['phase'] = 'reading'
  let rowsRead = 0
  let bytesRead = 0
  let applied: { done: number; total: number } | undefined
  let shownAt = Number.NEGATIVE_INFINITY
  let drawn = false
  let started = false

  const percent = (part: number, whole: number) => (whole > 0 ? Math.min(100, Math.floor((100 * part) / whole)) : 100)
  const count = (n: number) => n.toLocaleString('en-US')
  const rows = (n: number) => `${count(n)} ${n === 1 ? 'row' : 'rows'}`
  const bar = (part: number, whole: number) => {
    const width = Math.max(10, Math.min(40, terminal.columns - 50))
    const filled = Math.round((width * percent(part, whole)) / 100)
    return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(percent(part, whole)).padStart(3)}%`
  }
  const barLine = () => {
    switch (phase) {
      case 'reading':
        // Rows are counted as each batch is staged: until the first, there is no count to show.
        return `reading  ${bar(bytesRead, file.sizeBytes)}${rowsRead > 0 ? `  ${rows(rowsRead)}` : ''}`
      case 'checking':
        return `checking ${rows(rowsRead)} against the database…`
      case 'applying':
        return applied && applied.done > 0 ? `applying ${bar(applied.done, applied.total)}` : `applying ${rows(rowsRead)} in one transaction…`
      case 'done':
        return ''
    }
  }
  const logLine = () => {
    switch (phase) {
      case 'reading':
        return `read ${rows(rowsRead)} (${percent(bytesRead, file.sizeBytes)}% of the file)`
      case 'checking':
        return `read ${rows(rowsRead)}; checking ${rowsRead === 1 ? 'it' : 'them'} against the database`
      case 'applying':
        return applied && applied.done > 0 ? `applied ${count(applied.done)} of ${rows(applied.total)}` : `applying ${rows(rowsRead)}`
      case 'done':
        return 'done'
    }
  }
  const show = (phaseChanged: boolean) => {
    const now = performance.now()
    if (!phaseChanged && now - shownAt < (terminal.isTerminal ? redrawEveryMs : logEveryMs)) return
    shownAt = now
    if (terminal.isTerminal) {
      const line = barLine()
      terminal.stderr(`\r\x1b[K${line}`)
      drawn = line !== ''
    } else terminal.stderr(`${logLine()}\n`)
  }

  return {
    onProgress(progress) {
      const phaseChanged = progress.phase !== phase
      phase = progress.phase
      rowsRead = progress.rowsRead
      // Patrons report the last line applied, which counts the header: a row past the total.
      applied = progress.phase === 'applying' ? { done: Math.min(progress.done, progress.total), total: progress.total } : undefined
      // The domain reports reading after each batch it stages; only the bytes move the bar in between.
      if (phaseChanged || phase !== 'reading') show(phaseChanged)
    },
    onBytes(read) {
      bytesRead = read
      // Announced on the first bytes, so a refusal before reading (a mistyped level) stands alone.
      if (!started && !terminal.isTerminal) {
        terminal.stderr(`reading ${file.name} (${(file.sizeBytes / 1e6).toFixed(1)} MB)\n`)
        shownAt = performance.now()
      } else show(!started)
      started = true
    },
    finish() {
      if (terminal.isTerminal && drawn) terminal.stderr('\r\x1b[K')
      drawn = false
    },
  }
}
