import type { webApi } from '@slack/bolt'
import type { Logger } from 'pino'
import type { Clock } from '../domain/deps.ts'
import { slackErrorCode } from './failures.ts'
import type { SlackMessage } from './views.ts'

/** Where a long piece of work's message is (an import, a purge): updated in place from the first progress to the outcome. */
export type MessageRef = { channel: string; ts: string }

type Slack = { client: webApi.WebClient; logger: Logger; clock: Clock }

// chat.update allows about one call a second per channel; progress never needs more.
const progressIntervalMs = 1_000

/**
 * Posts the message that follows long work, where its command was typed. When the app may not post there (a
 * private channel it is not in, a direct message between two people), the message goes to the
 * staff member's direct message with the app instead: a user id as channel opens it.
 */
export async function postProgressMessage(slack: Slack, input: { channelId: string; userId: string }, message: SlackMessage): Promise<MessageRef> {
  try {
    return refOf(await slack.client.chat.postMessage({ channel: input.channelId, ...message }))
  } catch (error) {
    slack.logger.info({ code: slackErrorCode(error) }, 'could not post the import message in its channel; sending it privately')
    return refOf(await slack.client.chat.postMessage({ channel: input.userId, ...message }))
  }
}

function refOf(posted: webApi.ChatPostMessageResponse): MessageRef {
  if (posted.channel === undefined || posted.ts === undefined) throw new Error('chat.postMessage answered without channel or ts')
  return { channel: posted.channel, ts: posted.ts }
}

/**
 * Updates one message in order. `progress` sends a new phase at once and, within a phase, at
 * most once a second: an update in between waits, and the latest one is sent when the second is
 * up, so the message never stays behind. `show` (the outcome) goes after every update already
 * sent, and drops any that still waits.
 */
export function progressUpdater(slack: Slack, ref: MessageRef) {
  let lastProgressAt = Number.NEGATIVE_INFINITY
  let lastPhase: string | undefined
  let waiting: { message: () => SlackMessage; timer: NodeJS.Timeout } | undefined
  let sent: Promise<void> = Promise.resolve()
  const update = (message: SlackMessage) => {
    sent = sent.then(async () => {
      try {
        await slack.client.chat.update({ channel: ref.channel, ts: ref.ts, ...message })
      } catch (error) {
        slack.logger.warn({ code: slackErrorCode(error) }, 'could not update an import message')
      }
    })
    return sent
  }
  const dropWaiting = () => {
    if (waiting) clearTimeout(waiting.timer)
    waiting = undefined
  }
  const sendProgress = (phase: string, message: () => SlackMessage) => {
    dropWaiting()
    lastPhase = phase
    lastProgressAt = slack.clock.now().getTime()
    void update(message())
  }
  return {
    /** An `onProgress` for the use case: renders and sends, throttled. */
    progress<P extends { phase: string }>(render: (progress: P) => SlackMessage): (progress: P) => void {
      return (progress) => {
        const message = () => render(progress)
        const sinceLast = slack.clock.now().getTime() - lastProgressAt
        if (progress.phase !== lastPhase || sinceLast >= progressIntervalMs) return sendProgress(progress.phase, message)
        if (waiting) waiting.message = message
        else {
          const timer = setTimeout(() => waiting && sendProgress(progress.phase, waiting.message), progressIntervalMs - sinceLast)
          timer.unref()
          waiting = { message, timer }
        }
      }
    },
    show: (message: SlackMessage): Promise<void> => {
      dropWaiting()
      return update(message)
    },
  }
}
