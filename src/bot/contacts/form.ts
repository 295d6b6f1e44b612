import type { ViewResponseAction, ViewStateValue } from '@slack/bolt'
import { z } from 'zod'
import { bccPreferences, type ContactField, type ContactFields, contactRoles, contactTypes, contactUsages } from '../../domain/contacts/contact-fields.ts'
import type { ContactError } from '../../domain/contacts/errors.ts'
import { assertNever, ok, type Result } from '../../domain/result.ts'
import { chosenOf, modalField, pickedOf, readModalState, type ModalErrors as SlackModalErrors, textOf } from '../modal-state.ts'
import { notAllowedText, noticeModal } from '../views.ts'
import { type ContactModalTarget, contactBlocks, primaryChoice } from './modal-views.ts'
import type { ContactRef, PatronRef } from './views.ts'

type ContactBlock = (typeof contactBlocks)[keyof typeof contactBlocks]
export type ModalErrors = SlackModalErrors<ContactBlock>

const contactForm = {
  [contactBlocks.role]: modalField.choice(contactRoles),
  [contactBlocks.type]: modalField.choice(contactTypes),
  [contactBlocks.address]: modalField.text(),
  [contactBlocks.primary]: modalField.picked(),
  [contactBlocks.addressee]: modalField.text(),
  [contactBlocks.bcc]: modalField.choice(bccPreferences),
  [contactBlocks.usage]: modalField.choice(contactUsages),
  [contactBlocks.scenarios]: modalField.picked(),
}

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
  const read = readModalState(values, contactForm, missingChoice)
  if (!read.ok) return read
  const form = read.value
  return ok({
    role: chosenOf(form[contactBlocks.role]),
    type: chosenOf(form[contactBlocks.type]),
    address: textOf(form[contactBlocks.address]),
    isPrimary: pickedOf(form[contactBlocks.primary]).includes(primaryChoice),
    addressee: textOf(form[contactBlocks.addressee]),
    bcc: chosenOf(form[contactBlocks.bcc]),
    usage: chosenOf(form[contactBlocks.usage]),
    scenarios: pickedOf(form[contactBlocks.scenarios]),
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

const patronRef = z.object({ username: z.string().min(1).max(100), page: z.number().int().positive().optional() })

/** Deactivate's or Reactivate's value; undefined when it is not one of ours. */
export function parsePatronRef(value: string | undefined): PatronRef | undefined {
  return parseJson(patronRef, value)
}

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
