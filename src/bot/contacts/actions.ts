import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt'
import { recallLoan } from '../../domain/circulation/recall-loan.ts'
import { removeContact } from '../../domain/contacts/remove-contact.ts'
import type { AppDeps } from '../../domain/deps.ts'
import { sendOverdueNow } from '../../domain/notices/send-overdue-now.ts'
import { setPatronEnabled } from '../../domain/patrons/set-patron-enabled.ts'
import { showPatron } from '../../domain/patrons/show-patron.ts'
import { assertNever } from '../../domain/result.ts'
import { checkPermission } from '../../domain/staff/permissions.ts'
import { loadNoticeRenderer } from '../../domain/templates/render.ts'
import { notAllowedText, notice, type SlackMessage } from '../views.ts'
import { type BotApp, type BotContext, identifyStaff } from '../workspace.ts'
import { cardOptions, updatedCard } from './card.ts'
import { contactErrorText, parseContactRef, parsePatronRef } from './form.ts'
import { noticeActions, parseLoanRef, recallErrorText, recalledText, sendByHandErrorText, sentByHandText } from './loan-views.ts'
import { contactModal } from './modal-views.ts'
import { contactActions, contactSummaryOf, patronCard, patronEnabledText } from './views.ts'

type ButtonClick = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs<BotContext>

/** The buttons of the pick-list and the patron card: contacts, and the notices staff send by hand. */
export function registerContactActions(app: BotApp, deps: AppDeps): void {
  const identify = identifyStaff(deps)

  // Show (from the pick-list) and the card's Previous and Next: the card on the page asked for.
  const showCard = async ({ ack, action, respond, context }: ButtonClick) => {
    await ack()
    const ref = parseContactRef(action.value)
    if (ref === undefined) return
    const shown = await showPatron(deps, { libraryId: context.library.id, patronId: ref.patronId, actor: context.actor })
    if (shown.ok) {
      const options = await cardOptions(deps, { ...context, patronId: ref.patronId })
      await respond({ replace_original: true, ...patronCard(shown.value, { ...options, page: ref.page }) })
    } else await tellPrivately(respond, notice(contactErrorText(shown.error, context.library.name)))
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
      const options = await cardOptions(deps, { ...context, patronId: ref.patronId })
      return void respond({ replace_original: true, ...patronCard(shown.value, { ...options, notice: gone, page: ref.page }) })
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

  // Deactivate carries a confirm dialog; Reactivate does not (it undoes nothing). The use case
  // checks the role again: a button shown to someone since demoted, or forged, is refused.
  const setEnabled =
    (enabled: boolean) =>
    async ({ ack, action, respond, context }: ButtonClick) => {
      await ack()
      const ref = parsePatronRef(action.value)
      if (ref === undefined) return
      const result = await setPatronEnabled(deps, { libraryId: context.library.id, username: ref.username, enabled, actor: context.actor })
      if (result.ok) {
        const options = await cardOptions(deps, { ...context, patronId: result.value.id })
        const card = patronCard(result.value, { ...options, notice: patronEnabledText(result.value), page: ref.page })
        return void respond({ replace_original: true, ...card })
      }
      switch (result.error.code) {
        case 'not_allowed':
          return tellPrivately(respond, notice(notAllowedText(result.error, context.library.name)))
        case 'patron_not_found':
          return void respond({ replace_original: true, ...notice('This patron is no longer in the library.') })
        default:
          return assertNever(result.error)
      }
    }
  app.action<BlockAction<ButtonAction>>(contactActions.deactivate, identify, setEnabled(false))
  app.action<BlockAction<ButtonAction>>(contactActions.reactivate, identify, setEnabled(true))

  // Both buttons carry a confirm dialog: these run only after it was confirmed.
  const noticeDeps = { ...deps, renderer: loadNoticeRenderer }
  app.action<BlockAction<ButtonAction>>(noticeActions.sendOverdue, identify, async ({ ack, action, respond, context }) => {
    await ack()
    const ref = parseLoanRef(action.value)
    if (ref === undefined) return
    const sent = await sendOverdueNow(noticeDeps, { libraryId: context.library.id, patronId: ref.patronId, actor: context.actor })
    if (!sent.ok) return tellPrivately(respond, notice(sendByHandErrorText(sent.error, context.library.name)))
    const change = sentByHandText(sent.value)
    await respond({ replace_original: true, ...(await updatedCard(deps, { ...context, patronId: ref.patronId, change, page: ref.page })) })
  })
  app.action<BlockAction<ButtonAction>>(noticeActions.recall, identify, async ({ ack, action, respond, context }) => {
    await ack()
    const ref = parseLoanRef(action.value)
    if (ref?.loanId === undefined) return
    const recalled = await recallLoan(noticeDeps, { libraryId: context.library.id, loan: { loanId: ref.loanId }, actor: context.actor })
    const page = ref.page
    if (recalled.ok) {
      const change = recalledText(recalled.value)
      return void respond({ replace_original: true, ...(await updatedCard(deps, { ...context, patronId: ref.patronId, change, page })) })
    }
    const refusal = recallErrorText(recalled.error, context.library.name)
    switch (recalled.error.code) {
      case 'loan_not_found':
      case 'state_conflict':
        // Returned or gone meanwhile: the card is out of date, so show it afresh.
        return void respond({ replace_original: true, ...(await updatedCard(deps, { ...context, patronId: ref.patronId, change: refusal, page })) })
      default:
        return tellPrivately(respond, notice(refusal))
    }
  })
}

// A refusal goes under the card, which stays as it was.
async function tellPrivately(respond: ButtonClick['respond'], message: SlackMessage): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, ...message })
}
