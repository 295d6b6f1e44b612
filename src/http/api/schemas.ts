import { z } from 'zod'
import { defaultAuditLimit, maxAuditLimit } from '../../domain/audit/list-audit.ts'
import { type BlacklistReason, blacklistReasons } from '../../domain/bounces/blacklist.ts'
import { bccPreferences, contactRoles, contactSources, contactTypes, contactUsages } from '../../domain/contacts/contact-fields.ts'
import { contactImportModes } from '../../domain/imports/contacts-plan.ts'
import { defaultEmailLogLimit, maxEmailLogLimit, messageStatuses } from '../../domain/notices/list-messages.ts'
import { patronTypes } from '../../domain/patrons/patron-view.ts'
import { noticeGroupNames } from '../../domain/preferences/groups.ts'
import { preferenceSettings, preferencesBatchModes } from '../../domain/preferences/run-preferences-batch.ts'
import { contactScenarioNames, scenarioNames } from '../../domain/scenarios/catalogue.ts'
import { daysBeforeRange, daysOverdueRange } from '../../domain/scenarios/scenario-changes.ts'
import { scenarioGroups } from '../../domain/scenarios/scenario-view.ts'
import { maxSenderNameLength } from '../../domain/scenarios/update-library-settings.ts'

// The one source of truth for `/api/v1`: the routes validate with these schemas and the OpenAPI
// document is generated from them, so the two cannot drift apart.

/** The largest request body accepted (413 beyond): room for a full batch of patrons. */
export const maxBodyBytes = 5 * 1024 * 1024

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

const count = z.int().min(0)
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

// Notices: the library's settings and each scenario's. The domain checks the values (ranges, names,
// the escalations' order) and names the field; these schemas check the types and document the ranges.

