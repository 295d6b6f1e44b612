import type { ViewSubmitAction } from '@slack/bolt'
import { z } from 'zod'
import type { AppDeps } from '../../domain/deps.ts'
import { confirmPreferencesBatch } from '../../domain/preferences/confirm-preferences-batch.ts'
import type { PreferencesBatchError } from '../../domain/preferences/errors.ts'
import { previewPreferencesBatch } from '../../domain/preferences/preview-preferences-batch.ts'
import { assertNever } from '../../domain/result.ts'
import { actorLabel } from '../../domain/staff/actors.ts'
import { checkPermission } from '../../domain/staff/permissions.ts'
import { notAllowedText, notice, noticeModal } from '../views.ts'
import { type BotApp, identifyStaff } from '../workspace.ts'
import { parsePreferencesForm, preferencesFieldErrors } from './form.ts'
import { preferencesConfirmId, preferencesModal, preferencesModalId, preferencesPreviewModal } from './views.ts'

// What the preview carries to Apply: its staged batch.
const confirmedBatch = z.object({ batchId: z.number().int().positive() })

function refusalText(error: PreferencesBatchError, libraryName: string): string {
  switch (error.code) {
    case 'not_allowed':
      return notAllowedText(error, libraryName)
    case 'unknown_in_filter':
      return `The filter names ${error.values.length === 1 ? 'something' : 'things'} the library does not have: ${error.values.join(', ')}.`
    case 'preview_out_of_date':
      return error.contactsToChange === null
        ? 'Nothing was changed: a name in the filter is gone since the preview. Run `/preferences` again to see the new preview.'
        : `Nothing was changed: contacts changed since the preview, which would now change ${error.contactsToChange}. Run \`/preferences\` again to see the new preview.`
    case 'batch_not_found':
    case 'batch_request_differs':
      return 'Nothing was changed: this preview is not known. Run `/preferences` again.'
    case 'batch_not_ready':
      if (error.status === 'applying') return `Nothing was changed: another batch is being applied in ${libraryName}. Try again in a moment.`
      return error.status === 'applied'
        ? 'This preview was applied already.'
        : `Nothing was changed: this preview is ${error.status === 'expired' ? 'over a day old' : error.status}. Run \`/preferences\` again.`
    case 'batch_running':
      return `Nothing was changed: ${actorLabel(error.running.requestedBy)} is ${error.running.phase === 'reading' ? 'importing' : 'applying'} a batch in ${libraryName}. Try again when it has finished.`
    case 'same_confirmer':
      return 'Nothing was changed: another admin must confirm this.'
    default:
      return assertNever(error)
  }
}

/** `/preferences` (admins): the contact preferences wizard, its preview, and Apply. */
export function registerPreferencesCommand(app: BotApp, deps: AppDeps): void {
  const identify = identifyStaff(deps)

  app.command('/preferences', identify, async ({ ack, body, client, respond, context }) => {
    await ack()
    const refused = checkPermission(context.actor, 'runPreferencesBatch')
    if (refused) return void (await respond({ response_type: 'ephemeral', ...notice(notAllowedText(refused, context.library.name)) }))
    await client.views.open({ trigger_id: body.trigger_id, view: preferencesModal() })
  })

  app.view<ViewSubmitAction>(preferencesModalId, identify, async ({ ack, view, context }) => {
    const form = parsePreferencesForm(view.state.values)
    if (!form.ok) return ack({ response_action: 'errors', errors: form.error as Record<string, string> })
    const preview = await previewPreferencesBatch(deps, { libraryId: context.library.id, actor: context.actor, request: form.value })
    if (!preview.ok) {
      const errors = preferencesFieldErrors(preview.error)
      if (errors) return ack({ response_action: 'errors', errors: errors as Record<string, string> })
      return ack({ response_action: 'update', view: noticeModal('Not previewed', refusalText(preview.error, context.library.name)) })
    }
    await ack({ response_action: 'update', view: preferencesPreviewModal(form.value, preview.value) })
  })

  app.view<ViewSubmitAction>(preferencesConfirmId, identify, async ({ ack, view, context }) => {
    const confirmed = confirmedBatch.safeParse(JSON.parse(view.private_metadata || '{}'))
    if (!confirmed.success)
      return ack({ response_action: 'update', view: noticeModal('Not applied', 'This preview is out of date. Run `/preferences` again.') })
    const applied = await confirmPreferencesBatch(deps, { libraryId: context.library.id, actor: context.actor, batchId: confirmed.data.batchId })
    if (!applied.ok) return ack({ response_action: 'update', view: noticeModal('Not applied', refusalText(applied.error, context.library.name)) })
    const { preferencesUpdated, skippedNoAddress } = applied.value
    await ack({
      response_action: 'update',
      view: noticeModal(
        'Preferences updated',
        `:white_check_mark: Updated the preferences of ${preferencesUpdated} ${preferencesUpdated === 1 ? 'contact' : 'contacts'}; ${skippedNoAddress} skipped (no usable email address).`,
      ),
    })
  })
}
