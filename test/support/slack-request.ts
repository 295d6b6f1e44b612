import { createHmac } from 'node:crypto'
import pino, { type Logger } from 'pino'
import { loadConfig } from '../../src/config.ts'
import type { DatabaseHandle } from '../../src/db/database.ts'
import type { SuppressionList } from '../../src/mail/ses-suppression.ts'
import { type Service, startService } from '../../src/main.ts'
import { openTestDatabase } from './database.ts'
import { type FakeSlack, startFakeSlack } from './fake-slack.ts'

export const testSigningSecret = 'test-signing-secret-0123456789abcdef'

/** Slack's request signature: `v0=` HMAC-SHA256 of `v0:{timestamp}:{raw body}`. */
export function signSlackRequest(signingSecret: string, rawBody: string, timestampSeconds: number) {
  const signature = createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex')
  return { 'x-slack-request-timestamp': String(timestampSeconds), 'x-slack-signature': `v0=${signature}` }
}

/** Posts a body to the app as Slack would: signed now, unless told otherwise. */
export async function postToSlackEvents(
  eventsUrl: string,
  rawBody: string,
  options: { signingSecret?: string; timestampSeconds?: number; contentType?: string; signature?: string } = {},
): Promise<Response> {
  const timestamp = options.timestampSeconds ?? Math.floor(Date.now() / 1000)
  const headers = signSlackRequest(options.signingSecret ?? testSigningSecret, rawBody, timestamp)
  if (options.signature !== undefined) headers['x-slack-signature'] = options.signature
  return fetch(eventsUrl, {
    method: 'POST',
    headers: { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded', ...headers },
    body: rawBody,
  })
}

export function slashCommandBody(input: { teamId: string; userId: string; command: string; text: string; responseUrl: string; channelId?: string }): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: input.teamId,
    team_domain: 'school',
    channel_id: input.channelId ?? 'C0LIBRARY',
    channel_name: 'library',
    user_id: input.userId,
    user_name: `user-${input.userId}`,
    command: input.command,
    text: input.text,
    api_app_id: 'A0LIBCOMMS',
    response_url: input.responseUrl,
    trigger_id: `trigger-${Date.now()}`,
  }).toString()
}

export function blockActionBody(input: {
  teamId: string
  userId: string
  button: { action_id: string; value: string }
  responseUrl: string
  channelId?: string
}): string {
  const payload = {
    type: 'block_actions',
    user: { id: input.userId, username: `user-${input.userId}`, team_id: input.teamId },
    api_app_id: 'A0LIBCOMMS',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: input.channelId ?? 'C0LIBRARY', is_ephemeral: true },
    trigger_id: `trigger-${Date.now()}`,
    team: { id: input.teamId, domain: 'school' },
    channel: { id: input.channelId ?? 'C0LIBRARY', name: 'library' },
    response_url: input.responseUrl,
    actions: [
      {
        type: 'button',
        block_id: 'b',
        action_id: input.button.action_id,
        value: input.button.value,
        text: { type: 'plain_text', text: 'x' },
        action_ts: '1700000000.000200',
      },
    ],
  }
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString()
}

/** A click on a button inside a modal: Slack sends the view with what its inputs hold at that moment. */
export function viewActionBody(input: {
  teamId: string
  userId: string
  view: any
  values: Record<string, Record<string, unknown>>
  button: { action_id: string; value: string }
}): string {
  const viewId = input.view.id ?? 'V1'
  const payload = {
    type: 'block_actions',
    user: { id: input.userId, username: `user-${input.userId}`, team_id: input.teamId },
    api_app_id: 'A0LIBCOMMS',
    token: 'deprecated-verification-token',
    container: { type: 'view', view_id: viewId },
    trigger_id: `trigger-${Date.now()}`,
    team: { id: input.teamId, domain: 'school' },
    view: { id: viewId, hash: 'hash-1', team_id: input.teamId, type: 'modal', ...input.view, state: { values: input.values } },
    actions: [
      {
        type: 'button',
        block_id: 'b',
        action_id: input.button.action_id,
        value: input.button.value,
        text: { type: 'plain_text', text: 'x' },
        action_ts: '1700000000.000200',
      },
    ],
  }
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString()
}

export function viewSubmissionBody(input: { teamId: string; userId: string; view: any; values: Record<string, Record<string, unknown>> }): string {
  const payload = {
    type: 'view_submission',
    team: { id: input.teamId, domain: 'school' },
    user: { id: input.userId, username: `user-${input.userId}`, team_id: input.teamId },
    api_app_id: 'A0LIBCOMMS',
    token: 'deprecated-verification-token',
    trigger_id: `trigger-${Date.now()}`,
    view: { id: input.view.id ?? 'V1', team_id: input.teamId, type: 'modal', ...input.view, state: { values: input.values } },
    response_urls: [],
  }
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString()
}