const librarySettingsField = {
  timeZone: z.string().describe('An IANA time zone, e.g. Australia/Sydney: days overdue, due dates and the run time are counted there.'),
  runAt: z
    .string()
    .meta({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', examples: ['02:00'] })
    .describe('When the nightly run starts, local time, HH:MM on a 24-hour clock.'),
  bccDefault: z.boolean().describe('The school default for BCC: contacts set to "default" go in Bcc when true, in To when false.'),
  senderName: z.string().meta({ maxLength: maxSenderNameLength }).describe("The name the mail is from, on one line; empty: the library's name."),
  replyTo: z.string().nullable().describe('Where replies go, an email address; null: none.'),
  slackChannel: z.string().nullable().describe('The Slack channel id (C0123ABCD) where the nightly reports go; null: none.'),
}

const librarySettingsSchema = z.object(librarySettingsField).describe("The library's notice settings.")

export const librarySettingsChangesSchema = z
  .strictObject({
    timeZone: librarySettingsField.timeZone.optional(),
    runAt: librarySettingsField.runAt.optional(),
    bccDefault: librarySettingsField.bccDefault.optional(),
    senderName: librarySettingsField.senderName.optional(),
    replyTo: librarySettingsField.replyTo.optional(),
    slackChannel: librarySettingsField.slackChannel.optional(),
  })
  .refine((changes) => Object.keys(changes).length > 0, 'Name at least one setting to change')
  .meta({ minProperties: 1 })
  .describe('The settings to change; the others keep their value.')

const whole = (range: { min: number; max: number }) => z.int().meta({ minimum: range.min, maximum: range.max })

const frequencySchema = z
  .discriminatedUnion(
    'every',
    [
      z.strictObject({ every: z.literal('day') }),
      z.strictObject({ every: z.literal('week'), weekday: whole({ min: 1, max: 7 }).describe('1 = Monday … 7 = Sunday.') }),
      z.strictObject({ every: z.literal('month'), day: whole({ min: 1, max: 31 }).describe('The day of the month; 31 = the last day of every month.') }),
    ],
    { error: 'Give {"every":"day"}, {"every":"week","weekday":1-7} or {"every":"month","day":1-31}' },
  )
  .describe('How often overdue notices go: every day; every week on a weekday; every month on a day.')

const scenarioField = {
  enabled: z.boolean().describe('false: the scenario sends nothing.'),
  daysBefore: whole(daysBeforeRange).describe(
    'circulation.pre_overdue: days before the due date (1 to 3 work best); reservation.expiring: days before the pickup-by date.',
  ),
  frequency: frequencySchema,
  daysOverdue: whole(daysOverdueRange).describe('The escalations: days overdue, strictly increasing from #1 to #3.'),
  excludeAcademicLevels: z
    .array(z.string())
    .describe("Academic levels whose patrons this scenario skips, by name as patrons carry them (any case); each must be one of the library's."),
  excludeGroups: z.array(z.string()).describe("Library groups whose patrons this scenario skips, by name (any case); each must be one of the library's."),
}

export const scenarioChangesSchema = z
  .strictObject({
    enabled: scenarioField.enabled.optional(),
    daysBefore: scenarioField.daysBefore.optional(),
    frequency: scenarioField.frequency.optional(),
    daysOverdue: scenarioField.daysOverdue.optional(),
    excludeAcademicLevels: scenarioField.excludeAcademicLevels.max(1000).optional(),
    excludeGroups: scenarioField.excludeGroups.max(1000).optional(),
  })
  .refine((changes) => Object.keys(changes).length > 0, 'Name at least one setting to change')
  .meta({ minProperties: 1 })
  .describe('The settings to change; the others keep their value. A setting that does not apply to the scenario is refused (422), naming it.')

const messageCountsSchema = z
  .object({ sent: count, queued: count, skipped: count, failed: count })
  .describe('Messages by state: a nightly scenario in the latest nightly run, an event in the last 24 hours.')

const scenarioSchema = z
  .object({
    id: z.enum(scenarioNames),
    title: z.string(),
    group: z.enum(scenarioGroups),
    trigger: z.enum(['nightly', 'event']).describe('nightly: planned by the nightly run; event: sent when the library system reports the event.'),
    about: z.string(),
    settings: z.array(z.enum(['daysBefore', 'frequency', 'daysOverdue'])).describe('The settings that apply to it, besides enabled and the exclusions.'),
    enabled: scenarioField.enabled,
    daysBefore: scenarioField.daysBefore.optional().describe('Only where it applies: circulation.pre_overdue and reservation.expiring.'),
    frequency: scenarioField.frequency.optional().describe('Only where it applies: circulation.overdue.'),
    daysOverdue: scenarioField.daysOverdue.optional().describe('Only where it applies: the three escalations.'),
    excludeAcademicLevels: z.array(z.string()).optional().describe('Not for acquisitions.order, which goes to suppliers.'),
    excludeGroups: z.array(z.string()).optional().describe('Not for acquisitions.order, which goes to suppliers.'),
    template: z.enum(['default', 'custom']).describe('custom: the library edited the template.'),
    recent: messageCountsSchema,
  })
  .describe('A scenario as the library runs it.')

const scenarioListSchema = z.object({
  lastNightlyRun: z
    .object({
      asOf: z.iso.date().describe('The night it ran for.'),
      status: z.enum(['running', 'done', 'failed']),
      startedAt: z.iso.datetime(),
      finishedAt: z.iso.datetime().nullable(),
    })
    .nullable()
    .describe('The latest nightly run, or null before the first.'),
  eventsSince: z.iso.datetime().describe("Events' recent counts start here: 24 hours ago."),
  scenarios: z.array(scenarioSchema).describe('Every scenario, in catalogue order.'),
})

export const scenarioIdParam = z.string().min(1).describe('The scenario, e.g. circulation.overdue.')
// Templates: one per scenario, the library's own or the default.

export const scenarioParam = z
  .string()
  .min(1)
  .describe(`A scenario: ${scenarioNames.join(', ')}.`)

const templatePart = (what: string) => z.string().describe(`${what}, in Liquid (docs/staff/templates.md).`)

export const templateBodySchema = z
  .strictObject({
    subject: templatePart('The subject: one line, at most 250 characters'),
    html: templatePart('The HTML part: the body of the email, at most 3,000 characters; every value is HTML-escaped'),
    text: templatePart('The plain text part, at most 3,000 characters'),
  })
  .describe("The library's own template of a scenario: all three parts, saved whole or not at all.")

const templateSchema = z.object({
  scenario: z.enum(scenarioNames),
  title: z.string().describe('The scenario as staff name it: "Overdue notice".'),
  custom: z.boolean().describe("true: the library's own template; false: the default, which every scenario has."),
  subject: z.string(),
  html: z.string(),
  text: z.string(),
  updatedBy: z.string().nullable().describe('Who saved the library’s own template (slack:U0123ABCD, api-key:4); null for the default.'),
  updatedAt: z.iso.datetime().nullable().describe('When it was saved; null for the default.'),
  placeholders: z
    .array(z.object({ name: z.string().describe('As a template writes it: patron.first_name, loans, loan.title.'), about: z.string() }))
    .describe('What the scenario offers its template.'),
})

const templateListSchema = z.object({ templates: z.array(templateSchema).describe('Every scenario, in the order of the catalogue.') })
// The email log: filters in the query, checked by the domain (which names each bad one).

const emailLogFilter = (what: string) => z.string({ error: 'Give this parameter once' }).optional().describe(what)

export const messagesQuerySchema = z.strictObject({
  from: emailLogFilter(
    "Messages planned at or after this: a date (2026-03-01: from the start of that day in the library's time zone) or an instant with its offset (2026-03-01T08:00:00Z).",
  ),
  to: emailLogFilter("Messages planned at or before this: a date (to the end of that day in the library's time zone) or an instant with its offset."),
  scenario: emailLogFilter('A scenario id: circulation.overdue, account.password_reset, …'),
  username: emailLogFilter("A patron's username: the messages about that patron."),
  address: emailLogFilter('An email address: the messages it was sent to, in To, Cc or Bcc, in any case.'),
  status: emailLogFilter(`One of ${messageStatuses.join(', ')}.`),
  cursor: emailLogFilter('nextCursor of the previous page: the next, older, messages with the same filters.'),
  limit: z
    .string({ error: 'Give this parameter once' })
    .regex(/^[0-9]{1,6}$/, `Give a whole number from 1 to ${maxEmailLogLimit}`)
    .transform(Number)
    .optional()
    .describe(`Messages per page, 1 to ${maxEmailLogLimit}; ${defaultEmailLogLimit} when left out.`),
})

const emailLogMessageSchema = z.object({
  id: z.string().describe('The message: grows with every message queued.'),
  scenario: z.string().describe('The scenario id: circulation.overdue, reservation.ready, …'),
  username: z.string().nullable().describe('The patron it is about; null for a purchase order, or once the patron was purged.'),
  supplier: z.string().nullable().describe('The supplier a purchase order went to.'),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  bcc: z.array(z.string()),
  recipients: z
    .array(
      z.object({
        kind: z.enum(['to', 'cc', 'bcc']),
        address: z.string(),
        delivery: z
          .enum(['delivered', 'delayed', 'bounced', 'complained', 'rejected', 'skipped'])
          .nullable()
          .describe(
            'What became of this recipient: delivered, delayed, bounced, complained or rejected, as SES reported it; skipped: left out because its address is blacklisted; null: nothing known yet (or not sent).',
          ),
        detail: z.string().nullable().describe("SES's diagnostic (a bounce's type and status), or why it was skipped (blacklisted)."),
        at: z.iso.datetime().nullable().describe('When SES reported it, or when it was skipped.'),
        sentAt: z.iso
          .datetime()
          .nullable()
          .describe("When this recipient's own copy was sent (a message leaves as one email per recipient); null while it is not."),
      }),
    )
    .describe('Every recipient in order, with its delivery status.'),
  subject: z.string(),
  status: z
    .enum(messageStatuses)
    .describe('queued: waiting to be sent; sending: being sent right now; sent; skipped: not sent, see reason; failed: could not be sent, see reason.'),
  reason: z
    .string()
    .nullable()
    .describe(
      'Why it was skipped (no_contact, condition_gone, blacklisted, template_error) or failed (the error); for a queued message, why its last attempt failed.',
    ),
  loans: z.array(z.object({ title: z.string(), barcode: z.string(), dueDate: z.iso.date() })).describe('The loans it concerns, earliest due first.'),
  reservation: z.object({ title: z.string(), barcode: z.string(), pickupBy: z.iso.date().nullable() }).nullable().describe('The reservation it concerns.'),
  requestedBy: z.string().nullable().describe('Who sent it by hand (slack:U0123ABCD, api-key:4); null for what the nightly run or an event queued.'),
  plannedAt: z.iso.datetime().describe('When it was planned (queued, or recorded as skipped).'),
  sentAt: z.iso.datetime().nullable(),
})

const emailLogPageSchema = z.object({
  messages: z.array(emailLogMessageSchema).describe('Newest first.'),
  nextCursor: z.string().nullable().describe('Send as cursor for the next, older, page; null on the last page.'),
})

// The blacklist: addresses never mailed, for the whole deployment; a key sees its library's.

export const blacklistQuerySchema = z.strictObject({
  since: z
    .string({ error: 'Give this parameter once' })
    .optional()
    .describe(
      "Entries added at or after this: a date (2026-03-01: from the start of that day in the library's time zone) or an instant with its offset. Left out: the last 30 days.",
    ),
})

export const blacklistAddressParam = z.string().min(1).describe('The address, URL-encoded; matched in any case.')

export const newBlacklistEntrySchema = z.strictObject({
  address: z.string().describe('The email address never to mail.'),
  // Bounces, complaints and SES's list are learnt from SES, never claimed: a key of one library
  // must not mark another's parent as a complainer.
  reason: z
    .literal('manual', { error: 'Only manual: bounces and complaints are learnt from SES' })
    .optional()
    .describe('manual, the only reason one adds by hand; may be left out.'),
})

const blacklistEntrySchema = z.object({
  address: z.string(),
  reason: z
    .enum(blacklistReasons as [BlacklistReason, ...BlacklistReason[]])
    .describe(
      'bounce: a permanent bounce; complaint: the recipient marked a notice as spam; soft_bounces: repeated transient bounces; suppressed: on SES’s account suppression list; manual: added by hand.',
    ),
  detail: z.string().nullable().describe("SES's words: the bounce type and diagnostic, or the complaint's feedback type; or a note."),
  source: z
    .enum(['ses', 'suppression_list', 'staff', 'api'])
    .describe('Where it was learnt: an SES notification, SES’s suppression list, staff in Slack, or the API.'),
  addedBy: z.string().nullable().describe('Who added it by hand (slack:U0123ABCD, api-key:4).'),
  createdAt: z.iso.datetime(),
  patrons: z
    .array(z.object({ username: z.string(), name: z.string(), role: z.string(), contactId: z.number().int() }))
    .describe("The library's patrons whose contact this address is."),
})

const blacklistPageSchema = z.object({
  since: z.iso.datetime().describe('Where the list starts.'),
  entries: z.array(blacklistEntrySchema).describe('Newest first, at most 500.'),
  truncated: z.boolean().describe('True when there were more than 500: ask with a later since.'),
})

const blacklistAnswerSchema = z.object({
  result: z.enum(['created', 'unchanged']).describe('unchanged: the address was blacklisted already, and keeps its first reason.'),
  entry: blacklistEntrySchema,
})

// The contact preferences batch (seed 003): the field names are the API's contract (issue 13).

const preferenceSetting = (what: string) => z.enum(preferenceSettings).default('no_change').describe(`${what}: on, off or no_change (the default).`)
const filterNames = (what: string) => z.array(z.string().min(1).max(200)).max(10_000).optional().describe(what)

export const preferencesBatchSchema = z.strictObject({
  mode: z
    .enum(preferencesBatchModes)
    .describe('guardians: contacts with the guardian role; patrons: the patrons themselves; others: other contacts (teachers, the head of school).'),
  filter: z
    .strictObject({
      academicLevels: filterNames('Only patrons in these academic levels, by name.'),
      groups: filterNames('Only patrons in any of these library groups, by name.'),
      usernames: filterNames('Only these patrons, by username; an unknown one is a 422 naming it.'),
    })
    .optional()
    .describe('Left out, or a list left out or empty: no filtering on it. Lists given together all apply.'),
  set: z
    .strictObject({
      overdue: preferenceSetting('Overdue notices: pre-overdue, overdue, escalations #1 to #3'),
      recalls: preferenceSetting('Recalls'),
      reservations: preferenceSetting('Reservation notices: requested, ready, expiring, expired, cancelled'),
      loanReceipts: preferenceSetting('Loan receipts'),
    })
    .describe('Per group of scenarios. Password resets and purchase orders are not preferences.'),
  overwriteRecipientChoices: z
    .boolean()
    .default(false)
    .describe('true: a choice a recipient made through an unsubscribe link gives way to the batch (and is removed); false: it is kept.'),
  dryRun: z.boolean().default(true).describe('true (the default): count what would change; nothing changes.'),
  expectedPlanChecksum: z
    .string()
    .max(64)
    .optional()
    .describe("A dry run's planChecksum: the apply goes ahead only if it changes exactly what that preview counted, else a 409."),
})

const preferencesBatchAnswerSchema = z.object({
  contactsToChange: count.describe('Contacts whose preferences change (or would).'),
  skippedNoAddress: count.describe('Selected contacts left alone: no usable email address (not an email contact, or blacklisted).'),
  recipientChoicesOverwritten: count.describe("Recipients' own choices the batch overwrites; 0 unless overwriteRecipientChoices."),
  recipientChoicesKept: count.describe("Recipients' own choices that contradict the batch and are kept, as overwriteRecipientChoices is false."),
  preferencesUpdated: count.describe('Contacts updated; 0 on a dry run.'),
  planChecksum: z.string().describe('A digest of the changes; send it back as expectedPlanChecksum to apply exactly this preview.'),
})

export type PreferencesBatchAnswerBody = z.input<typeof preferencesBatchAnswerSchema>
export type BlacklistEntryBody = z.input<typeof blacklistEntrySchema>
export type BlacklistPageBody = z.input<typeof blacklistPageSchema>
export type FieldError = z.infer<typeof fieldErrorSchema>
export type ParameterError = z.infer<typeof parameterErrorSchema>
export type LineError = z.infer<typeof lineErrorSchema>
export type Problem = z.infer<typeof problemSchema>
export type ContactBody = z.input<typeof contactSchema>
export type PatronWithContactsBody = z.input<typeof patronWithContactsSchema>
export type ContactsImportBody = z.input<typeof contactsImportSchema>
export type PatronsImportBody = z.input<typeof patronsImportSchema>
export type AuditPageBody = z.input<typeof auditPageSchema>
export type LibrarySettingsBody = z.input<typeof librarySettingsSchema>
export type ScenarioBody = z.input<typeof scenarioSchema>
export type ScenarioListBody = z.input<typeof scenarioListSchema>
export type TemplateBody = z.input<typeof templateSchema>
export type TemplateListBody = z.input<typeof templateListSchema>
export type TemplateFaultError = z.infer<typeof templateFaultSchema>
export type EmailLogPageBody = z.input<typeof emailLogPageSchema>

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
  LibrarySettings: librarySettingsSchema,
  LibrarySettingsChanges: librarySettingsChangesSchema,
  Frequency: frequencySchema,
  Scenario: scenarioSchema,
  ScenarioList: scenarioListSchema,
  ScenarioChanges: scenarioChangesSchema,
  MessageCounts: messageCountsSchema,
  TemplateSource: templateBodySchema,
  Template: templateSchema,
  TemplateList: templateListSchema,
  EmailLogPage: emailLogPageSchema,
  EmailLogMessage: emailLogMessageSchema,
  BlacklistPage: blacklistPageSchema,
  BlacklistEntry: blacklistEntrySchema,
  NewBlacklistEntry: newBlacklistEntrySchema,
  BlacklistAnswer: blacklistAnswerSchema,
  PreferencesBatch: preferencesBatchSchema,
  PreferencesBatchAnswer: preferencesBatchAnswerSchema,
  LineError: lineErrorSchema,
  Problem: problemSchema,
} as const
