import type { types } from '@slack/bolt'
import { type ScenarioName, scenarioOf } from '../../domain/scenarios/catalogue.ts'
import { placeholdersOf } from '../../domain/templates/placeholders.ts'
import type { TemplatePreview } from '../../domain/templates/preview-template.ts'
import type { TemplatePart } from '../../domain/templates/sandbox.ts'
import type { ScenarioTemplate } from '../../domain/templates/template-view.ts'
import { maxTemplateChars } from '../../domain/templates/validate-template.ts'
import { modalInput } from '../modal-state.ts'
import { escapeMrkdwn } from '../views.ts'

/** The button that opens a scenario's template (on the `/notices` scenario view); its value is the scenario. */
export const editTemplateAction = 'notices_edit_template'

/** The template modal's callback id, and its buttons. */
export const templateModalId = 'templates.modal'
export const templateActions = { preview: 'templates.preview', sendTest: 'templates.send_test', reset: 'templates.reset' } as const

/**
 * The modal's inputs. Their block ids carry the form's revision: after Reset the form is shown
 * afresh with the default, and Slack keeps what was typed in an input whose block id is unchanged.
 */
export const templateBlocks = {
  subject: (revision: number) => `template_subject.${revision}`,
  html: (revision: number) => `template_html.${revision}`,
  text: (revision: number) => `template_text.${revision}`,
  patron: (revision: number) => `template_patron.${revision}`,
} satisfies Record<TemplatePart | 'patron', (revision: number) => string>

/** What the modal remembers between clicks: never who may act, which is found afresh each time. */
export type TemplateModalState = { scenario: ScenarioName; revision: number }

const partLabels: Record<TemplatePart, string> = { subject: 'Subject', html: 'HTML part', text: 'Plain text part' }

/** The form to edit a scenario's template: its three parts, the placeholders it offers, and what can be done with it. */
export function templateModal(template: ScenarioTemplate, options: { revision?: number; notice?: string } = {}): types.ModalView {
  const revision = options.revision ?? 0
  const state: TemplateModalState = { scenario: template.scenario, revision }
  const whose = template.custom ? 'This is the library’s own template.' : 'This is the default template: save it to make it the library’s own.'
  return {
    type: 'modal',
    callback_id: templateModalId,
    private_metadata: JSON.stringify(state),
    title: { type: 'plain_text', text: 'Edit template' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*${escapeMrkdwn(template.title)}*: ${escapeMrkdwn(scenarioOf(template.scenario).about)}.\n${whose}` },
      },
      ...(options.notice ? [{ type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: options.notice }] }] : []),
      partInput('subject', template.subject, revision),
      partInput('html', template.html, revision),
      partInput('text', template.text, revision),
      ...placeholderBlocks(template.scenario),
      { type: 'divider' },
      {
        type: 'input',
        block_id: templateBlocks.patron(revision),
        optional: true,
        label: { type: 'plain_text', text: 'Patron for Preview and Send test' },
        hint: { type: 'plain_text', text: 'A username. Left empty, a patron who has data for this notice is chosen.' },
        element: { type: 'plain_text_input', action_id: modalInput, max_length: 100, placeholder: { type: 'plain_text', text: 'asilva' } },
      },
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: templateActions.preview, text: { type: 'plain_text', text: 'Preview' }, value: template.scenario },
          { type: 'button', action_id: templateActions.sendTest, text: { type: 'plain_text', text: 'Send test' }, value: template.scenario },
          {
            type: 'button',
            action_id: templateActions.reset,
            style: 'danger',
            text: { type: 'plain_text', text: 'Reset to default' },
            value: template.scenario,
            confirm: {
              title: { type: 'plain_text', text: 'Reset to the default?' },
              text: { type: 'plain_text', text: 'The library’s own template of this notice is deleted, and the default is sent from now on.' },
              confirm: { type: 'plain_text', text: 'Reset' },
              deny: { type: 'plain_text', text: 'Keep mine' },
              style: 'danger',
            },
          },
        ],
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'Preview and Send test use what is in the form now, saved or not. Send test mails it to your own address only.' }],
      },
    ],
  }
}

function partInput(part: TemplatePart, value: string, revision: number): types.InputBlock {
  return {
    type: 'input',
    block_id: templateBlocks[part](revision),
    label: { type: 'plain_text', text: partLabels[part] },
    ...(part === 'html' && { hint: { type: 'plain_text', text: 'The body of the email. Every placeholder’s value is escaped, so it shows as text.' } }),
    element: {
      type: 'plain_text_input',
      action_id: modalInput,
      multiline: part !== 'subject',
      max_length: maxTemplateChars[part],
      initial_value: value,
    },
  }
}

// A section holds 3,000 characters: the list is cut into sections of whole lines.
function placeholderBlocks(scenario: ScenarioName): types.KnownBlock[] {
  const lines = placeholdersOf(scenario).map((placeholder) => `\`${placeholder.name}\`  ${escapeMrkdwn(placeholder.about)}`)
  const texts = sectionTexts(['*Placeholders*: write them as `{{ patron.first_name }}`; loop over a list with `{% for loan in loans %}`.', ...lines])
  return [{ type: 'divider' }, ...texts.map((text) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text } }))]
}

