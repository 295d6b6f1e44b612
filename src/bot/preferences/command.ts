import type { ViewSubmitAction } from '@slack/bolt'
import { z } from 'zod'
import type { AppDeps } from '../../domain/deps.ts'
import { choosePreferencesFilter } from '../../domain/preferences/choose-preferences-filter.ts'
import { confirmPreferencesBatch } from '../../domain/preferences/confirm-preferences-batch.ts'
import type { PreferencesWizardError } from '../../domain/preferences/errors.ts'
import { listPreferencesFilterChoices } from '../../domain/preferences/list-preferences-filter-choices.ts'
import { previewChosenPreferences } from '../../domain/preferences/preview-chosen-preferences.ts'
import { assertNever } from '../../domain/result.ts'
import { actorLabel } from '../../domain/staff/actors.ts'
import { checkPermission } from '../../domain/staff/permissions.ts'
import { counted, escapeMrkdwn, notAllowedText, notice, number } from '../views.ts'
import { type BotApp, identifyStaff } from '../workspace.ts'
import {
  carried,
  maxPastedUsernames,
  maxPrivateMetadata,
  parseFilterStep,
  parseModeStep,
  parseSettingsStep,
  preferencesFieldErrors,
  readCarried,
} from './form.ts'
import {
  maxListedChoices,
  preferencesBlocks,
  preferencesConfirmId,
  preferencesEndModal,
  preferencesFilterModal,
  preferencesModeModal,
  preferencesPreviewModal,
  preferencesSettingsModal,
  preferencesStepIds,
} from './views.ts'

// What the preview carries to Apply: its staged batch.
const confirmedBatch = z.object({ batchId: z.number().int().positive() })

function refusalText(error: PreferencesWizardError, libraryName: string): string {
  switch (error.code) {
    case 'not_allowed':
      return notAllowedText(error, libraryName)
    case 'unknown_in_filter':
      return `The filter names ${error.values.length === 1 ? 'something' : 'things'} the library does not have: ${error.values.map(escapeMrkdwn).join(', ')}.`
    case 'filter_out_of_date':
      return 'Nothing was previewed: a level, group or patron of the filter is gone since you chose it. Run `/preferences` again.'
    case 'preview_out_of_date':
      return error.contactsToChange === null
        ? 'Nothing was changed: a name in the filter is gone since the preview. Run `/preferences` again to see the new preview.'
        : `Nothing was changed: contacts changed since the preview, which would now change ${counted(error.contactsToChange, 'contact')}. Run \`/preferences\` again to see the new preview.`
    case 'batch_not_found':
    case 'batch_request_differs':
      return 'Nothing was changed: this preview is not known. Run `/preferences` again.'
    case 'batch_not_ready':
      return error.status === 'applied'
        ? 'This preview was applied already.'
        : `Nothing was changed: this preview is ${error.status === 'expired' ? 'over a day old' : error.status}. Run \`/preferences\` again.`
    case 'batch_running':
      return `Nothing was changed: ${escapeMrkdwn(actorLabel(error.running.requestedBy))} is ${error.running.phase === 'reading' ? 'importing' : 'applying'} a batch in *${escapeMrkdwn(libraryName)}*. Try again when it has finished.`
    case 'same_confirmer':
      return 'Nothing was changed: another admin must confirm this.'
    default:
      return assertNever(error)
  }
}

const outOfDate = preferencesEndModal('Not previewed', 'This wizard is out of date. Run `/preferences` again.')

/**
 * `/preferences` (admins): seed 003's wizard in steps, each pushed over the last (mode, filter,
 * what to change), then the preview in place of the last step (Slack stacks at most three
 * views), and Apply. Every step asks the domain again, so a role taken away meanwhile is refused.
 */
