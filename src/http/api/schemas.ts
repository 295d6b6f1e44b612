import { z } from 'zod'
import { defaultAuditLimit, maxAuditLimit } from '../../domain/audit/list-audit.ts'
import { bccPreferences, contactRoles, contactSources, contactTypes, contactUsages } from '../../domain/contacts/contact-fields.ts'
import { contactImportModes } from '../../domain/imports/contacts-plan.ts'
import { patronTypes } from '../../domain/patrons/patron-view.ts'
import { noticeGroupNames } from '../../domain/preferences/groups.ts'
import { contactScenarioNames } from '../../domain/scenarios/catalogue.ts'
import { unstorableText } from '../../domain/text.ts'

// The one source of truth for `/api/v1`: the routes validate with these schemas and the OpenAPI
// document is generated from them, so the two cannot drift apart.

/** The largest request body accepted (413 beyond): room for a full batch of patrons. */
export const maxBodyBytes = 5 * 1024 * 1024

/**
 * A name the caller looks something up by (a username, a level, a group): text PostgreSQL cannot
 * store (a NUL, half a surrogate pair) names nothing, and is a 422 on its field rather than a
 * database error answered 500.
 */
export const storableName = (what: string, max: number) =>
  z
    .string()
    .min(1, `${what} is empty`)
    .max(max, `${what} is longer than ${max} characters`)
    .check((ctx) => {
      const problem = unstorableText(ctx.value)
      if (problem) ctx.issues.push({ code: 'custom', message: `${what} ${problem}`, input: ctx.value })
    })

/** Patrons per upsert call: a whole school fits; a district sends its roster in several calls. */
const maxPatronsPerBatch = 10_000

const personName = (what: string) => z.string().trim().max(200, `${what} is longer than 200 characters`)

const patronSchema = z
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

