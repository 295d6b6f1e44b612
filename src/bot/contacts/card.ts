import type { webApi } from '@slack/bolt'
import type { Logger } from 'pino'
import { findBlacklistedContacts } from '../../domain/bounces/queries.ts'
import type { AppDeps } from '../../domain/deps.ts'
import { listOpenLoans } from '../../domain/notices/list-open-loans.ts'
import { showPatron } from '../../domain/patrons/show-patron.ts'
import { assertNever } from '../../domain/result.ts'
import type { Actor } from '../../domain/staff/actors.ts'
import { can } from '../../domain/staff/permissions.ts'
import { notAllowedText, notice, type SlackMessage } from '../views.ts'
import type { BotContext } from '../workspace.ts'
import type { ContactModalTarget } from './modal-views.ts'
import { type CardOptions, patronCard } from './views.ts'

/** Whether the card offers `actor` the buttons that change contacts, as the permission table says (the use cases check again). */
export const canChangeContacts = (actor: Actor): boolean => can(actor, 'changeContacts')

/**
 * What the patron's card offers `actor`, as the permission table says (the use cases check
 * again): the buttons that change contacts; and, to staff who send notices, the patron's open
 * loans with Recall and "Send overdue notice now".
 */
export async function cardOptions(deps: Pick<AppDeps, 'db' | 'clock'>, input: BotContext & { patronId: number }): Promise<CardOptions> {
  const canChange = canChangeContacts(input.actor)
  // Seed 001: a bounced contact shows with a warning and why, so staff fix its address.
  const blacklisted = await findBlacklistedContacts(deps.db, { libraryId: input.library.id, patronId: input.patronId })
  if (!can(input.actor, 'sendNotices')) return { canChange, blacklisted }
  const loans = await listOpenLoans(deps, { libraryId: input.library.id, patronId: input.patronId, actor: input.actor })
  return loans.ok ? { canChange, blacklisted, loans: loans.value } : { canChange, blacklisted }
}

/** The patron card again, after a change, on the page it was on, with a line saying what changed. */
export async function updatedCard(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: BotContext & { patronId: number; change: string; page?: number },
): Promise<SlackMessage> {
  const shown = await showPatron(deps, { libraryId: input.library.id, patronId: input.patronId, actor: input.actor })
  if (shown.ok) return patronCard(shown.value, { ...(await cardOptions(deps, input)), notice: input.change, page: input.page })
  switch (shown.error.code) {
    case 'not_allowed':
      return notice(`${input.change}\n${notAllowedText(shown.error, input.library.name)}`)
    case 'patron_not_found':
      return notice(`${input.change}\nThis patron is no longer in the library.`)
    default:
      return assertNever(shown.error)
  }
}

/**
 * Replaces the card a modal was opened from. A response_url lives 30 minutes; after that, or
 * when there is none, the card comes as a new ephemeral message in the same channel.
 */
export async function replaceCard(
  input: { client: webApi.WebClient; logger: Logger; target: ContactModalTarget; userId: string },
  message: SlackMessage,
): Promise<void> {
  const { target } = input
  if (target.responseUrl !== undefined) {
    try {
      const response = await fetch(target.responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: true, ...message }),
      })
      if (response.ok) return
      input.logger.info({ status: response.status }, 'the card’s response_url has expired; posting a new card')
    } catch (error) {
      input.logger.warn({ err: error }, 'could not reach the card’s response_url; posting a new card')
    }
  }
  if (target.channelId === undefined) return
  await input.client.chat.postEphemeral({ channel: target.channelId, user: input.userId, ...message })
}
