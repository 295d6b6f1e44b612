import pino, { type DestinationStream, type Logger } from 'pino'

/**
 * JSON lines on stdout. Secrets, tokens and message bodies never reach the log: these paths
 * are censored wherever they appear in a logged object.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'library-comms' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: loggableError, error: loggableError },
      redact: {
        paths: [
          'token',
          '*.token',
          'botToken',
          'appToken',
          'signingSecret',
          '*.signingSecret',
          'key',
          'apiKey',
          'authorization',
          '*.authorization',
          'headers.authorization',
          '*.headers.authorization',
          'headers["x-slack-signature"]',
          '*.headers["x-slack-signature"]',
          'password',
          '*.password',
          'body',
          '*.body',
          'html',
          '*.html',
          'text',
          '*.text',
          'databaseUrl',
          '*.databaseUrl',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  )
}

// Of a database error, what says where it came from. Postgres's `detail`, `where` and `hint`, and
// a driver's `query` and `parameters`, quote the rows of the statement: a patron's name, a
// username, an address. They are left out, as message bodies are.
const safeFields = [
  'code',
  'severity',
  'routine',
  'constraint_name',
  'table_name',
  'column_name',
  'schema_name',
  'errno',
  'syscall',
  'address',
  'port',
  'status',
]

/**
 * What the log keeps of an error: its type, its message with anything in quotes taken out
 * (`invalid input syntax for type integer: "…"`), its code and the database's names for what
 * failed, and its stack frames; its cause, likewise.
 */
function loggableError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error }
  const fields = error as Error & Record<string, unknown>
  const kept: Record<string, unknown> = { type: error.name, message: error.message.replace(/"[^"]*"|'[^']*'/g, '"…"') }
  for (const field of safeFields) {
    const value = fields[field]
    if (typeof value === 'string' || typeof value === 'number') kept[field] = value
  }
  const frames = error.stack
    ?.split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .join('\n')
  if (frames) kept.stack = frames
  if (error.cause !== undefined && depth < 3) kept.cause = loggableError(error.cause, depth + 1)
  return kept
}
