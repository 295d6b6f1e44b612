import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { type ServerType, serve } from '@hono/node-server'
import type { Hono } from 'hono'
import { sql } from 'kysely'
import type { Logger } from 'pino'
import { createSlackBot, type SlackBot } from './bot/app.ts'
import type { SlackMessage } from './bot/views.ts'
import { type Config, ConfigError, defaultEmailFrom, loadConfig } from './config.ts'
import { DataDirInUse } from './db/data-dir-lock.ts'
import { type DatabaseHandle, openEmbeddedDatabase, openServerDatabase } from './db/database.ts'
import { EmbeddedDatabaseError } from './db/embedded-server.ts'
import { migrateToLatest } from './db/migrate.ts'
import { giveUpUnfinishedBatches } from './domain/batches/give-up-batches.ts'
import { defaultSoftBounceSettings } from './domain/bounces/record-ses-event.ts'
import { type AppDeps, type Clock, systemClock } from './domain/deps.ts'
import { createSendPace, type SendPace } from './domain/notices/send-rate.ts'
import { apiRoutes } from './http/api/routes.ts'
import { createHttpApp } from './http/app.ts'
import { createSesWebhook } from './http/ses-webhook.ts'
import { fetchFromSns, type SnsFetch } from './http/sns/verify-sns-message.ts'
import { unsubscribeRoutes } from './http/unsubscribe/routes.ts'
import { startBounceJobs } from './jobs/bounces-daily.ts'
import { startDispatcher } from './jobs/dispatcher.ts'
import { startNightlySchedule } from './jobs/nightly.ts'
import { startPurgeSweep } from './jobs/purge-sweep.ts'
import { createLogger } from './logger.ts'
import { createFileTransport } from './mail/file-transport.ts'
import { createSesSuppressionList, type SuppressionList } from './mail/ses-suppression.ts'
import { createSesClient, createSesTransport, readAccountSendRate, SesStartError } from './mail/ses-transport.ts'
import type { EmailTransport } from './mail/transport.ts'

export type Service = { port: number; deps: AppDeps; stop(): Promise<void> }

/**
 * Starts everything: HTTP first (so /healthz answers at once), then the database and its
 * migrations (after which /readyz answers 200), then Slack, then the dispatcher that sends the
 * outbox.
 */
