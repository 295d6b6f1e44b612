import { z } from 'zod'
import { bccPreferences, contactRoles, contactSources, contactTypes, contactUsages } from '../../domain/contacts/contact-fields.ts'
import { patronTypes } from '../../domain/patrons/patron-view.ts'
import { contactScenarioNames } from '../../domain/scenarios/catalogue.ts'

// The one source of truth for `/api/v1`: the routes validate with these schemas and the OpenAPI
// document is generated from them, so the two cannot drift apart.

/** The largest request body accepted (413 beyond): room for a full batch of patrons. */
export const maxBodyBytes = 5 * 1024 * 1024

/** Patrons per upsert call: a whole school fits; a district sends its roster in several calls. */
export const maxPatronsPerBatch = 10_000

const personName = (what: string) => z.string().trim().max(200, `${what} is longer than 200 characters`)

export const patronSchema = z
  .strictObject({
    username: z
      .string()
      .trim()
      .min(1, 'Username is required')
      .max(100, 'Username is longer than 100 characters')
      .describe('Unique in the library, matched without regard to case.'),
    firstName: personName('First name').optional(),
    lastName: personName('Last name').optional(),
    type: z.enum(patronTypes).optional(),
    academicLevel: z
      .string()
      .trim()
      .max(100, 'Academic level is longer than 100 characters')
      .nullable()
      .optional()
      .describe('The class or year, created in the library when new; null clears it.'),
    groups: z
      .array(z.string().trim().min(1, 'A group name is required').max(100, 'A group name is longer than 100 characters'))
      .max(50, 'A patron is in at most 50 groups')
      .optional()
      .describe("Replaces the patron's library groups."),
    enabled: z.boolean().optional().describe('false deactivates the patron: no notices are sent.'),
  })
  .describe('One patron of the batch. A field left out keeps its stored value (or its default for a new patron).')

export const patronBatchSchema = z
  .array(patronSchema)
  .max(maxPatronsPerBatch, `A batch holds at most ${maxPatronsPerBatch} patrons`)
  .describe('Patrons to create or update by username, all or nothing.')

export const upsertSummarySchema = z.object({
  created: z.int().min(0),
  updated: z.int().min(0),
  unchanged: z.int().min(0),
})

// Each field once, without defaults: a new contact adds its defaults, a change leaves them out.
const contactField = {
  role: z.enum(contactRoles).describe('Whose address this is: the patron, a guardian, or another person (a teacher).'),
  type: z.enum(contactTypes).describe('Only email addresses are mailed; phone and social are kept for the record.'),
  address: z.string().describe('As entered; an email address is checked and matched without regard to case.'),
  primary: z.boolean().describe('At most one primary contact per patron; it should be the patron.'),
  addressee: z.string().describe('How mail greets the contact, e.g. "Mrs Smith".'),
  bcc: z.enum(bccPreferences).describe('yes: Bcc; no: To; default: the library setting.'),
  usage: z.enum(contactUsages).describe('any scenario; none (record keeping only); custom: only the listed scenarios.'),
  scenarios: z
    .array(z.enum(contactScenarioNames))
    .describe('For custom usage. Left out on a new custom contact, it matches every scenario.'),
}

export const newContactSchema = z.strictObject({
  role: contactField.role,
  type: contactField.type.default('email'),
  address: contactField.address,
  primary: contactField.primary.default(false),
  addressee: contactField.addressee.default(''),
  bcc: contactField.bcc.default('default'),
  usage: contactField.usage.default('any'),
  scenarios: contactField.scenarios.optional(),
})

export const contactChangesSchema = z
  .strictObject({
    role: contactField.role.optional(),
    type: contactField.type.optional(),
    address: contactField.address.optional(),
    primary: contactField.primary.optional(),
    addressee: contactField.addressee.optional(),
    bcc: contactField.bcc.optional(),
    usage: contactField.usage.optional(),
    scenarios: contactField.scenarios.optional(),
  })
  .refine((changes) => Object.keys(changes).length > 0, 'Name at least one field to change')
  .meta({ minProperties: 1 })
  .describe('The fields to change; the others keep their value.')

export const contactSchema = z.object({
  id: z.int(),
  role: contactField.role,
  type: contactField.type,
  address: contactField.address,
  primary: contactField.primary,
  addressee: contactField.addressee,
  bcc: contactField.bcc,
  usage: contactField.usage,
  scenarios: z.array(z.string()).describe('The matching scenarios of a custom contact; empty otherwise.'),
  source: z.enum(contactSources).describe('Who last wrote the contact: an import, this API, or staff in Slack.'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
})

export const patronWithContactsSchema = z.object({
  username: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  type: z.enum(patronTypes),
  academicLevel: z.string().nullable(),
  groups: z.array(z.string()),
  enabled: z.boolean(),
  contacts: z.array(contactSchema),
})

export const fieldErrorSchema = z.object({
  pointer: z.string().describe('JSON Pointer (RFC 6901) to the bad value in the request body; "" is the whole body.'),
  detail: z.string(),
})

export const problemSchema = z
  .object({
    type: z.string().describe('A URI naming the kind of problem.'),
    title: z.string(),
    status: z.int(),
    detail: z.string().optional(),
    errors: z.array(fieldErrorSchema).optional().describe('Each bad field of the request body.'),
  })
  .describe('RFC 9457 problem details, served as application/problem+json.')

export const usernameParam = z.string().min(1).describe("The patron's username.")

// Digits only (Number() would take "1e3" or "0x10"), and within a Postgres integer: a larger
// number names no contact rather than failing the query.
export const contactIdParam = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/)
  .transform(Number)
  .pipe(z.int().min(1).max(2_147_483_647))
  .describe('The contact id.')

export type FieldError = z.infer<typeof fieldErrorSchema>
export type Problem = z.infer<typeof problemSchema>
export type ContactBody = z.input<typeof contactSchema>
export type PatronWithContactsBody = z.input<typeof patronWithContactsSchema>

/** Every named schema, as the OpenAPI document lists them under components. */
export const namedSchemas = {
  Patron: patronSchema,
  PatronBatch: patronBatchSchema,
  UpsertSummary: upsertSummarySchema,
  NewContact: newContactSchema,
  ContactChanges: contactChangesSchema,
  Contact: contactSchema,
  PatronWithContacts: patronWithContactsSchema,
  Problem: problemSchema,
} as const
