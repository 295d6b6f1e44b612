import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt'
import { removeContact } from '../../domain/contacts/remove-contact.ts'
import type { AppDeps } from '../../domain/deps.ts'
import { showPatron } from '../../domain/patrons/show-patron.ts'
import { assertNever } from '../../domain/result.ts'
import { checkPermission } from '../../domain/staff/permissions.ts'
import { notAllowedText, notice, type SlackMessage } from '../views.ts'
import { type BotApp, type BotContext, identifyStaff } from '../workspace.ts'
import { canChangeContacts, updatedCard } from './card.ts'
import { contactErrorText, parseContactRef } from './form.ts'
import { contactModal } from './modal-views.ts'
import { contactActions, contactSummaryOf, patronCard } from './views.ts'

type ButtonClick = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs<BotContext>

/** The buttons of the pick-list and the patron card. */
export function registerContactActions(app: BotApp, deps: AppDeps): void {
  const identify = identifyStaff(deps)

  // Show (from the pick-list) and the card's Previous and Next: the card on the page asked for.
  const showCard = async ({ ack, action, respond, context }: ButtonClick) => {
    await ack()
    const ref = parseContactRef(action.value)
    if (ref === undefined) return
    const shown = await showPatron(deps, { libraryId: context.library.id, patronId: ref.patronId, actor: context.actor })
    if (shown.ok) await respond({ replace_original: true, ...patronCard(shown.value, { canChange: canChangeContacts(context.actor), page: ref.page }) })
    else await tellPrivately(respond, notice(contactErrorText(shown.error, context.library.name)))
  }
  app.action<BlockAction<ButtonAction>>(contactActions.pick, identify, showCard)
  app.action<BlockAction<ButtonAction>>(contactActions.page, identify, showCard)

  const openContactModal = async ({ ack, action, body, client, respond, context }: ButtonClick) => {
    await ack()
    const ref = parseContactRef(action.value)
    if (ref === undefined) return
    // The use case checks again on saving; refusing here spares a form that could not be saved.
    const refused = checkPermission(context.actor, 'changeContacts')
    if (refused) return tellPrivately(respond, notice(notAllowedText(refused, context.library.name)))
    const shown = await showPatron(deps, { libraryId: context.library.id, patronId: ref.patronId, actor: context.actor })
    if (!shown.ok) return tellPrivately(respond, notice(contactErrorText(shown.error, context.library.name)))
    const contact = shown.value.contacts.find((candidate) => candidate.id === ref.contactId)
    if (ref.contactId !== undefined && contact === undefined) {
      const gone = 'That contact is already gone: someone removed it meanwhile.'
      return void respond({ replace_original: true, ...patronCard(shown.value, { canChange: canChangeContacts(context.actor), notice: gone, page: ref.page }) })
    }
    const target = { ...ref, responseUrl: body.response_url, channelId: body.channel?.id }
    await client.views.open({ trigger_id: body.trigger_id, view: contactModal({ target, patron: shown.value, contact }) })
  }
  app.action<BlockAction<ButtonAction>>(contactActions.add, identify, openContactModal)
  app.action<BlockAction<ButtonAction>>(contactActions.edit, identify, openContactModal)

  // The button carries a confirm dialog: this runs only after "Remove" was confirmed.
  app.action<BlockAction<ButtonAction>>(contactActions.remove, identify, async ({ ack, action, respond, context }) => {
    await ack()
    const ref = parseContactRef(action.value)
    if (ref?.contactId === undefined) return
    const removed = await removeContact(deps, { libraryId: context.library.id, contactId: ref.contactId, actor: context.actor })
    const { library, actor } = context
    const { patronId, page } = ref
    if (removed.ok) {
      const change = `Removed ${contactSummaryOf(removed.value)}.`
      return void respond({ replace_original: true, ...(await updatedCard(deps, { library, actor, patronId, change, page })) })
    }
    const refusal = contactErrorText(removed.error, library.name)
    switch (removed.error.code) {
      case 'contact_not_found':
        // Someone else removed it: the card is out of date, so show it afresh.
        return void respond({ replace_original: true, ...(await updatedCard(deps, { library, actor, patronId, change: refusal, page })) })
      case 'not_allowed':
      case 'patron_not_found':
      case 'invalid_contact':
        return tellPrivately(respond, notice(refusal))
      default:
        return assertNever(removed.error)
    }
  })
}

// A refusal goes under the card, which stays as it was.
async function tellPrivately(respond: ButtonClick['respond'], message: SlackMessage): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, ...message })
}