export async function startService(
  config: Config,
  options: {
    logger?: Logger
    clock?: Clock
    /** An open database to use instead of the configured one (tests). */
    database?: DatabaseHandle
    /** False: queued messages are not sent (tests that look at the outbox as it was queued). */
    dispatch?: boolean
    /** How the SES webhook reaches SNS (certificates, subscription confirmations); tests serve local files. */
    fetchSns?: SnsFetch
    /** The nightly run's schedule (src/jobs/nightly.ts); tests whose data is not about the night leave it off. */
    nightly?: boolean
    /** The blacklist's hourly tick: SES suppression sync and the daily digests (src/jobs/bounces-daily.ts); tests leave it off. */
    bounceJobs?: boolean
    /** The purge sweep every five minutes: expired requests, unfinished purges (src/jobs/purge-sweep.ts); tests leave it off. */
    purgeSweep?: boolean
    /** SES's suppression list to use instead of the configured one (tests: a fake SES endpoint). */
    suppressionList?: SuppressionList | null
  } = {},
): Promise<Service> {
  const logger = options.logger ?? createLogger(config.logLevel)
  let database: DatabaseHandle | undefined
  let deps: AppDeps | undefined
  let api: Hono | undefined
  let unsubscribe: Hono | undefined
  let bot: SlackBot | undefined
  let ready = false
  const stops: Array<() => Promise<void>> = []

  const app = createHttpApp({
    logger,
    isReady: async () => {
      if (!ready || !database) return false
      await sql`select 1`.execute(database.db)
      return true
    },
    // In Socket Mode nothing is served over HTTP: http/app.ts answers 404.
    slack:
      config.slack.mode === 'http' ? (c) => (bot?.handleHttp ? bot.handleHttp(c) : Promise.resolve(c.json({ error: 'Slack is starting' }, 503))) : undefined,
    api: () => api,
    sesWebhook: createSesWebhook({
      deps: () => (ready ? deps : undefined),
      logger,
      topicArns: config.bounces?.topicArns ?? [],
      softBounces: config.bounces ? { limit: config.bounces.softBounceLimit, windowDays: config.bounces.softBounceWindowDays } : defaultSoftBounceSettings,
      fetchSns: options.fetchSns ?? fetchFromSns,
    }),
    unsubscribe: () => unsubscribe,
  })
  const server = await listen(app, config.port, config.host)
  const { port, address } = server.address() as { port: number; address: string }
  logger.info({ port, address, pid: process.pid }, 'listening')

  try {
    if (options.database) database = options.database
    else {
      database = config.databaseUrl ? openServerDatabase(config.databaseUrl) : await openEmbeddedWhenFree(config.dataDir, logger)
      stops.push(() => database!.close())
    }
    for (const event of database.events) logger.warn({ dataDir: config.dataDir }, `embedded database: ${event}`)
    const applied = await migrateToLatest(database.db)
    logger.info({ database: database.kind, applied }, 'database migrated')
    if (database.kind === 'embedded' && !options.database) {
      // This process alone owns the embedded database: an import it shows being read was left so
      // by an earlier run that died (kill -9, power cut), and changed nothing.
      const given = await giveUpUnfinishedBatches(database.db, { now: (options.clock ?? systemClock).now() })
      if (given.length > 0) logger.warn({ imports: given }, 'gave up imports an earlier run left unfinished; they changed nothing')
    }
    deps = { db: database.db, bulkLoad: database.bulkLoad, clock: options.clock ?? systemClock, logger, adminUserIds: config.adminUserIds }
    const suppressionList = options.suppressionList !== undefined ? options.suppressionList : configuredSuppressionList(config)
    api = apiRoutes({ ...deps, suppressionList })
    const links = unsubscribeSettings(config, logger)
    if (links) unsubscribe = unsubscribeRoutes({ ...deps, unsubscribeSecret: links.secret })
    if (config.slack.mode !== 'off') {
      bot = createSlackBot({ slack: config.slack, deps, logger, suppressionList })
      await bot.start()
      stops.push(() => bot!.stop())
      logger.info({ mode: config.slack.mode }, 'slack connected')
    } else {
      logger.warn('Slack is not configured (SLACK_BOT_TOKEN unset): staff commands are off')
    }
    if (options.dispatch !== false) {
      const email = config.email ?? { transport: 'file', from: defaultEmailFrom }
      let transport: EmailTransport
      let sendPace: SendPace | undefined
      if (email.transport === 'ses') {
        const client = createSesClient()
        stops.push(async () => client.destroy())
        const maxSendRate = email.maxSendRate ?? (await accountSendRate(client, logger))
        transport = createSesTransport({ client, configurationSet: email.configurationSet, clock: deps.clock })
        // One bucket for the account: every instance on this database takes from it.
        sendPace = createSendPace(deps.db, { name: 'ses', ratePerSecond: maxSendRate })
        logger.info({ transport: 'ses', maxSendRate, configurationSet: email.configurationSet ?? null }, 'sending queued email')
      } else {
        const directory = join(config.dataDir, 'outbox')
        transport = createFileTransport({ directory, clock: deps.clock })
        logger.info({ transport: email.transport, directory }, 'sending queued email')
      }
      const dispatcher = startDispatcher({ ...deps, transport, sendPace, fromAddress: email.from, unsubscribe: links })
      // Stopped before Slack and the database: the email in hand is sent and recorded first.
      stops.push(() => dispatcher.stop())
    }
    if (options.nightly !== false) {
      const report = bot ? (library: { slackChannel: string | null }, text: string) => bot!.post(library.slackChannel!, text) : undefined
      const schedule = startNightlySchedule(deps, { report })
      stops.push(() => schedule.stop())
    }
    if (options.bounceJobs !== false) {
      const post = bot ? (channel: string, message: SlackMessage) => bot!.postMessage(channel, message) : undefined
      const jobs = startBounceJobs(deps, { suppressionList, post })
      stops.push(() => jobs.stop())
    }
    if (options.purgeSweep !== false) {
      const sweep = startPurgeSweep(deps, bot ? { updater: (ref) => bot!.messageUpdater(ref) } : {})
      stops.push(() => sweep.stop())
    }
    ready = true
  } catch (error) {
    await closeServer(server)
    for (const stop of stops.reverse()) await stop().catch(() => {})
    throw error
  }

  return {
    port,
    deps,
    async stop() {
      ready = false
      await closeServer(server)
      for (const stop of stops.reverse()) await stop().catch((error) => logger.error({ err: error }, 'stop failed'))
      logger.info('stopped')
    },
  }
}

