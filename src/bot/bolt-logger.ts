import { type Logger as BoltLogger, LogLevel } from '@slack/bolt'
import type { Logger } from 'pino'

/**
 * Bolt and its Web API client log through our pino logger. Their debug lines are dropped: at
 * that level they print request bodies, which hold message text and patrons' addresses.
 */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'slack' })
  const forward =
    (level: 'info' | 'warn' | 'error') =>
    (...parts: unknown[]) => {
      const error = parts.find((part): part is Error => part instanceof Error)
      // Bolt's own words only: an error's message (a database's, say) may quote a patron's data;
      // the error itself goes through the logger's serializer, which leaves that out.
      const message = parts.filter((part): part is string => typeof part === 'string').join(' ')
      child[level]({ err: error }, message || (error ? `Slack: ${error.name}` : 'slack'))
    }
  return {
    debug: () => {},
    info: forward('info'),
    warn: forward('warn'),
    error: forward('error'),
    // pino's level, set from LOG_LEVEL, decides; Bolt may not change it.
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  }
}
