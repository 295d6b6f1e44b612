import { z } from 'zod'
import { scenarioNames } from '../../domain/scenarios/catalogue.ts'
import { unstorableText } from '../../domain/text.ts'

// What the library system feeds (issue 11): items, loans, reservations, suppliers, purchase
// orders and password resets, each under the library system's own id. The routes validate with
// these schemas and the OpenAPI document is generated from them.

const text = (what: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, `${what} is longer than ${max} characters`)
    .check((ctx) => {
      const problem = unstorableText(ctx.value)
      if (problem) ctx.issues.push({ code: 'custom', message: `${what} ${problem}`, input: ctx.value })
    })

// Library systems number their records, or name them: either is kept as text, so 42 and "42" are one id.
const externalId = (what: string) =>
  z
    .union([text(what, 100).min(1, `${what} is required`), z.int().min(0)])
    .transform(String)
    .describe(`${what}: the library system's own, a string or a whole number; a repeated call with it changes nothing.`)

const calendarDate = (what: string) =>
  z.iso.date({ error: `Give ${what} as a date such as 2026-03-24` }).describe(`${what}: a date of the library's calendar, YYYY-MM-DD.`)

const instant = (what: string) =>
  z.iso
    .datetime({ offset: true, error: `Give ${what} as an instant with its offset, such as 2026-03-10T09:15:00+11:00` })
    .transform((value) => new Date(value))
    .describe(`${what}: an ISO 8601 date-time with its offset (Z for UTC).`)

const username = text('Username', 100).min(1, 'Username is required').describe("The patron's username, as in POST /patrons (any case).")

const itemSchema = z
  .strictObject({
    id: externalId("The item's id"),
    title: text('Title', 500).min(1, 'Title is required'),
    author: text('Author', 500).optional(),
    barcode: text('Barcode', 100).optional(),
  })
  .describe('The item, created or brought up to date by its id. author and barcode left out keep their stored value (empty for a new item).')

export const checkoutSchema = z
  .strictObject({
    id: externalId("The loan's id"),
    username,
    item: itemSchema,
    checkedOutAt: instant('checkedOutAt'),
    dueDate: calendarDate('dueDate'),
  })
  .describe('A checkout. The same loan again changes nothing; a new due date or checkout time updates it.')

export const renewalSchema = z.strictObject({ dueDate: calendarDate('dueDate') }).describe('The new due date.')

export const recallSchema = z
  .strictObject({ dueDate: calendarDate('dueDate').optional().describe('The earlier due date the recall sets, if it sets one.') })
  .describe('Optional: the whole body may be left out.')

/** The body of a state change that carries nothing: left out, or `{}`. */
export const noFieldsSchema = z.strictObject({}).describe('No fields: the body may be left out.')

export const reservationSchema = z
  .strictObject({ id: externalId("The reservation's id"), username, item: itemSchema, placedAt: instant('placedAt') })
  .describe('A reservation placed. The same reservation again changes nothing.')

export const readySchema = z.strictObject({ pickupBy: calendarDate('pickupBy') }).describe('The last day the item waits for the patron.')

export const supplierSchema = z
  .strictObject({
    id: externalId("The supplier's id"),
    name: text('Name', 200).min(1, 'Name is required'),
    email: z.email('Give an email address').max(320).describe('Where purchase orders are mailed.'),
  })
  .describe('A supplier, created or brought up to date by its id.')

// A line's other fields are offered to the template by their names ({{ line.isbn }}), so a
// name must be one a template can write.
const detailName = /^[A-Za-z][A-Za-z0-9_]{0,39}$/
const reservedNames = ['line_no', 'title', 'quantity']