export function registerPreferencesCommand(app: BotApp, deps: AppDeps): void {
  const identify = identifyStaff(deps)

  app.command('/preferences', identify, async ({ ack, body, client, respond, context }) => {
    await ack()
    const refused = checkPermission(context.actor, 'runPreferencesBatch')
    if (refused) return void (await respond({ response_type: 'ephemeral', ...notice(notAllowedText(refused, context.library.name)) }))
    await client.views.open({ trigger_id: body.trigger_id, view: preferencesModeModal() })
  })

  app.view<ViewSubmitAction>(preferencesStepIds.mode, identify, async ({ ack, view, context }) => {
    const form = parseModeStep(view.state.values)
    if (!form.ok) return ack({ response_action: 'errors', errors: form.error as Record<string, string> })
    const choices = await listPreferencesFilterChoices(deps, { libraryId: context.library.id, actor: context.actor, atMost: maxListedChoices })
    if (!choices.ok) return ack({ response_action: 'update', view: preferencesEndModal('Not allowed', refusalText(choices.error, context.library.name)) })
    await ack({
      response_action: 'push',
      view: preferencesFilterModal({ privateMetadata: JSON.stringify(form.value), choices: choices.value, maxUsernames: maxPastedUsernames }),
    })
  })

  app.view<ViewSubmitAction>(preferencesStepIds.filter, identify, async ({ ack, view, context }) => {
    const before = readCarried(carried.mode, view.private_metadata)
    if (!before) return ack({ response_action: 'update', view: outOfDate })
    const form = parseFilterStep(view.state.values)
    if (!form.ok) return ack({ response_action: 'errors', errors: form.error as Record<string, string> })
    const filter = await choosePreferencesFilter(deps, { libraryId: context.library.id, actor: context.actor, filter: form.value })
    if (!filter.ok) {
      const errors = preferencesFieldErrors(filter.error)
      if (errors) return ack({ response_action: 'errors', errors: errors as Record<string, string> })
      return ack({ response_action: 'update', view: preferencesEndModal('Not allowed', refusalText(filter.error, context.library.name)) })
    }
    const next = preferencesSettingsModal(JSON.stringify({ ...before, filter: filter.value }))
    if ((next.private_metadata ?? '').length > maxPrivateMetadata) {
      return ack({ response_action: 'errors', errors: { [preferencesBlocks.usernames]: 'Too many to carry to the next step: choose fewer, or use the API.' } })
    }
    await ack({ response_action: 'push', view: next })
  })

  app.view<ViewSubmitAction>(preferencesStepIds.settings, identify, async ({ ack, view, context }) => {
    const before = readCarried(carried.filter, view.private_metadata)
    if (!before) return ack({ response_action: 'update', view: outOfDate })
    const form = parseSettingsStep(view.state.values)
    if (!form.ok) return ack({ response_action: 'errors', errors: form.error as Record<string, string> })
    const preview = await previewChosenPreferences(deps, { libraryId: context.library.id, actor: context.actor, chosen: { ...before, ...form.value } })
    if (!preview.ok) return ack({ response_action: 'update', view: preferencesEndModal('Not previewed', refusalText(preview.error, context.library.name)) })
    await ack({ response_action: 'update', view: preferencesPreviewModal(form.value, preview.value) })
  })

  app.view<ViewSubmitAction>(preferencesConfirmId, identify, async ({ ack, view, context }) => {
    const confirmed = readCarried(confirmedBatch, view.private_metadata)
    if (!confirmed)
      return ack({ response_action: 'update', view: preferencesEndModal('Not applied', 'This preview is out of date. Run `/preferences` again.') })
    const applied = await confirmPreferencesBatch(deps, { libraryId: context.library.id, actor: context.actor, batchId: confirmed.batchId })
    if (!applied.ok) return ack({ response_action: 'update', view: preferencesEndModal('Not applied', refusalText(applied.error, context.library.name)) })
    const { preferencesUpdated, skippedNoAddress } = applied.value
    await ack({
      response_action: 'update',
      view: preferencesEndModal(
        'Preferences updated',
        `:white_check_mark: Updated the preferences of ${counted(preferencesUpdated, 'contact')}; ${number.format(skippedNoAddress)} skipped (no usable email address).`,
      ),
    })
  })
}
