import type { webApi } from '@slack/bolt'
import type { Logger } from 'pino'
import type { AppDeps } from '../../domain/deps.ts'
import { assertNever } from '../../domain/result.ts'
import { listScenarios } from '../../domain/scenarios/list-scenarios.ts'
import type { Actor } from '../../domain/staff/actors.ts'
import { can } from '../../domain/staff/permissions.ts'
import { replaceOrigin } from '../replace-message.ts'
import { notAllowedText, notice, type SlackMessage } from '../views.ts'
import type { BotContext } from '../workspace.ts'
import type { NoticesModalTarget } from './modal-views.ts'
import { noticesOverview } from './views.ts'

/** Which buttons `/notices` offers `actor`, as the permission table says (the use cases check again). */
export const overviewOptions = (actor: Actor) => ({ canChange: can(actor, 'changeNoticeSettings'), canEditTemplates: can(actor, 'editTemplates') })

/** `/notices` as `context.actor` sees it now, with a line on top saying what just changed. */
export async function currentOverview(deps: Pick<AppDeps, 'db' | 'clock'>, context: BotContext, change?: string): Promise<SlackMessage> {
  const { library, actor } = context
  const listed = await listScenarios(deps, { libraryId: library.id, actor })
  if (listed.ok) return noticesOverview(listed.value, { ...overviewOptions(actor), libraryName: library.name, notice: change })
  switch (listed.error.code) {
    case 'not_allowed':
      return notice(notAllowedText(listed.error, library.name))
    case 'library_not_found':
      return notice('This library is no longer in library-comms.')
    case 'scenario_not_found':
    case 'invalid_scenario_settings':
      throw new Error(`listing scenarios cannot fail with ${listed.error.code}`)
    default:
      return assertNever(listed.error)
  }
}

/** Replaces the message a modal was opened from with `message` (see replaceOrigin). */
export async function replaceOverview(
  input: { client: webApi.WebClient; logger: Logger; target: NoticesModalTarget; userId: string },
  message: SlackMessage,
): Promise<void> {
  await replaceOrigin({ ...input, origin: input.target, what: 'the /notices overview' }, message)
}