/** SES_MAX_SEND_RATE unset: the account's own rate, which start-up cannot do without. */
async function accountSendRate(client: ReturnType<typeof createSesClient>, logger: Logger): Promise<number> {
  let account: Awaited<ReturnType<typeof readAccountSendRate>>
  try {
    account = await readAccountSendRate(client)
  } catch (error) {
    throw new SesStartError(
      `could not read the SES account's sending rate with GetAccount (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}); allow ses:GetAccount or set SES_MAX_SEND_RATE`,
      { cause: error },
    )
  }
  if (!account.productionAccess) logger.warn('the SES account is in the sandbox: it sends only to verified addresses (docs/admin/ses.md)')
  if (!account.sendingEnabled) logger.error('sending is paused for the SES account: messages wait in the outbox until it is resumed')
  return account.maxSendRate
}

/**
 * SES's account suppression list, in `EMAIL_TRANSPORT=ses` mode only: region, credentials and
 * endpoint from the AWS SDK's own chain and variables (AWS_REGION, AWS_ENDPOINT_URL_SESV2).
 */
function configuredSuppressionList(config: Config): SuppressionList | null {
  if (config.email?.transport !== 'ses') return null
  return createSesSuppressionList(createSesClient())
}

/**
 * Where unsubscribe links point and the secret that signs them. Without UNSUBSCRIBE_SECRET (the
 * file transport only: config.ts requires it for SES) a fresh secret each start: the links in
 * .eml files work until the service restarts.
 */
function unsubscribeSettings(config: Config, logger: Logger): { publicUrl: string; secret: string } | undefined {
  if (!config.unsubscribe) return undefined
  if (config.unsubscribe.secret !== undefined) return { publicUrl: config.unsubscribe.publicUrl, secret: config.unsubscribe.secret }
  logger.warn('UNSUBSCRIBE_SECRET is not set: unsubscribe links work until the service restarts')
  return { publicUrl: config.unsubscribe.publicUrl, secret: randomBytes(32).toString('hex') }
}

/**
 * Opens the embedded database, waiting while a command of the tool runs it (the service was
 * stopped when the command began; it stops the database when it ends). A service restarted by
 * systemd meanwhile would otherwise fail, and soon stop being restarted. Another service on the
 * directory is refused at once.
 */
async function openEmbeddedWhenFree(dataDir: string, logger: Logger): Promise<DatabaseHandle> {
  for (let told = false; ; told = true) {
    try {
      return await openEmbeddedDatabase({ dataDir, holder: 'service' })
    } catch (error) {
      if (!(error instanceof DataDirInUse) || error.holder !== 'tool') throw error
      if (!told) logger.warn({ pid: error.pid }, 'waiting for a library-comms command to finish with the embedded database')
      await sleep(250)
    }
  }
}

// HOST unset: every address, IPv6 and IPv4.
function listen(app: Hono, port: number, hostname: string | undefined): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, ...(hostname !== undefined && { hostname }) }, () => resolve(server))
    server.once('error', reject)
  })
}

// Drains: stops accepting, lets requests in flight finish, then closes idle keep-alive sockets.
function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    if ('closeIdleConnections' in server) server.closeIdleConnections()
  })
}

/**
 * Calls `onOrphaned` once the process that started this one has gone: `npm start` killed with
 * SIGKILL, or a supervisor that died, would otherwise leave the service running under process 1,
 * holding its port and its database. A service started by process 1 itself (a container's
 * entrypoint, systemd) has no parent to lose.
 */
function watchParent(onOrphaned: () => void): void {
  const parent = process.ppid
  if (parent <= 1) return
  const timer = setInterval(() => {
    if (process.ppid === parent) return
    clearInterval(timer)
    onOrphaned()
  }, 1_000)
  timer.unref()
}

if (import.meta.main) {
  let config: Config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`library-comms: ${error.message}\n`)
      process.exit(1)
    }
    throw error
  }
  const logger = createLogger(config.logLevel)
  startService(config, { logger }).then(
    (service) => {
      let stopping = false
      const shutdown = (signal: string) => {
        if (stopping) return
        stopping = true
        logger.info({ signal }, 'stopping')
        const force = setTimeout(() => process.exit(1), 15_000)
        force.unref()
        service.stop().then(() => process.exit(0))
      }
      process.on('SIGTERM', () => shutdown('SIGTERM'))
      process.on('SIGINT', () => shutdown('SIGINT'))
      watchParent(() => shutdown('parent exited'))
    },
    (error) => {
      // A refusal an admin acts on is one sentence; anything else keeps its stack for a bug report.
      if (error instanceof EmbeddedDatabaseError || error instanceof DataDirInUse || error instanceof SesStartError)
        logger.fatal(`could not start: ${error.message}`)
      else logger.fatal({ err: error }, 'could not start')
      process.exit(1)
    },
  )
}
