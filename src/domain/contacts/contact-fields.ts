import { z } from 'zod'
import { err, ok, type Result } from '../result.ts'
import { contactScenarioNames, isContactScenario } from '../scenarios/catalogue.ts'
import { quoted, unstorableText } from '../text.ts'

export const contactRoles = ['patron', 'guardian', 'other'] as const
export const contactTypes = ['email', 'phone', 'social'] as const
export const bccPreferences = ['yes', 'no', 'default'] as const
export const contactUsages = ['any', 'none', 'custom'] as const

export type ContactRole = (typeof contactRoles)[number]
export type ContactType = (typeof contactTypes)[number]
export type BccPreference = (typeof bccPreferences)[number]
export type ContactUsage = (typeof contactUsages)[number]
export const contactSources = ['import', 'api', 'staff'] as const
export type ContactSource = (typeof contactSources)[number]

/** A contact as staff, the API or an import describe it, before validation. */
export type ContactFields = {
  role: ContactRole
  type: ContactType
  address: string
  isPrimary: boolean
  addressee: string
  bcc: BccPreference
  usage: ContactUsage
  /** Only for custom usage; left out, a new custom contact matches every scenario (seed 000). */
  scenarios?: readonly string[] | undefined
}

/** A contact ready to store: the address as entered, and its key for matching. */
export type ValidContact = Omit<ContactFields, 'scenarios'> & { addressKey: string; scenarios: string[] }

export type ContactField = 'role' | 'type' | 'address' | 'primary' | 'addressee' | 'bcc' | 'usage' | 'scenarios'
export type FieldProblem = { field: ContactField; message: string }

const emailSyntax = z.email()

/**
 * The key an address is matched by (blacklist, duplicates, imports): trimmed, Unicode NFC and
 * lower-cased. Mailbox names are case-insensitive at every provider a school deals with.
 */
function addressKeyOf(type: ContactType, address: string): string {
  if (type === 'phone')
    return address
      .trim()
      .normalize('NFC')
      .replace(/[^\d+]/g, '')
  return emailAddressKey(address)
}

/** An email address's key, as `addressKeyOf` makes it: the blacklist matches contacts by it. */
export function emailAddressKey(address: string): string {
  return address.trim().normalize('NFC').toLowerCase()
}

/** Checks one address; returns the problem's message, or undefined when it is fine. */
function addressProblem(type: ContactType, address: string): string | undefined {
  const trimmed = address.trim()
  const text = unstorableText(trimmed)
  if (text) return text
  if (trimmed === '') return 'is required'
  if (trimmed.length > 320) return 'is longer than 320 characters'
  if (type === 'email' && !emailSyntax.safeParse(trimmed).success) return `${quoted(trimmed)} is not an email address`
  if (type === 'phone' && !/^\+?[\d\s().-]{6,20}$/.test(trimmed)) return `${quoted(trimmed)} is not a phone number`
  return undefined
}

/** Validates a contact's own fields (the database checks the one-primary rule). */
export function validateContactFields(fields: ContactFields): Result<ValidContact, FieldProblem[]> {
  const problems: FieldProblem[] = []
  const addressIssue = addressProblem(fields.type, fields.address)
  if (addressIssue) problems.push({ field: 'address', message: `Address ${addressIssue}` })
  const addresseeText = unstorableText(fields.addressee)
  if (addresseeText) problems.push({ field: 'addressee', message: `Addressee ${addresseeText}` })
  else if (fields.addressee.trim().length > 200) problems.push({ field: 'addressee', message: 'Addressee is longer than 200 characters' })

  let scenarios: string[] = []
  if (fields.usage === 'custom') {
    scenarios = fields.scenarios === undefined ? [...contactScenarioNames] : [...new Set(fields.scenarios)]
    const unknown = scenarios.filter((name) => !isContactScenario(name))
    if (unknown.length > 0) problems.push({ field: 'scenarios', message: `Unknown scenario: ${unknown.join(', ')}` })
    else if (scenarios.length === 0) {
      problems.push({ field: 'scenarios', message: 'Custom usage needs at least one matching scenario' })
    }
  }
  if (problems.length > 0) return err(problems)
  return ok({
    role: fields.role,
    type: fields.type,
    address: fields.address.trim(),
    addressKey: addressKeyOf(fields.type, fields.address),
    isPrimary: fields.isPrimary,
    addressee: fields.addressee.trim(),
    bcc: fields.bcc,
    usage: fields.usage,
    scenarios,
  })
}
