import type { AppDeps } from '../../domain/deps.ts'
import { lookUpPatron } from '../../domain/patrons/show-patron.ts'
import { notice, notAllowedText } from '../views.ts'
import { identifyStaff, type BotApp } from '../workspace.ts'
import { canChangeContacts } from './card.ts'
import { contactsHelp, lookupMessage } from './views.ts'

/** `/contacts <patron>`: the patron's card, a pick-list when several match, or help. */
export function registerContactsCommand(app: BotApp, deps: AppDeps): void {
  app.command('/contacts', identifyStaff(deps), async ({ command, ack, respond, context }) => {
    await ack()
    const query = command.text.trim()
    if (query === '') {
      await respond({ response_type: 'ephemeral', ...contactsHelp() })
      return
    }
    const lookup = await lookUpPatron(deps, { libraryId: context.library.id, query, actor: context.actor })
    const message = lookup.ok
      ? lookupMessage(lookup.value, query, { canChange: canChangeContacts(context.actor) })
      : notice(notAllowedText(lookup.error, 'look up contacts', context.library.name))
    await respond({ response_type: 'ephemeral', ...message })
  })
}
