import type { ViewStateValue } from '@slack/bolt'
import { z } from 'zod'
import { assertNever } from '../../domain/result.ts'
import { isScenarioName } from '../../domain/scenarios/catalogue.ts'
import type { TemplateError } from '../../domain/templates/errors.ts'
import type { TemplateSource } from '../../domain/templates/render.ts'
import { faultText, type TemplateFault } from '../../domain/templates/sandbox.ts'
import { modalField, readModalState, textOf } from '../modal-state.ts'
import { escapeMrkdwn, notAllowedText } from '../views.ts'
import { type TemplateModalState, templateBlocks } from './views.ts'

const modalState = z.object({ scenario: z.string().refine(isScenarioName), revision: z.int().min(0) })

/** The modal's private_metadata; undefined when it is not one of ours. */
export function parseModalState(privateMetadata: string | undefined): TemplateModalState | undefined {
  try {
    const parsed = modalState.safeParse(JSON.parse(privateMetadata ?? ''))
    return parsed.success ? (parsed.data as TemplateModalState) : undefined
  } catch {
    return undefined
  }
}

/** What the form holds now: the template as typed, and the patron for Preview and Send test. */
export type TemplateForm = { draft: TemplateSource; username: string }

/** Reads the template modal's `view.state.values`; the domain then checks the template itself. */
export function parseTemplateForm(values: Record<string, Record<string, ViewStateValue>>, revision: number): TemplateForm {
  const blocks = {
    subject: templateBlocks.subject(revision),
    html: templateBlocks.html(revision),
    text: templateBlocks.text(revision),
    patron: templateBlocks.patron(revision),
  }
  const shape = Object.fromEntries(Object.values(blocks).map((block) => [block, modalField.text()]))
  // Each field is a text input, which may be empty: a form that was tampered with reads as empty.
  const read = readModalState(values, shape, Object.fromEntries(Object.values(blocks).map((block) => [block, ''])))
  const form = read.ok ? read.value : {}
  const text = (block: string) => textOf(form[block] as Parameters<typeof textOf>[0])
  return { draft: { subject: text(blocks.subject), html: text(blocks.html), text: text(blocks.text) }, username: text(blocks.patron).trim() }
}

/** A template's faults on the inputs they are in, for `response_action: 'errors'`. */
export function faultErrors(faults: readonly TemplateFault[], revision: number): Record<string, string> {
  const errors: Record<string, string> = {}
  for (const fault of faults) {
    const block = templateBlocks[fault.part](revision)
    errors[block] = errors[block] ? `${errors[block]}; ${faultText(fault)}` : faultText(fault)
  }
  return errors
}

const partNames = { subject: 'Subject', html: 'HTML part', text: 'Plain text part' } as const

/** A refusal told in a small modal on top of the form (after Preview, Send test or Reset). */
export function templateErrorText(error: TemplateError, libraryName: string): string {
  switch (error.code) {
    case 'not_allowed':
      return notAllowedText(error, libraryName)
    case 'unknown_scenario':
      return 'This form is out of date: the notice it was for no longer exists.'
    case 'invalid_template':
      return ['Please fix the template first:', ...error.faults.map((fault) => `• *${partNames[fault.part]}*: ${escapeMrkdwn(faultText(fault))}`)].join('\n')
    case 'patron_not_found':
      return `There is no patron with the username \`${escapeMrkdwn(error.username)}\` in *${escapeMrkdwn(libraryName)}*. Leave it empty to use a patron who has data for this notice.`
    case 'invalid_address':
      return `Your Slack profile’s email address, ${escapeMrkdwn(error.address)}, is not one we can send to.`
    default:
      return assertNever(error)
  }
}