const upsertSummarySchema = z.object({
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
    .describe('For custom usage. Left out on a new custom contact, it matches every scenario; with any or none it is not kept.'),
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

const contactSchema = z.object({
  id: z.int(),
  role: contactField.role,
  type: contactField.type,
  address: contactField.address,
  primary: contactField.primary,
  addressee: contactField.addressee,
  bcc: contactField.bcc,
  usage: contactField.usage,
  scenarios: z
    .array(z.string())
    .describe('The matching scenarios of a custom contact. Empty for any (every notice its role may reach) and for none (no notice).'),
  stoppedByRecipient: z
    .array(
      z.object({
        group: z
          .enum(noticeGroupNames as [string, ...string[]])
          .describe('overdue (pre-overdue, overdue and escalations), recalls, reservations or loan_receipts.'),
        stoppedAt: z.iso.datetime(),
      }),
    )
    .describe(
      "Kinds of notice the recipient stopped themself with the unsubscribe link in a notice: they are not sent to this contact. It is the recipient's own choice.",
    ),
  source: z.enum(contactSources).describe('Who last wrote the contact: an import, this API, or staff in Slack.'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
})

const patronWithContactsSchema = z.object({
  username: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  type: z.enum(patronTypes),
  academicLevel: z.string().nullable(),
  groups: z.array(z.string()),
  enabled: z.boolean(),
  contacts: z.array(contactSchema),
})

const fieldErrorSchema = z.object({
  pointer: z.string().describe('JSON Pointer (RFC 6901) to the bad value in the request body; "" is the whole body.'),
  detail: z.string(),
})

const parameterErrorSchema = z.object({
  parameter: z.string().describe('The query parameter.'),
  detail: z.string(),
})

const lineErrorSchema = z
  .object({
    line: z.int().min(1).describe('The line in the file as a spreadsheet numbers it: the header is line 1.'),
    column: z.string().describe("The column's header, or (row) for the whole line."),
    detail: z.string(),
  })
  .describe('A problem in an imported file, where a spreadsheet shows it.')

const templateFaultSchema = z
  .object({
    pointer: z.enum(['/subject', '/html', '/text']).describe('The part of the template.'),
    line: z.int().min(1).optional().describe('The line in that part, from 1, when the fault is at a place in it.'),
    column: z.int().min(1).optional().describe('The column in that line, from 1.'),
    detail: z.string(),
  })
  .describe('A fault in a template: a Liquid syntax error, a placeholder the scenario does not offer, a part too long or empty, or one that fails to render.')

const problemSchema = z
  .object({
    type: z.string().describe('A URI naming the kind of problem.'),
    title: z.string(),
    status: z.int(),
    detail: z.string().optional(),
    errors: z
      .array(z.union([fieldErrorSchema, parameterErrorSchema, lineErrorSchema, templateFaultSchema]))
      .optional()
      .describe(
        'Each bad field of the request body (pointer), query parameter (parameter), line of an imported file (line and column), or fault of a template (pointer to its part, line and column).',
      ),
    errorCount: z.int().min(0).optional().describe('An imported file: how many errors it has in all; errors lists the first 100.'),
    warnings: z.array(lineErrorSchema).optional().describe('An imported file: what was ignored, such as an unknown column.'),
    patronsNotFound: z.int().min(0).optional().describe('A contacts file: how many different usernames in it name no patron of the library.'),
    startedBy: z.string().optional().describe('The import already running: who started it (api-key:4, slack:U123, cli).'),
    startedAt: z.iso.datetime().optional().describe('The import already running: when it started.'),
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

// Imports: a CSV file streamed in the body; what to do with it in the query.

const queryFlag = (what: string) =>
  z
    .enum(['true', 'false'], { error: 'Give true or false' })
    .transform((value) => value === 'true')
    .optional()
    .describe(what)

const dryRunParam = queryFlag('true: check the file and say what would happen, then discard it; nothing changes.')

export const contactsImportQuerySchema = z
  .strictObject({
    mode: z
      .enum(contactImportModes, {
        error: (issue) => (issue.input === undefined ? 'Required' : `Give one of ${contactImportModes.join(', ')}`),
      })
      .describe(
        "add: add the file's contacts; replace-patrons: replace the contacts of the patrons in the file; replace-levels: the same, for the patrons in the file who are in `levels`; replace-all: replace every patron's contacts (patrons not in the file end with none).",
      ),
    // Level names hold no commas in practice ("Year 7"), so both `levels=a,b` and `levels=a&levels=b` work.
    levels: z
      .union([z.string(), z.array(z.string())])
      .transform((given) =>
        [given]
          .flat()
          .flatMap((value) => value.split(','))
          .map((level) => level.trim())
          .filter((level) => level !== ''),
      )
      .optional()
      .describe('For replace-levels: the academic levels, comma-separated or repeated.'),
    keepCustom: queryFlag('Replace modes: keep the contacts staff added or edited by hand, and do not add an exact duplicate of one.'),
    dryRun: dryRunParam,
  })
  // Levels with another mode is a mistake worth refusing: replace-all would then clear every patron.
  .refine((query) => query.levels === undefined || query.mode === 'replace-levels', {
    path: ['levels'],
    message: 'levels goes only with mode=replace-levels',
  })
  // As the command line refuses --keep-custom with add: add deletes nothing, so keeps nothing.
  .refine((query) => query.keepCustom !== true || query.mode !== 'add', {
    path: ['keepCustom'],
    message: 'keepCustom goes only with the replace modes; add keeps every contact',
  })

export const patronsImportQuerySchema = z.strictObject({ dryRun: dryRunParam })

export const count = z.int().min(0)
const importedFile = {
  dryRun: z.boolean().describe('true: nothing was changed, and the checked file was discarded.'),
  batchId: z.int().describe('The import, as the audit log names it.'),
  fileName: z.string().describe('From Content-Disposition, or contacts.csv / patrons.csv.'),
  checksum: z.string().describe('SHA-256 of the bytes sent, in hex.'),
  warnings: z.array(lineErrorSchema).describe('What was ignored, such as an unknown column.'),
}

const contactsImportSchema = z.object({
  ...importedFile,
  summary: z
    .object({
      rows: count,
      patronsInFile: count,
      patronsNotFound: count,
      patronsTouched: count.describe('Patrons whose contacts really change: one added, updated or deleted.'),
      contactsToAdd: count,
      contactsToUpdate: count.describe('Contacts the file gives with the same address and other details: changed in place, keeping their id.'),
      contactsToDelete: count,
      contactsUnchanged: count.describe('Contacts the file repeats exactly, scenarios included: left as they are.'),
      contactsKept: count.describe('Kept by keepCustom.'),
      duplicatesSkipped: count.describe(
        'Rows that repeat the address of a contact the import leaves as it is (in add mode, any contact the patron has), so change nothing.',
      ),
    })
    .describe('What the import does (or would do, on a dry run).'),
  added: count.optional().describe('Contacts added; absent on a dry run.'),
  updated: count.optional().describe('Contacts changed in place; absent on a dry run.'),
  deleted: count.optional().describe('Contacts deleted; absent on a dry run.'),
  unchanged: count.optional().describe('Contacts the file repeats exactly; absent on a dry run.'),
  skipped: count.optional().describe('Rows skipped as duplicates; absent on a dry run.'),
})

const patronsImportSchema = z.object({
  ...importedFile,
  summary: z
    .object({ rows: count, toCreate: count, toUpdate: count, unchanged: count, toDeactivate: count, toReactivate: count })
    .describe('What the import does (or would do, on a dry run).'),
  created: count.optional().describe('Absent on a dry run.'),
  updated: count.optional().describe('Absent on a dry run.'),
  unchanged: count.optional().describe('Absent on a dry run.'),
})

// The audit log: filters in the query, checked by the domain (which names each bad one).

const auditFilter = (what: string) => z.string({ error: 'Give this parameter once' }).optional().describe(what)

export const auditQuerySchema = z.strictObject({
  from: auditFilter(
    "Entries at or after this: a date (2026-03-01: from the start of that day in the library's time zone) or an instant with its offset (2026-03-01T08:00:00Z).",
  ),
  to: auditFilter("Entries at or before this: a date (2026-03-31: to the end of that day in the library's time zone) or an instant with its offset."),
  actor: auditFilter('Who acted or approved, as the log names them: slack:U0123ABCD, api-key:4, cli.'),
  patron: auditFilter("A patron's username: entries about the patron or their contacts, and batches of patrons that name them."),
  action: auditFilter('An action (contact.added), or a prefix ending in a dot for every action of a kind (contact.).'),
  cursor: auditFilter('nextCursor of the previous page: the next, older, entries with the same filters.'),
  limit: z
    .string({ error: 'Give this parameter once' })
    .regex(/^[0-9]{1,6}$/, `Give a whole number from 1 to ${maxAuditLimit}`)
    .transform(Number)
    .optional()
    .describe(`Entries per page, 1 to ${maxAuditLimit}; ${defaultAuditLimit} when left out.`),
})

const auditEntrySchema = z.object({
  id: z.string().describe('Grows with every entry written.'),
  at: z.iso.datetime(),
  actor: z.string().describe('Who did it: slack:U0123ABCD, api-key:4, cli; for an import, who asked for it.'),
  approver: z.string().nullable().describe("Who confirmed it, when that was someone else's step (an import's confirmation)."),
  action: z
    .string()
    .describe('What was done: contact.added, contact.updated, contact.removed, patrons.upserted, contacts.imported, staff.added, api_key.created, …'),
  subjectType: z.string().describe('What it was done to: contact, patron, import, staff, api_key, library.'),
  subjectId: z.string().nullable(),
  patron: z.string().nullable().describe('The username of the patron the entry is about, while the patron exists.'),
  before: z.unknown().describe('The subject before the change, when there was one.'),
  after: z.unknown().describe('The subject after the change.'),
  details: z.unknown().describe("What else the action recorded: an import's file name, checksum and counts."),
})

const auditPageSchema = z.object({
  entries: z.array(auditEntrySchema).describe('Newest first.'),
  nextCursor: z.string().nullable().describe('Send as cursor for the next, older, page; null on the last page.'),
})

export type FieldError = z.infer<typeof fieldErrorSchema>
export type ParameterError = z.infer<typeof parameterErrorSchema>
export type LineError = z.infer<typeof lineErrorSchema>
export type Problem = z.infer<typeof problemSchema>
export type ContactBody = z.input<typeof contactSchema>
export type PatronWithContactsBody = z.input<typeof patronWithContactsSchema>
export type ContactsImportBody = z.input<typeof contactsImportSchema>
export type PatronsImportBody = z.input<typeof patronsImportSchema>
export type AuditPageBody = z.input<typeof auditPageSchema>
export type TemplateFaultError = z.infer<typeof templateFaultSchema>

/** Every named schema, as the OpenAPI document lists them under components. */
export const namedSchemas = {
  Patron: patronSchema,
  PatronBatch: patronBatchSchema,
  UpsertSummary: upsertSummarySchema,
  NewContact: newContactSchema,
  ContactChanges: contactChangesSchema,
  Contact: contactSchema,
  PatronWithContacts: patronWithContactsSchema,
  ContactsImport: contactsImportSchema,
  PatronsImport: patronsImportSchema,
  AuditPage: auditPageSchema,
  AuditEntry: auditEntrySchema,
  LineError: lineErrorSchema,
  Problem: problemSchema,
} as const
