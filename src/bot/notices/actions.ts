import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt'
import type { AppDeps } from '../../domain/deps.ts'
import { assertNever } from '../../domain/result.ts'
import { getLibrarySettings } from '../../domain/scenarios/get-library-settings.ts'
import { showScenario } from '../../domain/scenarios/show-scenario.ts'
import { checkPermission } from '../../domain/staff/permissions.ts'
import { notAllowedText, notice } from '../views.ts'
import { type BotApp, type BotContext, identifyStaff } from '../workspace.ts'
import { type NoticesModalTarget, scenarioModal, settingsModal } from './modal-views.ts'
import { noticesActions } from './views.ts'

type ButtonClick = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs<BotContext>

/** The Edit and Settings buttons of `/notices`: each opens its form. (Edit template is the templates door's.) */
export function registerNoticesActions(app: BotApp, deps: AppDeps): void {
  const identify = identifyStaff(deps)

  app.action<BlockAction<ButtonAction>>(noticesActions.editScenario, identify, async ({ ack, action, body, client, respond, context }) => {
    await ack()
    // The use case checks again on saving; refusing here spares a form that could not be saved.
    const refused = checkPermission(context.actor, 'changeNoticeSettings')
    if (refused) return tellPrivately(respond, notAllowedText(refused, context.library.name))
    const shown = await showScenario(deps, { libraryId: context.library.id, scenario: action.value ?? '', actor: context.actor })
    if (!shown.ok) {
      switch (shown.error.code) {
        case 'not_allowed':
          return tellPrivately(respond, notAllowedText(shown.error, context.library.name))
        case 'scenario_not_found':
        case 'library_not_found':
        case 'invalid_scenario_settings':
          return tellPrivately(respond, 'This message is out of date: type `/notices` again.')
        default:
          return assertNever(shown.error)
      }
    }
    const target: NoticesModalTarget = { scenario: shown.value.scenario.scenario, ...whereFrom(body) }
    await client.views.open({ trigger_id: body.trigger_id, view: scenarioModal({ target, detail: shown.value }) })
  })

  app.action<BlockAction<ButtonAction>>(noticesActions.editSettings, identify, async ({ ack, body, client, respond, context }) => {
    await ack()
    const refused = checkPermission(context.actor, 'changeNoticeSettings')
    if (refused) return tellPrivately(respond, notAllowedText(refused, context.library.name))
    const settings = await getLibrarySettings(deps, { libraryId: context.library.id, actor: context.actor })
    if (!settings.ok) {
      const text = settings.error.code === 'not_allowed' ? notAllowedText(settings.error, context.library.name) : 'This library is no longer in library-comms.'
      return tellPrivately(respond, text)
    }
    const view = settingsModal({ target: whereFrom(body), settings: settings.value, libraryName: context.library.name })
    await client.views.open({ trigger_id: body.trigger_id, view })
  })
}

const whereFrom = (body: BlockAction): NoticesModalTarget => ({ responseUrl: body.response_url, channelId: body.channel?.id })

// A refusal goes under the overview, which stays as it was.
async function tellPrivately(respond: ButtonClick['respond'], text: string): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, ...notice(text) })
}
