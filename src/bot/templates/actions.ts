import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs, webApi } from '@slack/bolt'
import type { AppDeps } from '../../domain/deps.ts'
import { checkPermission } from '../../domain/staff/permissions.ts'
import { getTemplate } from '../../domain/templates/get-template.ts'
import { previewTemplate } from '../../domain/templates/preview-template.ts'
import { resetTemplate } from '../../domain/templates/reset-template.ts'
import { sendTestTemplate } from '../../domain/templates/send-test-template.ts'
import { escapeMrkdwn, notAllowedText, notice, noticeModal } from '../views.ts'
import { type BotApp, type BotContext, identifyStaff } from '../workspace.ts'
import { parseModalState, parseTemplateForm, type TemplateForm, templateErrorText } from './form.ts'
import { editTemplateAction, previewModal, type TemplateModalState, templateActions, templateModal } from './views.ts'

type ButtonClick = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs<BotContext>
type FormClick = ButtonClick & { state: TemplateModalState; form: TemplateForm; viewId: string }

/** The button that opens a template, and the template modal's Preview, Send test and Reset. */
export function registerTemplateActions(app: BotApp, deps: AppDeps): void {
  const identify = identifyStaff(deps)

  // The button sits on the /notices scenario view: a message, or a modal, which the form then stacks on.
  app.action<BlockAction<ButtonAction>>(editTemplateAction, identify, async ({ ack, action, body, client, respond, context }) => {
    await ack()
    const inModal = body.view !== undefined
    const tell = async (text: string) => {
      if (inModal) await client.views.push({ trigger_id: body.trigger_id, view: noticeModal('Templates', text) })
      else await respond({ response_type: 'ephemeral', replace_original: false, ...notice(text) })
    }
    // The use cases check again; refusing here spares a form that could not be saved.
    const refused = checkPermission(context.actor, 'editTemplates')
    if (refused) return tell(notAllowedText(refused, context.library.name))
    const shown = await getTemplate(deps, { libraryId: context.library.id, scenario: action.value ?? '', actor: context.actor })
    if (!shown.ok) return tell(templateErrorText(shown.error, context.library.name))
    const view = templateModal(shown.value)
    if (inModal) await client.views.push({ trigger_id: body.trigger_id, view })
    else await client.views.open({ trigger_id: body.trigger_id, view })
  })

  // The buttons inside the form: each reads what the form holds now, saved or not.
  const onForm = (handler: (click: FormClick) => Promise<void>) => async (click: ButtonClick) => {
    await click.ack()
    const view = click.body.view
    const state = parseModalState(view?.private_metadata)
    if (view === undefined || state === undefined) return
    await handler({ ...click, state, form: parseTemplateForm(view.state.values, state.revision), viewId: view.id })
  }
  const stack = (click: ButtonClick, title: string, text: string) =>
    click.client.views.push({ trigger_id: click.body.trigger_id, view: noticeModal(title, text) }).then(() => undefined)

  app.action<BlockAction<ButtonAction>>(
    templateActions.preview,
    identify,
    onForm(async (click) => {
      const { context, state, form } = click
      const previewed = await previewTemplate(deps, {
        libraryId: context.library.id,
        scenario: state.scenario,
        draft: form.draft,
        username: form.username || undefined,
        actor: context.actor,
      })
      if (!previewed.ok) return stack(click, 'Preview', templateErrorText(previewed.error, context.library.name))
      await click.client.views.push({ trigger_id: click.body.trigger_id, view: previewModal(previewed.value) })
    }),
  )

  app.action<BlockAction<ButtonAction>>(
    templateActions.sendTest,
    identify,
    onForm(async (click) => {
      const { context, state, form } = click
      const refused = checkPermission(context.actor, 'editTemplates')
      if (refused) return stack(click, 'Send test', notAllowedText(refused, context.library.name))
      const address = await memberEmail(click.client, click.body.user.id)
      if (address.kind !== 'found') return stack(click, 'Send test', noAddressText[address.kind])
      const sent = await sendTestTemplate(deps, {
        libraryId: context.library.id,
        scenario: state.scenario,
        draft: form.draft,
        username: form.username || undefined,
        to: address.email,
        actor: context.actor,
      })
      if (!sent.ok) return stack(click, 'Send test', templateErrorText(sent.error, context.library.name))
      const subject = escapeMrkdwn(`[Test] ${sent.value.preview.email.subject}`)
      await stack(
        click,
        'Test sent',
        `:email: “${subject}” is on its way to *${escapeMrkdwn(sent.value.to)}*, and to no one else. It goes out with the next emails the service sends.`,
      )
    }),
  )

  // The button asks for confirmation first: this runs once "Reset" was confirmed.
  app.action<BlockAction<ButtonAction>>(
    templateActions.reset,
    identify,
    onForm(async (click) => {
      const { context, state } = click
      const reset = await resetTemplate(deps, { libraryId: context.library.id, scenario: state.scenario, actor: context.actor })
      if (!reset.ok) return stack(click, 'Reset', templateErrorText(reset.error, context.library.name))
      const view = templateModal(reset.value, {
        revision: state.revision + 1,
        notice: ':leftwards_arrow_with_hook: Reset: this notice sends the default template again.',
      })
      await click.client.views.update({ view_id: click.viewId, view })
    }),
  )
}

type MemberEmail = { kind: 'found'; email: string } | { kind: 'none' } | { kind: 'no_scope' }

const noAddressText: Record<Exclude<MemberEmail['kind'], 'found'>, string> = {
  none: 'Slack has no email address for you, so there is nowhere to send the test. Add one to your Slack profile, then try again.',
  no_scope:
    'This Slack app may not read staff members’ email addresses, so the test cannot be sent to you. Please ask your IT admin to add the `users:read.email` scope to the app (it is in manifest.yml) and reinstall it.',
}

// The test goes to the address of the member's Slack profile (users:read.email), never one typed in.
async function memberEmail(client: webApi.WebClient, userId: string): Promise<MemberEmail> {
  try {
    const { user } = await client.users.info({ user: userId })
    const email = user?.profile?.email?.trim()
    return email ? { kind: 'found', email } : { kind: 'none' }
  } catch (error) {
    const code = error instanceof Error && 'data' in error ? (error.data as { error?: string }).error : undefined
    if (code === 'missing_scope') return { kind: 'no_scope' }
    throw error
  }
}
