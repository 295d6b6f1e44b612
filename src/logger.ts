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
