import type { webApi } from '@slack/bolt'
import type { Logger } from 'pino'
import { findBlacklistedContacts } from '../../domain/bounces/queries.ts'
import type { AppDeps } from '../../domain/deps.ts'
import { listOpenLoans } from '../../domain/notices/list-open-loans.ts'
import { showPatron } from '../../domain/patrons/show-patron.ts'
import { assertNever } from '../../domain/result.ts'
import type { Actor } from '../../domain/staff/actors.ts'
import { can } from '../../domain/staff/permissions.ts'
import { replaceOrigin } from '../replace-message.ts'
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
  // Seed 004: admins deactivate; staff may reactivate, as the patrons file lets them.
  const flags = { canDeactivate: can(input.actor, 'deactivatePatrons'), canReactivate: can(input.actor, 'changePatrons') }
  // Seed 001: a bounced contact shows with a warning and why, so staff fix its address.
  const blacklisted = await findBlacklistedContacts(deps.db, { libraryId: input.library.id, patronId: input.patronId })
  if (!can(input.actor, 'sendNotices')) return { canChange, ...flags, blacklisted }
  const loans = await listOpenLoans(deps, { libraryId: input.library.id, patronId: input.patronId, actor: input.actor })
  return loans.ok ? { canChange, ...flags, blacklisted, loans: loans.value } : { canChange, ...flags, blacklisted }
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

/** Replaces the message a modal was opened from with `message` (see replaceOrigin). */
export async function replaceCard(
  input: { client: webApi.WebClient; logger: Logger; target: ContactModalTarget; userId: string },
  message: SlackMessage,
): Promise<void> {
  await replaceOrigin({ ...input, origin: input.target, what: 'the card' }, message)
}
