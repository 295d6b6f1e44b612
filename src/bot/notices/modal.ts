import type { ViewSubmitAction } from '@slack/bolt'
import type { AppDeps } from '../../domain/deps.ts'
import { updateLibrarySettings } from '../../domain/scenarios/update-library-settings.ts'
import { updateScenario } from '../../domain/scenarios/update-scenario.ts'
import { noticeModal } from '../views.ts'
import { type BotApp, identifyStaff } from '../workspace.ts'
import { parseModalTarget, parseScenarioForm, parseSettingsForm, savedScenarioText, scenarioSubmissionReply, settingsSubmissionReply } from './form.ts'
import { scenarioModalId, settingsModalId } from './modal-views.ts'
import { currentOverview, replaceOverview } from './overview.ts'

const outOfDate = noticeModal('Not saved', 'This form is out of date. Please open it again from `/notices`.')

/** The Save of the scenario and settings forms: saves as the admin, then refreshes `/notices`. */
export function registerNoticesModals(app: BotApp, deps: AppDeps): void {
  const identify = identifyStaff(deps)

  app.view<ViewSubmitAction>(scenarioModalId, identify, async ({ ack, body, view, client, context }) => {
    const target = parseModalTarget(view.private_metadata)
    if (target?.scenario === undefined) return ack({ response_action: 'update', view: outOfDate })
    const shownBlocks = new Set(view.blocks.map((block) => block.block_id).filter((id): id is string => id !== undefined))
    const form = parseScenarioForm(view.state.values, shownBlocks)
    if (!form.ok) return ack({ response_action: 'errors', errors: form.error })

    const saved = await updateScenario(deps, { libraryId: context.library.id, scenario: target.scenario, changes: form.value, actor: context.actor })
    if (!saved.ok) return ack(scenarioSubmissionReply(saved.error, shownBlocks, context.library.name))
    await ack()
    const overview = await currentOverview(deps, context, savedScenarioText(saved.value))
    await replaceOverview({ client, logger: deps.logger, target, userId: body.user.id }, overview)
  })

  app.view<ViewSubmitAction>(settingsModalId, identify, async ({ ack, body, view, client, context }) => {
    const target = parseModalTarget(view.private_metadata)
    if (target === undefined) return ack({ response_action: 'update', view: outOfDate })
    const form = parseSettingsForm(view.state.values)
    if (!form.ok) return ack({ response_action: 'errors', errors: form.error })

    const saved = await updateLibrarySettings(deps, { libraryId: context.library.id, changes: form.value, actor: context.actor })
    if (!saved.ok) return ack(settingsSubmissionReply(saved.error, context.library.name))
    await ack()
    const overview = await currentOverview(deps, context, ':white_check_mark: Saved the notice settings.')
    await replaceOverview({ client, logger: deps.logger, target, userId: body.user.id }, overview)
  })
}
