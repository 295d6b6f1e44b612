import type { ViewSubmitAction } from '@slack/bolt'
import { addContact } from '../../domain/contacts/add-contact.ts'
import { updateContact } from '../../domain/contacts/update-contact.ts'
import type { AppDeps } from '../../domain/deps.ts'
import { noticeModal } from '../views.ts'
import { type BotApp, identifyStaff } from '../workspace.ts'
import { replaceCard, updatedCard } from './card.ts'
import { parseContactForm, parseModalTarget, submissionReply } from './form.ts'
import { contactModalId } from './modal-views.ts'
import { contactSummaryOf } from './views.ts'

/** The contact modal's Save: adds or edits the contact as staff, then refreshes the card. */
export function registerContactModal(app: BotApp, deps: AppDeps): void {
  app.view<ViewSubmitAction>(contactModalId, identifyStaff(deps), async ({ ack, body, view, client, context }) => {
    const target = parseModalTarget(view.private_metadata)
    if (target === undefined) {
      return ack({ response_action: 'update', view: noticeModal('Not saved', 'This form is out of date. Please open it again from the patron’s card.') })
    }
    const form = parseContactForm(view.state.values)
    if (!form.ok) return ack({ response_action: 'errors', errors: form.error })

    const libraryId = context.library.id
    const saved =
      target.contactId === undefined
        ? await addContact(deps, { libraryId, patron: { patronId: target.patronId }, fields: form.value, source: 'staff', actor: context.actor })
        : await updateContact(deps, { libraryId, contactId: target.contactId, changes: form.value, source: 'staff', actor: context.actor })
    if (!saved.ok) return ack(submissionReply(saved.error, context.library.name))
    await ack()

    const change = `${target.contactId === undefined ? 'Added' : 'Saved'} ${contactSummaryOf(saved.value)}.`
    const card = await updatedCard(deps, { library: context.library, actor: context.actor, patronId: saved.value.patronId, change, page: target.page })
    await replaceCard({ client, logger: deps.logger, target, userId: body.user.id }, card)
  })
}