function sectionTexts(lines: readonly string[], limit = 3000): string[] {
  const texts: string[] = []
  for (const line of lines) {
    const last = texts.at(-1)
    if (last !== undefined && last.length + 1 + line.length <= limit) texts[texts.length - 1] = `${last}\n${line}`
    else texts.push(line.slice(0, limit))
  }
  return texts
}

/** Whose data a preview shows, in a sentence. */
function previewSourceText(preview: TemplatePreview): string {
  const source = preview.source
  switch (source.kind) {
    case 'patron':
      return `With the data of *${escapeMrkdwn(source.fullName)}* (\`${escapeMrkdwn(source.username)}\`).`
    case 'patron_without_data':
      return `*${escapeMrkdwn(source.fullName)}* (\`${escapeMrkdwn(source.username)}\`) has nothing for this notice right now, so what it is about is made up.`
    case 'order':
      return `With the library’s latest order, *${escapeMrkdwn(source.number)}* to *${escapeMrkdwn(source.supplierName)}*.`
    case 'example':
      return ':information_source: *Example data*: the library has nothing for this notice yet, so this preview is made up.'
  }
}

/** A rendered template, on top of the form: whose data, whom it would reach, the subject and the plain text. */
export function previewModal(preview: TemplatePreview): types.ModalView {
  const to = preview.recipients.filter((r) => r.kind === 'to').map((r) => escapeMrkdwn(r.address))
  const bcc = preview.recipients.filter((r) => r.kind === 'bcc').map((r) => escapeMrkdwn(r.address))
  const reach =
    preview.source.kind === 'example'
      ? []
      : [to.length > 0 ? `To: ${to.join(', ')}` : '', bcc.length > 0 ? `Bcc: ${bcc.join(', ')}` : ''].filter((line) => line !== '')
  const reachText = reach.length > 0 ? reach.join('\n') : preview.source.kind === 'example' ? '' : 'Nobody: no contact may receive this notice.'
  const texts = preview.email.text.trim() === '' ? ['(The plain text part is empty.)'] : sectionTexts(preview.email.text.split('\n'))
  return {
    type: 'modal',
    title: { type: 'plain_text', text: 'Preview' },
    close: { type: 'plain_text', text: 'Back' },
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: previewSourceText(preview) }] },
      ...(reachText ? [{ type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: reachText }] }] : []),
      { type: 'section', text: { type: 'mrkdwn', text: `*Subject:* ${escapeMrkdwn(preview.email.subject)}` } },
      { type: 'divider' },
      ...texts.map((text) => ({ type: 'section' as const, text: { type: 'plain_text' as const, text, emoji: false } })),
      { type: 'divider' },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'This is the plain text part. The HTML part goes with it, in every email.' }] },
    ],
  }
}
