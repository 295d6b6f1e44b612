import type { ViewResponseAction, ViewStateValue } from '@slack/bolt'
import { z } from 'zod'
import {
  bccPreferences,
  contactRoles,
  contactTypes,
  contactUsages,
  type ContactField,
  type ContactFields,
} from '../../domain/contacts/contact-fields.ts'
import type { ContactError } from '../../domain/contacts/errors.ts'
import { assertNever, err, ok, type Result } from '../../domain/result.ts'
import { noticeModal, notAllowedText } from '../views.ts'
import { contactBlocks, contactInput, primaryChoice, type ContactModalTarget } from './modal-views.ts'
import type { ContactRef } from './views.ts'

type ContactBlock = (typeof contactBlocks)[keyof typeof contactBlocks]
/** Errors for the modal, keyed by block id, as Slack's `response_action: 'errors'` wants them. */
export type ModalErrors = Partial<Record<ContactBlock, string>>

const input = <T extends z.ZodType>(element: T) => z.object({ [contactInput]: element })
const choiceOf = <T extends readonly [string, ...string[]]>(values: T) =>
  input(z.object({ selected_option: z.object({ value: z.enum(values) }) }))
const text = input(z.object({ value: z.string().nullish() })).optional()
const picked = input(z.object({ selected_options: z.array(z.object({ value: z.string() })).default([]) })).optional()

const contactForm = z.object({
  [contactBlocks.role]: choiceOf(contactRoles),
  [contactBlocks.type]: choiceOf(contactTypes),
  [contactBlocks.address]: text,
  [contactBlocks.primary]: picked,
  [contactBlocks.addressee]: text,
  [contactBlocks.bcc]: choiceOf(bccPreferences),
  [contactBlocks.usage]: choiceOf(contactUsages),
  [contactBlocks.scenarios]: picked,
})

// Slack enforces required inputs, so these show only for a form that was tampered with.
const missingChoice: Record<ContactBlock, string> = {
  [contactBlocks.role]: 'Choose a role',
  [contactBlocks.type]: 'Choose a type',
  [contactBlocks.address]: 'Enter an address',
  [contactBlocks.primary]: 'Tick the box, or leave it empty',
  [contactBlocks.addressee]: 'Enter how notices greet this contact, or leave it empty',
  [contactBlocks.bcc]: 'Choose yes, no or the school default',
  [contactBlocks.usage]: 'Choose a usage',
  [contactBlocks.scenarios]: 'Choose the matching scenarios',
}

const blockOfField: Record<ContactField, ContactBlock> = {
  role: contactBlocks.role,
  type: contactBlocks.type,
  address: contactBlocks.address,
  primary: contactBlocks.primary,
  addressee: contactBlocks.addressee,
  bcc: contactBlocks.bcc,
  usage: contactBlocks.usage,
  scenarios: contactBlocks.scenarios,
}

/** Reads the contact modal's `view.state.values`; the domain then checks the values themselves. */
export function parseContactForm(values: Record<string, Record<string, ViewStateValue>>): Result<ContactFields, ModalErrors> {
  const parsed = contactForm.safeParse(values)
  if (!parsed.success) {
    const errors: ModalErrors = {}
    for (const issue of parsed.error.issues) {
      const block = issue.path[0] as ContactBlock
      errors[block] = missingChoice[block] ?? issue.message
    }
    return err(errors)
  }
  const form = parsed.data
  return ok({
    role: form[contactBlocks.role][contactInput].selected_option.value,
    type: form[contactBlocks.type][contactInput].selected_option.value,
    address: form[contactBlocks.address]?.[contactInput].value ?? '',
    isPrimary: (form[contactBlocks.primary]?.[contactInput].selected_options ?? []).some((option) => option.value === primaryChoice),
    addressee: form[contactBlocks.addressee]?.[contactInput].value ?? '',
    bcc: form[contactBlocks.bcc][contactInput].selected_option.value,
    usage: form[contactBlocks.usage][contactInput].selected_option.value,
    scenarios: (form[contactBlocks.scenarios]?.[contactInput].selected_options ?? []).map((option) => option.value),
  })
}

/** How the modal answers a contact the domain refused: on the field, or in place of the form. */
export function submissionReply(error: ContactError, libraryName: string): ViewResponseAction {
  switch (error.code) {
    case 'invalid_contact': {
      const errors: ModalErrors = {}
      for (const problem of error.problems) {
        const block = blockOfField[problem.field]
        errors[block] = errors[block] ? `${errors[block]}; ${problem.message}` : problem.message
      }
      return { response_action: 'errors', errors }
    }
    case 'not_allowed':
      return { response_action: 'update', view: noticeModal('Not saved', notAllowedText(error, libraryName)) }
    case 'patron_not_found':
      return { response_action: 'update', view: noticeModal('Not saved', 'This patron is no longer in the library, so nothing was saved.') }
    case 'contact_not_found':
      return { response_action: 'update', view: noticeModal('Not saved', 'Someone removed this contact meanwhile, so nothing was saved.') }
    default:
      return assertNever(error)
  }
}

/** A refused change told in a message (after a button). */
export function contactErrorText(error: ContactError, libraryName: string): string {
  switch (error.code) {
    case 'invalid_contact':
      return `Nothing changed: ${error.problems.map((problem) => problem.message).join('; ')}.`
    case 'not_allowed':
      return notAllowedText(error, libraryName)
    case 'patron_not_found':
      return 'This patron is no longer in the library.'
    case 'contact_not_found':
      return 'This contact is already gone: someone removed it meanwhile.'
    default:
      return assertNever(error)
  }
}

const contactRef = z.object({
  patronId: z.number().int().positive(),
  contactId: z.number().int().positive().optional(),
  page: z.number().int().positive().optional(),
})
const modalTarget = contactRef.extend({ responseUrl: z.url().optional(), channelId: z.string().optional() })

/** A button's value; undefined when it is not one of ours. */
export function parseContactRef(value: string | undefined): ContactRef | undefined {
  return parseJson(contactRef, value)
}

/** The modal's private_metadata: where it came from, never who may act (that is resolved afresh). */
export function parseModalTarget(privateMetadata: string): ContactModalTarget | undefined {
  return parseJson(modalTarget, privateMetadata)
}

function parseJson<T>(schema: z.ZodType<T>, value: string | undefined): T | undefined {
  if (value === undefined) return undefined
  try {
    const parsed = schema.safeParse(JSON.parse(value))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}
