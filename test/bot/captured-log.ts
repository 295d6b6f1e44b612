import pino, { type Logger } from 'pino'

/** One line the service logged, as pino writes it: `level` 40 is a warning, 50 an error. */
export type LogLine = { level: number; msg: string; [field: string]: unknown }

/** A logger that keeps every line the service logs, for tests about what reaches the IT admin. */
export function capturedLog(): { logger: Logger; lines: () => LogLine[]; raw: () => string; clear(): void } {
  const written: string[] = []
  const logger = pino({ level: 'info' }, { write: (line: string) => void written.push(line) })
  return {
    logger,
    lines: () => written.map((line) => JSON.parse(line) as LogLine),
    raw: () => written.join(''),
    clear: () => {
      written.length = 0
    },
  }
}
