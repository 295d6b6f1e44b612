import type { Logger } from 'pino'
import type { BulkLoader } from '../db/bulk-load.ts'
import type { Db } from '../db/database.ts'

/** The clock is passed in so every rule can be run "as of" another time, and tested. */
export type Clock = { now(): Date }
export const systemClock: Clock = { now: () => new Date() }

/** Everything a use case may ask for; each one picks only what it uses. */
export type AppDeps = {
  db: Db
  /** COPY into staging tables, outside any transaction. */
  bulkLoad: BulkLoader
  clock: Clock
  logger: Logger
  /** Slack users who are admins of every library, from SLACK_ADMIN_USER_IDS. */
  adminUserIds: readonly string[]
}
