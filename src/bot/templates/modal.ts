import type { ViewSubmitAction } from '@slack/bolt'
import type { AppDeps } from '../../domain/deps.ts'
import { scenarioTitle } from '../../domain/scenarios/catalogue.ts'
import { saveTemplate } from '../../domain/templates/save-template.ts'
import { escapeMrkdwn, noticeModal } from '../views.ts'
import { type BotApp, identifyStaff } from '../workspace.ts'
import { faultErrors, parseModalState, parseTemplateForm, templateErrorText } from './form.ts'
import { templateModalId } from './views.ts'

/** The template modal's Save: the library's own template, or the faults on the inputs they are in and nothing saved. */
export function registerTemplateModal(app: BotApp, deps: AppDeps): void {
  app.view<ViewSubmitAction>(templateModalId, identifyStaff(deps), async ({ ack, view, context }) => {
    const state = parseModalState(view.private_metadata)
    if (state === undefined) {
      return ack({ response_action: 'update', view: noticeModal('Not saved', 'This form is out of date. Please open the template again from `/notices`.') })
    }
    const { draft } = parseTemplateForm(view.state.values, state.revision)
    const saved = await saveTemplate(deps, { libraryId: context.library.id, scenario: state.scenario, source: draft, actor: context.actor })
    if (saved.ok) {
      const title = escapeMrkdwn(scenarioTitle(state.scenario))
      return ack({ response_action: 'update', view: noticeModal('Template saved', `:white_check_mark: *${title}* now sends the library’s own template.`) })
    }
    if (saved.error.code === 'invalid_template') return ack({ response_action: 'errors', errors: faultErrors(saved.error.faults, state.revision) })
    return ack({ response_action: 'update', view: noticeModal('Not saved', templateErrorText(saved.error, context.library.name)) })
  })
}
