import type { ViewSubmitAction } from '@slack/bolt'
import { z } from 'zod'
import type { AppDeps } from '../../domain/deps.ts'
import type { PreferencesBatchError } from '../../domain/preferences/errors.ts'
import { preferenceSettings, preferencesBatchModes, runPreferencesBatch } from '../../domain/preferences/run-preferences-batch.ts'
import { assertNever } from '../../domain/result.ts'
import { checkPermission } from '../../domain/staff/permissions.ts'
import { notAllowedText, notice, noticeModal } from '../views.ts'
import { type BotApp, identifyStaff } from '../workspace.ts'
import { parsePreferencesForm, preferencesFieldErrors } from './form.ts'
import { preferencesConfirmId, preferencesModal, preferencesModalId, preferencesPreviewModal } from './views.ts'

// What the preview carries to Apply: the request exactly as previewed, with its plan's digest.
const confirmedRequest = z.object({
  request: z.object({
    mode: z.enum(preferencesBatchModes),
    filter: z.object({ academicLevels: z.array(z.string()), groups: z.array(z.string()), usernames: z.array(z.string()) }),
    set: z.record(z.string(), z.enum(preferenceSettings)),
    overwriteRecipientChoices: z.boolean(),
    dryRun: z.literal(false),
    expectedPlanChecksum: z.string(),
  }),
})

function refusalText(error: PreferencesBatchError, libraryName: string): string {
  switch (error.code) {
    case 'not_allowed':
      return notAllowedText(error, libraryName)
    case 'unknown_in_filter':
      return `The filter names ${error.values.length === 1 ? 'something' : 'things'} the library does not have: ${error.values.join(', ')}.`
    case 'preview_out_of_date':
      return `Nothing was changed: contacts changed since the preview, which would now change ${error.contactsToChange}. Run \`/preferences\` again to see the new preview.`
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
    const preview = await runPreferencesBatch(deps, { libraryId: context.library.id, actor: context.actor, request: form.value })
    if (!preview.ok) {
      const errors = preferencesFieldErrors(preview.error)
      if (errors) return ack({ response_action: 'errors', errors: errors as Record<string, string> })
      return ack({ response_action: 'update', view: noticeModal('Not previewed', refusalText(preview.error, context.library.name)) })
    }
    await ack({ response_action: 'update', view: preferencesPreviewModal(form.value, preview.value) })
  })

  app.view<ViewSubmitAction>(preferencesConfirmId, identify, async ({ ack, view, context }) => {
    const confirmed = confirmedRequest.safeParse(JSON.parse(view.private_metadata || '{}'))
    if (!confirmed.success)
      return ack({ response_action: 'update', view: noticeModal('Not applied', 'This preview is out of date. Run `/preferences` again.') })
    const applied = await runPreferencesBatch(deps, { libraryId: context.library.id, actor: context.actor, request: confirmed.data.request })
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
