import { App, webApi } from '@slack/bolt'
import type { Context } from 'hono'
import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import type { AppDeps } from '../domain/deps.ts'
import type { SuppressionList } from '../mail/ses-suppression.ts'
import { boltLogger } from './bolt-logger.ts'
import { registerBouncesActions } from './bounces/actions.ts'
import { registerBouncesCommand } from './bounces/command.ts'
import { registerContactActions } from './contacts/actions.ts'
import { registerContactsCommand } from './contacts/command.ts'
import { registerContactModal } from './contacts/modal.ts'
import { registerEmailLogActions } from './emaillog/actions.ts'
import { registerEmailLogCommand } from './emaillog/command.ts'
import { answerListenerFailure } from './failures.ts'
import { createHttpReceiver } from './http-receiver.ts'
import { registerImportActions } from './imports/actions.ts'
import { registerImportCommand } from './imports/command.ts'
import { registerImportModal } from './imports/modal.ts'
import { registerNoticesActions } from './notices/actions.ts'
import { registerNoticesCommand } from './notices/command.ts'
import { registerNoticesModals } from './notices/modal.ts'
import { registerPreferencesCommand } from './preferences/command.ts'
import { type MessageRef, progressUpdater } from './progress-message.ts'
import { registerPurgeActions } from './purge/actions.ts'
import { registerPurgeCommand } from './purge/command.ts'
import { registerPurgeModals } from './purge/modal.ts'
import { registerStaffCommand } from './staff/command.ts'
import { registerTemplateActions } from './templates/actions.ts'
import { registerTemplateModal } from './templates/modal.ts'
import type { SlackMessage } from './views.ts'
import type { BotContext } from './workspace.ts'

export type SlackBot = {
  /** Slack's HTTP mode; undefined in Socket Mode. */
  handleHttp?: (c: Context) => Promise<Response>
  start(): Promise<void>
  stop(): Promise<void>
  /** Posts a message to a channel (the nightly run's report to the library's channel). */
  post(channel: string, text: string): Promise<void>
  /** Posts a message with blocks to a channel (the daily bounce digest). */
  postMessage(channel: string, message: SlackMessage): Promise<void>
  /** Updates a message the app posted, throttled (the purge sweep's expired and resumed requests). */
  messageUpdater(ref: MessageRef): ReturnType<typeof progressUpdater>
}

type SlackConfig = Exclude<Config['slack'], { mode: 'off' }>

/**
 * The Slack door: one Bolt app whose listeners serve both modes. In HTTP mode our Hono server
 * receives `POST /slack/events`; in Socket Mode Bolt holds the socket to Slack.
 */
export function createSlackBot(options: {
  slack: SlackConfig
  deps: AppDeps
  logger: Logger
  /** SES's account suppression list (EMAIL_TRANSPORT=ses): /bounces removes addresses from it too. */
  suppressionList?: SuppressionList | null
}): SlackBot {
  const { slack, deps, logger } = options
  const clientOptions = slack.apiUrl === undefined ? {} : { slackApiUrl: slack.apiUrl }
  const receiver = slack.mode === 'http' ? createHttpReceiver({ signingSecret: slack.signingSecret, clock: deps.clock, logger }) : undefined
  const app = new App<BotContext>({
    ...(slack.mode === 'socket' ? { socketMode: true, appToken: slack.appToken } : { receiver }),
    // One workspace token. Bolt's own `token` option calls auth.test in the constructor, and a
    // Slack outage at that moment would crash the process; we need no bot id (we read no messages).
    authorize: async () => ({ botToken: slack.botToken }),
    ignoreSelf: false,
    // Stateless: several instances may serve the same workspace.
    convoStore: false,
    logger: boltLogger(logger),
    clientOptions,
    // The error handler gets the request, to tell the asker that it failed.
    extendedErrorHandler: true,
  })
  app.error(answerListenerFailure({ client: app.client, logger }))
  let updaterClient: webApi.WebClient | undefined

  registerContactsCommand(app, deps)
  registerContactActions(app, deps)
  registerContactModal(app, deps)
  registerStaffCommand(app, deps)
  registerImportCommand(app, deps)
  registerImportModal(app, deps)
  registerImportActions(app, deps)
  registerNoticesCommand(app, deps)
  registerNoticesActions(app, deps)
  registerNoticesModals(app, deps)
  registerTemplateActions(app, deps)
  registerTemplateModal(app, deps)
  registerEmailLogCommand(app, deps)
  registerEmailLogActions(app, deps)
  registerBouncesCommand(app, deps)
  registerPreferencesCommand(app, deps)
  registerPurgeCommand(app, deps)
  registerPurgeModals(app, deps)
  registerPurgeActions(app, deps)
  registerBouncesActions(app, { ...deps, suppressionList: options.suppressionList ?? null })
  app.event('app_uninstalled', async ({ body }) => {
    logger.warn({ teamId: body.team_id }, 'the Slack app was uninstalled from a workspace')
  })
  app.event('tokens_revoked', async ({ body }) => {
    logger.warn({ teamId: body.team_id }, 'a workspace revoked the Slack app’s tokens')
  })

  return {
    handleHttp: receiver === undefined ? undefined : (c) => receiver.handle(c),
    async start() {
      await app.start()
      checkBotToken(slack, logger)
    },
    async stop() {
      await app.stop()
    },
    async post(channel, text) {
      await app.client.chat.postMessage({ token: slack.botToken, channel, text })
    },
    async postMessage(channel, message) {
      await app.client.chat.postMessage({ token: slack.botToken, channel, ...message })
    },
    messageUpdater(ref) {
      updaterClient ??= new webApi.WebClient(slack.botToken, { ...clientOptions, logger: boltLogger(logger) })
      return progressUpdater({ client: updaterClient, logger, clock: deps.clock }, ref)
    },
  }
}

// Tells the IT admin at start when SLACK_BOT_TOKEN is wrong, without holding up the start or
// failing it while Slack is unreachable.
function checkBotToken(slack: SlackConfig, logger: Logger): void {
  const client = new webApi.WebClient(slack.botToken, {
    ...(slack.apiUrl && { slackApiUrl: slack.apiUrl }),
    retryConfig: { retries: 0 },
    logger: boltLogger(logger),
  })
  client.auth.test().then(
    (identity) => logger.info({ team: identity.team, botUserId: identity.user_id }, 'Slack accepted the bot token'),
    (error: unknown) => {
      const code = error instanceof Error && 'data' in error ? (error.data as { error?: string }).error : undefined
      logger.error({ code: code ?? String(error) }, 'Slack did not accept SLACK_BOT_TOKEN (or could not be reached): commands will fail')
    },
  )
}