/**
 * What Slack sends as `view.state.values` when a user submits `view`: each input's initial
 * value, with `changes` typed over it (text, an option's value, or a list of option values).
 */
export function stateFromView(view: any, changes: Record<string, string | string[] | null> = {}): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {}
  for (const block of view.blocks as any[]) {
    if (block.type !== 'input') continue
    const element = block.element
    const change = changes[block.block_id]
    const options = element.options ?? (element.option_groups ?? []).flatMap((group: any) => group.options)
    const optionFor = (value: string) => options.find((option: any) => option.value === value) ?? { value }
    let state: Record<string, unknown>
    switch (element.type) {
      case 'plain_text_input':
        state = { value: change !== undefined ? change : (element.initial_value ?? null) }
        break
      case 'static_select':
      case 'radio_buttons':
        state = { selected_option: typeof change === 'string' ? optionFor(change) : change === null ? null : (element.initial_option ?? null) }
        break
      case 'checkboxes':
      case 'multi_static_select':
        state = { selected_options: Array.isArray(change) ? change.map(optionFor) : (element.initial_options ?? []) }
        break
      case 'conversations_select':
        state = { selected_conversation: change !== undefined ? change : (element.initial_conversation ?? null) }
        break
      default:
        throw new Error(`stateFromView does not know ${element.type}`)
    }
    values[block.block_id] = { [element.action_id]: { type: element.type, ...state } }
  }
  return values
}

/** A person in a Slack workspace using the app: types commands, clicks buttons, submits modals. */
export function slackUser(options: { eventsUrl: string; fake: FakeSlack; teamId: string; userId: string }) {
  const { eventsUrl, fake, teamId, userId } = options
  return {
    command(command: string, text: string, responseUrl = fake.responseUrl()) {
      return postToSlackEvents(eventsUrl, slashCommandBody({ teamId, userId, command, text, responseUrl }))
    },
    click(button: { action_id: string; value: string }, responseUrl = fake.responseUrl()) {
      return postToSlackEvents(eventsUrl, blockActionBody({ teamId, userId, button, responseUrl }))
    },
    submit(view: any, changes: Record<string, string | string[] | null> = {}) {
      return postToSlackEvents(eventsUrl, viewSubmissionBody({ teamId, userId, view, values: stateFromView(view, changes) }))
    },
    /** Clicks a button in an open modal, with `changes` typed into its inputs first. */
    clickInModal(view: any, button: { action_id: string; value: string }, changes: Record<string, string | string[] | null> = {}) {
      return postToSlackEvents(eventsUrl, viewActionBody({ teamId, userId, view, button, values: stateFromView(view, changes) }))
    },
  }
}

export type SlackTestService = { service: Service; fake: FakeSlack; database: DatabaseHandle; eventsUrl: string; stop(): Promise<void> }

/**
 * The whole service on a fresh database, in Slack's HTTP mode (or Socket Mode), talking to a fake
 * Slack; `logger` is silent unless a test reads what the service logs.
 */
export async function startServiceWithSlack(
  options: { adminUserIds?: string[]; socketMode?: boolean; logger?: Logger; suppressionList?: SuppressionList | null } = {},
): Promise<SlackTestService> {
  const fake = await startFakeSlack()
  const database = await openTestDatabase()
  const config = loadConfig({
    PORT: '0',
    SLACK_SIGNING_SECRET: testSigningSecret,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_APP_TOKEN: options.socketMode ? 'xapp-1-test' : undefined,
    SLACK_API_URL: fake.apiUrl,
    SLACK_ADMIN_USER_IDS: (options.adminUserIds ?? []).join(','),
    LOG_LEVEL: 'silent',
  })
  // Messages queued from Slack stay in the outbox for the test to read: nothing sends them.
  const service = await startService(config, {
    database,
    logger: options.logger ?? pino({ level: 'silent' }),
    dispatch: false,
    nightly: false,
    bounceJobs: false,
    purgeSweep: false,
    suppressionList: options.suppressionList ?? null,
  })
  // The bot checks its token once at start, in the background; tests begin after that call.
  await fake.next('auth.test')
  return {
    service,
    fake,
    database,
    eventsUrl: `http://127.0.0.1:${service.port}/slack/events`,
    async stop() {
      await service.stop()
      await database.close()
      await fake.close()
    },
  }
}
