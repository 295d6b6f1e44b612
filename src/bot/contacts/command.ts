import type { AppDeps } from '../../domain/deps.ts'
import { lookUpPatron } from '../../domain/patrons/show-patron.ts'
import { assertNever } from '../../domain/result.ts'
import { notAllowedText, notice, type SlackMessage } from '../views.ts'
import { type BotApp, type BotContext, identifyStaff } from '../workspace.ts'
import { canChangeContacts, cardOptions } from './card.ts'
import { contactsHelp, invalidQueryText, lookupMessage } from './views.ts'

/** `/contacts <patron>`: the patron's card, a pick-list when several match, or help. */
export function registerContactsCommand(app: BotApp, deps: AppDeps): void {
  app.command('/contacts', identifyStaff(deps), async ({ command, ack, respond, context }) => {
    await ack()
    const query = command.text.trim()
    if (query === '') {
      await respond({ response_type: 'ephemeral', ...contactsHelp() })
      return
    }
    await respond({ response_type: 'ephemeral', ...(await answerLookup(deps, context, query)) })
  })
}

async function answerLookup(deps: AppDeps, context: BotContext, query: string): Promise<SlackMessage> {
  const lookup = await lookUpPatron(deps, { libraryId: context.library.id, query, actor: context.actor })
  if (lookup.ok) {
    const found = lookup.value.kind === 'found' ? lookup.value.patron : undefined
    const options = found ? await cardOptions(deps, { ...context, patronId: found.id }) : { canChange: canChangeContacts(context.actor) }
    return lookupMessage(lookup.value, query, options)
  }
  switch (lookup.error.code) {
    case 'not_allowed':
      return notice(notAllowedText(lookup.error, context.library.name))
    case 'invalid_query':
      return notice(invalidQueryText(lookup.error))
    default:
      return assertNever(lookup.error)
  }
}
