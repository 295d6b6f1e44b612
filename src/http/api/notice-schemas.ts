import { z } from 'zod'
import { type BlacklistReason, blacklistReasons } from '../../domain/bounces/blacklist.ts'
import { defaultEmailLogLimit, maxEmailLogLimit, messageStatuses } from '../../domain/notices/list-messages.ts'
import { preferenceSettings, preferencesBatchModes } from '../../domain/preferences/preferences-batch.ts'
import { scenarioNames } from '../../domain/scenarios/catalogue.ts'
import { daysBeforeRange, daysOverdueRange } from '../../domain/scenarios/scenario-changes.ts'
import { scenarioGroups } from '../../domain/scenarios/scenario-view.ts'
import { maxSenderNameLength } from '../../domain/scenarios/update-library-settings.ts'
import { count, storableName } from './schemas.ts'

// The API's schemas for notices: the library's settings, the scenarios, the templates, the
// email log, the blacklist and the preferences batch. Part of schemas.ts's one source of truth:
// openapi.ts lists `noticeSchemas` under components beside `namedSchemas`.

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
  retainDeletedPatronLoans: z
    .boolean()
    .describe(
      "Whether a purge keeps the purged patrons' loans, anonymised (no patron; academic level, item and dates kept) for statistics; false: they are deleted with the patron. True unless an admin turns it off.",
    ),
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
    retainDeletedPatronLoans: librarySettingsField.retainDeletedPatronLoans.optional(),
  })
  .refine((changes) => Object.keys(changes).length > 0, 'Name at least one setting to change')
  .meta({ minProperties: 1 })
  .describe('The settings to change; the others keep their value.')

export const whole = (range: { min: number; max: number }) => z.int().meta({ minimum: range.min, maximum: range.max })

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

const recipientAddress = z.string().nullable().describe('null once the patron was purged: the message is kept, without its addresses.')

const emailLogMessageSchema = z.object({
  id: z.string().describe('The message: grows with every message queued.'),
  scenario: z.string().describe('The scenario id: circulation.overdue, reservation.ready, …'),
  username: z.string().nullable().describe('The patron it is about; null for a purchase order, or once the patron was purged.'),
  patronEnabled: z
    .boolean()
    .nullable()
    .describe(
      'false when that patron is deactivated now (they get no notices, and may be purged); null when there is no patron (a purchase order, or purged).',
    ),
  supplier: z.string().nullable().describe('The supplier a purchase order went to.'),
  to: z.array(recipientAddress),
  cc: z.array(recipientAddress),
  bcc: z.array(recipientAddress),
  recipients: z
    .array(
      z.object({
        kind: z.enum(['to', 'cc', 'bcc']),
        address: recipientAddress,
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
      'Why it was skipped (no_contact, condition_gone, blacklisted, template_error, patron_purged) or failed (the error); for a queued message, why its last attempt failed.',
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
const filterNames = (what: string) => z.array(storableName('A name', 200)).max(10_000).optional().describe(what)

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
  batchId: z
    .number()
    .int()
    .positive()
    // Batches are numbered as PostgreSQL integers: a larger id names none (the database would refuse it).
    .max(2_147_483_647, 'No batch has so large an id; send the batchId a dry run answered')
    .optional()
    .describe(
      'With dryRun false: the batchId a dry run answered, sent with the same request. The apply goes ahead only if it changes exactly what that preview counted, else a 409. Left out: the batch is previewed and applied at once.',
    ),
})

const preferencesBatchAnswerSchema = z.object({
  contactsToChange: count.describe('Contacts whose preferences change (or would).'),
  skippedNoAddress: count.describe('Selected contacts left alone: no usable email address (not an email contact, or blacklisted).'),
  recipientChoicesOverwritten: count.describe("Recipients' own choices the batch overwrites; 0 unless overwriteRecipientChoices."),
  recipientChoicesKept: count.describe("Recipients' own choices that contradict the batch and are kept, as overwriteRecipientChoices is false."),
  preferencesUpdated: count.describe('Contacts updated; 0 on a dry run.'),
  batchId: z.number().int().describe('The staged batch: send it back with dryRun false to apply exactly this preview (within 24 hours).'),
})

export type PreferencesBatchAnswerBody = z.input<typeof preferencesBatchAnswerSchema>
export type BlacklistEntryBody = z.input<typeof blacklistEntrySchema>
export type BlacklistPageBody = z.input<typeof blacklistPageSchema>
export type LibrarySettingsBody = z.input<typeof librarySettingsSchema>
export type ScenarioBody = z.input<typeof scenarioSchema>
export type ScenarioListBody = z.input<typeof scenarioListSchema>
export type TemplateBody = z.input<typeof templateSchema>
export type TemplateListBody = z.input<typeof templateListSchema>
export type EmailLogPageBody = z.input<typeof emailLogPageSchema>

/** The named schemas of notices, as the OpenAPI document lists them under components. */
export const noticeSchemas = {
  LibrarySettings: librarySettingsSchema,
  LibrarySettingsChanges: librarySettingsChangesSchema,
  Frequency: frequencySchema,
  ScenarioChanges: scenarioChangesSchema,
  MessageCounts: messageCountsSchema,
  Scenario: scenarioSchema,
  ScenarioList: scenarioListSchema,
  TemplateSource: templateBodySchema,
  Template: templateSchema,
  TemplateList: templateListSchema,
  EmailLogMessage: emailLogMessageSchema,
  EmailLogPage: emailLogPageSchema,
  NewBlacklistEntry: newBlacklistEntrySchema,
  BlacklistEntry: blacklistEntrySchema,
  BlacklistPage: blacklistPageSchema,
  BlacklistAnswer: blacklistAnswerSchema,
  PreferencesBatch: preferencesBatchSchema,
  PreferencesBatchAnswer: preferencesBatchAnswerSchema,
} as const