const orderLineSchema = z
  .object({
    title: text('Title', 500).min(1, 'Title is required'),
    quantity: z.int('Give a whole number').min(1, 'Give at least 1').max(100_000, 'Give at most 100000'),
  })
  .catchall(z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]))
  .superRefine((line, ctx) => {
    const extra = Object.keys(line).filter((key) => key !== 'title' && key !== 'quantity')
    for (const key of extra) {
      if (!detailName.test(key) || reservedNames.includes(key))
        ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is not a field name a template can use: letters, digits and _, starting with a letter` })
    }
    if (extra.length > 20) ctx.addIssue({ code: 'custom', path: [], message: 'A line has at most 20 other fields' })
  })
  .describe('A line: title and quantity, and any other fields (author, isbn, price…), text, numbers, true/false or null, which the order template can show.')

export const orderSchema = z
  .strictObject({
    id: externalId("The order's id"),
    supplierId: externalId("The supplier's id").describe('A supplier sent with POST /suppliers.'),
    lines: z.array(orderLineSchema).min(1, 'An order has at least one line').max(500, 'An order has at most 500 lines'),
  })
  .describe('A purchase order, mailed to its supplier once. The same order again changes nothing; other lines under its id are a conflict.')

export const passwordResetSchema = z
  .strictObject({
    username,
    link: z
      .url({ protocol: /^https$/, error: 'Give the reset link as an https:// URL' })
      .max(2000, 'The link is longer than 2000 characters')
      .describe('The reset link of the library system: a secret, only ever put in the email to the patron.'),
  })
  .describe("A patron's password-reset request.")

/** A loan's or reservation's id in the path: the library system's, as sent. */
export const externalIdParam = z.string().min(1).max(100).describe("The library system's id.")

// Answers.

const change = z
  .enum(['created', 'updated', 'unchanged'])
  .describe('created: a new id (status 201); updated: a change was made (200); unchanged: the call repeated what was known (200), and queued nothing.')

const noticeSchema = z
  .object({
    scenario: z.enum(scenarioNames),
    status: z
      .enum(['queued', 'skipped', 'not_sent'])
      .describe('queued: to be sent (a loan receipt: once its window has passed); skipped: in the email log with the reason; not_sent: recorded nowhere.'),
    reason: z
      .string()
      .nullable()
      .describe(
        'skipped: no_contact (no contact may receive it), template_error; not_sent: scenario_off, inactive (a deactivated patron), excluded (by academic level or library group), late_report (a checkout reported over a day late gets no receipt).',
      ),
  })
  .nullable()
  .describe('The notice this call gave; null when it gives none (a return, a repeat).')

const itemAnswer = z.object({ id: z.string(), title: z.string(), author: z.string(), barcode: z.string() })

const loanSchema = z.object({
  id: z.string(),
  username: z.string().nullable().describe("The patron's username; null once the patron was purged and the loan kept, anonymised, for statistics."),
  academicLevel: z.string().nullable().describe("The patron's academic level; for an anonymised loan, the one the patron had when purged."),
  item: itemAnswer,
  checkedOutAt: z.iso.datetime(),
  dueDate: z.iso.date(),
  status: z.enum(['open', 'returned', 'lost']),
  recalledAt: z.iso.datetime().nullable().describe('Set by a recall; a renewal clears it.'),
  closedAt: z.iso.datetime().nullable().describe('When it was returned or marked lost.'),
})

const reservationAnswerSchema = z.object({
  id: z.string(),
  username: z.string(),
  item: itemAnswer,
  placedAt: z.iso.datetime(),
  status: z.enum(['placed', 'ready', 'cancelled', 'collected']),
  pickupBy: z.iso.date().nullable(),
  readyAt: z.iso.datetime().nullable(),
  closedAt: z.iso.datetime().nullable().describe('When it was cancelled or collected.'),
})

const supplierAnswerSchema = z.object({ id: z.string(), name: z.string(), email: z.string() })

const orderAnswerSchema = z.object({
  id: z.string(),
  supplierId: z.string(),
  placedAt: z.iso.datetime(),
  lines: z.array(z.object({ title: z.string(), quantity: z.int() }).catchall(z.unknown())),
})

const fed = <Key extends string, Schema extends z.ZodType>(key: Key, schema: Schema) =>
  z.object({ result: change, [key]: schema, notice: noticeSchema } as { result: typeof change } & Record<Key, Schema> & { notice: typeof noticeSchema })

const loanAnswer = fed('loan', loanSchema)
const reservationAnswer = fed('reservation', reservationAnswerSchema)
const supplierAnswer = fed('supplier', supplierAnswerSchema)
const orderAnswer = fed('order', orderAnswerSchema)
const passwordResetAnswer = z.object({ result: change.describe('created: a new link; unchanged: the same link again, queued nothing.'), notice: noticeSchema })

export type LoanAnswer = z.input<typeof loanAnswer>
export type ReservationAnswer = z.input<typeof reservationAnswer>
export type SupplierAnswer = z.input<typeof supplierAnswer>
export type OrderAnswer = z.input<typeof orderAnswer>
export type PasswordResetAnswer = z.input<typeof passwordResetAnswer>

/** The circulation schemas the OpenAPI document lists under components. */
export const circulationSchemas = {
  Item: itemSchema,
  Checkout: checkoutSchema,
  Renewal: renewalSchema,
  Recall: recallSchema,
  NoFields: noFieldsSchema,
  Reservation: reservationSchema,
  ReservationReady: readySchema,
  Supplier: supplierSchema,
  OrderLine: orderLineSchema,
  Order: orderSchema,
  PasswordReset: passwordResetSchema,
  Notice: noticeSchema,
  Loan: loanSchema,
  LoanAnswer: loanAnswer,
  ReservationAnswer: reservationAnswer,
  SupplierAnswer: supplierAnswer,
  OrderAnswer: orderAnswer,
  PasswordResetAnswer: passwordResetAnswer,
} as const
