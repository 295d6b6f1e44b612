import type { webApi } from '@slack/bolt'
import type { Logger } from 'pino'
import type { SlackMessage } from './views.ts'

/** Where a modal was opened from: the message's response_url, and its channel. */
export type MessageOrigin = { responseUrl?: string; channelId?: string }

/**
 * Replaces the private message a modal was opened from (a card, an overview). A response_url
 * lives 30 minutes; after that, or when there is none, the message comes as a new private
 * message in the same channel. `what` names it in the log: "the card", "the /notices overview".
 */
export async function replaceOrigin(
  input: { client: webApi.WebClient; logger: Logger; origin: MessageOrigin; userId: string; what: string },
  message: SlackMessage,
): Promise<void> {
  const { origin, what } = input
  if (origin.responseUrl !== undefined) {
    try {
      const response = await fetch(origin.responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: true, ...message }),
      })
      if (response.ok) return
      input.logger.info({ status: response.status }, `the response_url of ${what} has expired; posting it again`)
    } catch (error) {
      input.logger.warn({ err: error }, `could not reach the response_url of ${what}; posting it again`)
    }
  }
  if (origin.channelId === undefined) return
  await input.client.chat.postEphemeral({ channel: origin.channelId, user: input.userId, ...message })
}
