import { z } from 'zod'
import { circulationSchemas, externalIdParam } from './circulation-schemas.ts'
import { eventSchemas, eventsQuerySchema } from './event-schemas.ts'
import { maxImportBytes } from './imports.ts'
import { blacklistAddressParam, blacklistQuerySchema, messagesQuerySchema, noticeSchemas, scenarioIdParam, scenarioParam } from './notice-schemas.ts'
import { patronSchemas } from './patron-schemas.ts'
import { purgeCandidatesQuerySchema, purgeIdParam, purgeSchemas } from './purge-schemas.ts'
import { auditQuerySchema, contactIdParam, contactsImportQuerySchema, maxBodyBytes, namedSchemas, patronsImportQuerySchema, usernameParam } from './schemas.ts'

type JsonSchema = Record<string, unknown>

const allSchemas = { ...namedSchemas, ...patronSchemas, ...noticeSchemas, ...circulationSchemas, ...purgeSchemas, ...eventSchemas }
const ref = (name: keyof typeof allSchemas) => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: JsonSchema) => ({ 'application/json': { schema } })
const problemJson = { 'application/problem+json': { schema: ref('Problem') } }

// Component schemas come out of the very schemas the routes validate with. `io: 'input'`
// describes what a caller may send: fields with a default are optional.
function componentSchemas(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>()
  for (const [id, schema] of Object.entries(allSchemas)) registry.add(schema, { id })
  const { schemas } = z.toJSONSchema(registry, { io: 'input', uri: (id) => `#/components/schemas/${id}`, unrepresentable: 'throw' })
  // OpenAPI 3.1 sets the dialect; a fragment `$id` is not a valid JSON Schema id anyway.
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema, $id, ...schema }]) => [id, schema]))
}

function parameterSchema(schema: z.ZodType): JsonSchema {
  const { $schema, ...rest } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'throw' })
  return rest
}

// A query parameter is described as sent (`io: 'input'`): the string "true", not the boolean.
function queryParameters(schema: z.ZodObject) {
  return Object.entries(schema.shape).map(([name, field]) => {
    const { $schema, description, ...rest } = z.toJSONSchema(field as z.ZodType, { io: 'input', unrepresentable: 'throw' })
    return { name, in: 'query', required: !(field as z.ZodType).safeParse(undefined).success, description, schema: rest }
  })
}

const csvFile = (columns: string) => {
  const schema = { type: 'string', description: `A CSV file, streamed: ${columns}` }
  return { 'text/csv': { schema }, 'application/csv': { schema }, 'text/plain': { schema } }
}

const contentDisposition = {
  name: 'Content-Disposition',
  in: 'header',
  required: false,
  description: 'attachment; filename="…": the file name the audit log records. Without it: contacts.csv or patrons.csv.',
  schema: { type: 'string' },
}

const problemResponses = {
  MalformedJson: { description: 'The body is not valid JSON.', content: problemJson },
  Unauthorized: {
    description: 'No API key, or an unknown or revoked one.',
    headers: { 'WWW-Authenticate': { schema: { type: 'string' }, description: 'Bearer realm="library-comms"' } },
    content: problemJson,
  },
  Forbidden: { description: "The key's role may not do this.", content: problemJson },
  NotFound: { description: 'No such patron or contact in the library of the key, or no such scenario.', content: problemJson },
  PayloadTooLarge: { description: `The body is larger than ${maxBodyBytes} bytes.`, content: problemJson },
  UnsupportedMediaType: { description: 'The body is not sent as application/json.', content: problemJson },
  Invalid: {
    description: 'A field is wrong: `errors` names each one by JSON Pointer (a template: its part, with the line and column in it). Nothing was changed.',
    content: problemJson,
  },
  NotCsv: { description: 'The body is not sent as text/csv (or application/csv, text/plain).', content: problemJson },
  ImportRunning: {
    description:
      'Another import runs in this library (`startedBy` and `startedAt` say whose and since when), or an admin released this one while it was read. Nothing was changed.',
    content: problemJson,
  },
  FileTooLarge: {
    description: `The file is larger than ${maxImportBytes} bytes; it was refused as it streamed, and the connection closes.`,
    content: problemJson,
  },
  InvalidImport: {
    description:
      'A query parameter is wrong (`errors` names each by `parameter`), the file cannot be read, or it has errors: `errors` lists the first 100 by `line` and `column`, `errorCount` counts them all. Nothing was changed.',
    content: problemJson,
  },
  InvalidQuery: { description: 'A query parameter is wrong: `errors` names each one by `parameter`.', content: problemJson },
  RecordNotFound: { description: "No loan or reservation with this id (the library system's) in the library of the key.", content: problemJson },
  Conflict: {
    description:
      'The id is already known with content that cannot change (a loan of another patron; `errors` names the field), or the state forbids the change (a returned loan cannot be renewed). Nothing was changed.',
    content: problemJson,
  },
  InternalError: { description: 'Something failed on our side; nothing of it is disclosed.', content: problemJson },
  NotBlacklisted: { description: 'The address is not on the blacklist, or concerns none of the library’s contacts and messages.', content: problemJson },
  ServiceStarting: { description: 'The service is starting and its database is not ready yet; try again in a few seconds.', content: problemJson },
}

type ProblemName = keyof typeof problemResponses
const statusOf: Record<ProblemName, string> = {
  MalformedJson: '400',
  Unauthorized: '401',
  Forbidden: '403',
  NotFound: '404',
  PayloadTooLarge: '413',
  UnsupportedMediaType: '415',
  Invalid: '422',
  NotCsv: '415',
  ImportRunning: '409',
  FileTooLarge: '413',
  InvalidImport: '422',
  InvalidQuery: '422',
  RecordNotFound: '404',
  Conflict: '409',
  InternalError: '500',
  NotBlacklisted: '404',
  ServiceStarting: '503',
}

const responseRef = (name: ProblemName) => ({ $ref: `#/components/responses/${name}` })

// Every route answers 503 while the service starts (src/http/app.ts), before the API exists.
function problems(...names: ProblemName[]) {
  const all: ProblemName[] = ['Unauthorized', ...names, 'InternalError', 'ServiceStarting']
  return Object.fromEntries(all.map((name) => [statusOf[name], responseRef(name)]))
}

const writing: ProblemName[] = ['MalformedJson', 'PayloadTooLarge', 'UnsupportedMediaType', 'Invalid']

const importing: ProblemName[] = ['Forbidden', 'ImportRunning', 'FileTooLarge', 'NotCsv', 'InvalidImport']

type Tag =
  | 'patrons'
  | 'contacts'
  | 'imports'
  | 'audit'
  | 'settings'
  | 'scenarios'
  | 'templates'
  | 'circulation'
  | 'acquisitions'
  | 'password resets'
  | 'messages'
  | 'blacklist'
  | 'preferences'
  | 'events'
  | 'purge'

function operation(tag: Tag, summary: string, operationId: string, details: Record<string, unknown>) {
  return { tags: [tag], summary, operationId, ...details }
}

// Circulation: created (201), or updated or unchanged (200), with the notice the call gave.
function fedResponses(answer: keyof typeof allSchemas, what: string, options: { creates: boolean }) {
  const body = { content: json(ref(answer)) }
  return {
    ...(options.creates && { '201': { description: `A new ${what}: result is created.`, ...body } }),
    '200': {
      description: options.creates
        ? `The ${what} was known: result is updated or unchanged.`
        : 'result is updated, or unchanged when the call repeats what is known.',
      ...body,
    },
  }
}

/** A state change: its body may be left out (`required: false`). */
const actionBody = (schema: keyof typeof allSchemas) => ({ required: false, content: json(ref(schema)) })

function circulationPaths() {
  const id = (what: string) => ({
    name: 'id',
    in: 'path',
    required: true,
    description: `The ${what}'s id, as the library system sent it.`,
    schema: parameterSchema(externalIdParam),
  })
  const loanAction = (operationId: string, summary: string, description: string, details: Record<string, unknown>) => ({
    parameters: [id('loan')],
    post: operation('circulation', summary, operationId, { description, ...details }),
  })
  const reservationAction = (operationId: string, summary: string, description: string, details: Record<string, unknown>) => ({
    parameters: [id('reservation')],
    post: operation('circulation', summary, operationId, { description, ...details }),
  })
  return {
    '/api/v1/loans': {
      post: operation('circulation', 'Report a checkout', 'checkOutLoan', {
        description:
          "Records the loan and upserts its item. A new loan's receipt (lending.loan_receipt) is queued in the same transaction and sent 5 minutes later: the patron's further checkouts in those minutes join it, so one receipt lists them all. The same loan again is unchanged; a new due date or checkout time updates it; the id sent with another patron or item is a 409.",
        requestBody: { required: true, content: json(ref('Checkout')) },
        responses: { ...fedResponses('LoanAnswer', 'loan', { creates: true }), ...problems(...writing, 'Conflict') },
      }),
    },
    '/api/v1/loans/{id}': {
      parameters: [id('loan')],
      get: operation('circulation', 'Read a loan', 'getLoan', {
        description:
          'The loan as library-comms keeps it. The loan of a purged patron, kept anonymised when the library retains such loans, has username null and keeps its academic level, item and dates.',
        responses: { '200': { description: 'The loan.', content: json(ref('Loan')) }, ...problems('RecordNotFound') },
      }),
    },
    '/api/v1/loans/{id}/renew': loanAction(
      'renewLoan',
      'Renew a loan to a new due date',
      'The same due date again is unchanged. A returned or lost loan cannot be renewed (409). A renewal ends a recall.',
      {
        requestBody: { required: true, content: json(ref('Renewal')) },
        responses: { ...fedResponses('LoanAnswer', 'loan', { creates: false }), ...problems(...writing, 'RecordNotFound', 'Conflict') },
      },
    ),
    '/api/v1/loans/{id}/return': loanAction('returnLoan', 'Report a return', 'Returning a returned loan is unchanged; a lost loan returned is returned.', {
      requestBody: actionBody('NoFields'),
      responses: { ...fedResponses('LoanAnswer', 'loan', { creates: false }), ...problems(...writing, 'RecordNotFound') },
    }),
    '/api/v1/loans/{id}/lost': loanAction(
      'markLoanLost',
      'Mark a loan lost',
      'A lost loan is chased no more. Marking it again is unchanged; a returned loan cannot be lost (409).',
      {
        requestBody: actionBody('NoFields'),
        responses: { ...fedResponses('LoanAnswer', 'loan', { creates: false }), ...problems(...writing, 'RecordNotFound', 'Conflict') },
      },
    ),
    '/api/v1/loans/{id}/recall': loanAction(
      'recallLoan',
      'Recall a loan',
      'Queues the recall notice (circulation.recall) at once, and is audited. A loan already recalled is unchanged and gets no second notice until a renewal ends the recall; a returned or lost loan cannot be recalled (409).',
      {
        requestBody: actionBody('Recall'),
        responses: { ...fedResponses('LoanAnswer', 'loan', { creates: false }), ...problems(...writing, 'RecordNotFound', 'Conflict') },
      },
    ),
    '/api/v1/reservations': {
      post: operation('circulation', 'Report a reservation placed', 'placeReservation', {
        description:
          'Records the reservation and upserts its item; its notice (reservation.requested) is queued in the same transaction. The same reservation again is unchanged; the id sent with another patron or item is a 409.',
        requestBody: { required: true, content: json(ref('Reservation')) },
        responses: { ...fedResponses('ReservationAnswer', 'reservation', { creates: true }), ...problems(...writing, 'Conflict') },
      }),
    },
    '/api/v1/reservations/{id}/ready': reservationAction(
      'markReservationReady',
      'Report a reservation ready for pickup',
      'Queues its notice (reservation.ready) with the pickup-by date. The same date again is unchanged; a new date sends a new notice. A cancelled or collected reservation cannot be ready (409).',
      {
        requestBody: { required: true, content: json(ref('ReservationReady')) },
        responses: { ...fedResponses('ReservationAnswer', 'reservation', { creates: false }), ...problems(...writing, 'RecordNotFound', 'Conflict') },
      },
    ),
    '/api/v1/reservations/{id}/cancel': reservationAction(
      'cancelReservation',
      'Report a reservation cancelled',
      'Queues its notice (reservation.cancelled). Cancelling it again is unchanged; a collected reservation cannot be cancelled (409).',
      {
        requestBody: actionBody('NoFields'),
        responses: { ...fedResponses('ReservationAnswer', 'reservation', { creates: false }), ...problems(...writing, 'RecordNotFound', 'Conflict') },
      },
    ),
    '/api/v1/reservations/{id}/collect': reservationAction(
      'collectReservation',
      'Report a reservation collected',
      'Collecting it again is unchanged; a cancelled reservation cannot be collected (409).',
      {
        requestBody: actionBody('NoFields'),
        responses: { ...fedResponses('ReservationAnswer', 'reservation', { creates: false }), ...problems(...writing, 'RecordNotFound', 'Conflict') },
      },
    ),
    '/api/v1/suppliers': {
      post: operation('acquisitions', 'Create or update a supplier', 'upsertSupplier', {
        requestBody: { required: true, content: json(ref('Supplier')) },
        responses: { ...fedResponses('SupplierAnswer', 'supplier', { creates: true }), ...problems(...writing) },
      }),
    },
    '/api/v1/orders': {
      post: operation('acquisitions', 'Place a purchase order', 'placeOrder', {
        description:
          "Records the order and queues its email (acquisitions.order) to the supplier's address in the same transaction. The same order again is unchanged; another supplier or other lines under its id are a 409: a placed order was mailed and cannot change.",
        requestBody: { required: true, content: json(ref('Order')) },
        responses: { ...fedResponses('OrderAnswer', 'order', { creates: true }), ...problems(...writing, 'Conflict') },
      }),
    },
    '/api/v1/password-resets': {
      post: operation('password resets', 'Mail a patron their password-reset link', 'requestPasswordReset', {
        description:
          "Queues the email (account.password_reset) to the patron's own address. The link is a secret: it is never logged, audited or shown in the email log. The same link again is unchanged.",
        requestBody: { required: true, content: json(ref('PasswordReset')) },
        responses: { ...fedResponses('PasswordResetAnswer', 'password reset', { creates: true }), ...problems(...writing) },
      }),
    },
  }
}

/** The OpenAPI 3.1 document served at `/api/v1/openapi.json`. */
export function openApiDocument() {
  const username = { name: 'username', in: 'path', required: true, schema: parameterSchema(usernameParam) }
  const contactId = { name: 'id', in: 'path', required: true, schema: parameterSchema(contactIdParam) }
  const purgeId = { name: 'id', in: 'path', required: true, schema: parameterSchema(purgeIdParam) }
  const contactBody = (description: string) => ({ description, content: json(ref('Contact')) })
  const scenarioId = { name: 'id', in: 'path', required: true, schema: parameterSchema(scenarioIdParam) }
  const patchBody = (schema: keyof typeof allSchemas) => ({
    required: true,
    content: { ...json(ref(schema)), 'application/merge-patch+json': { schema: ref(schema) } },
  })
  const scenario = { name: 'scenario', in: 'path', required: true, schema: parameterSchema(scenarioParam) }
  const templateBody = (description: string) => ({ description, content: json(ref('Template')) })
  return {
    openapi: '3.1.0',
    info: {
      title: 'library-comms API',
      version: '1',
      description:
        'Lets the library or student system push patrons and their contacts and feed circulation (loans, reservations, purchase orders, password resets), and an admin tune the notices, keep the email templates and read the audit log. Every call is made as one library: the library of the API key.',
    },
    // Relative: the document is served by the service it describes, whatever its address.
    servers: [{ url: '/', description: 'This service; every path starts with /api/v1' }],
    security: [{ apiKey: [] }],
    tags: [
      { name: 'patrons', description: 'Patrons of the library, created and updated in batches by username.' },
      { name: 'contacts', description: 'The people and addresses notices reach for a patron.' },
      {
        name: 'imports',
        description: 'CSV files from the student system, as a librarian imports them in Slack: checked whole, then applied in one transaction or not at all.',
      },
      { name: 'audit', description: 'Who changed what, and when: every change to patrons, contacts, staff, keys and imports.' },
      {
        name: 'settings',
        description: "The library's notice settings: time zone, when the nightly run starts, BCC default, sender, reply-to, report channel.",
      },
      {
        name: 'scenarios',
        description: 'The notices the library sends: each scenario on or off, its schedule and exclusions, its template, and what it sent lately.',
      },
      {
        name: 'templates',
        description: 'The email template of each scenario (subject, HTML and plain text, in Liquid): the library’s own, or the default. Admin keys only.',
      },
      {
        name: 'circulation',
        description:
          'Loans and reservations as the library system reports them, each by its own id: 201 created, 200 updated, or 200 unchanged for a repeat. Events that send at once queue their notice in the same transaction.',
      },
      { name: 'acquisitions', description: 'Suppliers, and purchase orders mailed to them.' },
      { name: 'password resets', description: "A patron's password-reset link, mailed to the patron alone." },
      { name: 'messages', description: 'The email log: every notice planned, to whom, and whether it was sent, skipped or failed, and why.' },
      {
        name: 'preferences',
        description: 'Contact preferences in bulk (the batch wizard): which groups of notices the selected contacts receive. Admin keys only.',
      },
      {
        name: 'events',
        description:
          'What library-comms changed that the library system should know: loans it marked lost, patrons purged, addresses blacklisted. Read in id order, resumed after the last id read.',
      },
      {
        name: 'purge',
        description: 'Deactivated patrons purged (seed 004): one admin key asks, another approves, and the approval runs it page by page. Admin keys only.',
      },
      {
        name: 'blacklist',
        description:
          'Addresses never mailed, for the whole deployment: learnt from bounces and complaints, from SES’s suppression list, or added by hand. A key sees the entries of its library’s contacts and messages.',
      },
    ],
    paths: {
      '/api/v1/openapi.json': {
        get: {
          summary: 'This document',
          operationId: 'getOpenApiDocument',
          security: [],
          responses: { '200': { description: 'The OpenAPI document.', content: json({ type: 'object' }) }, '503': responseRef('ServiceStarting') },
        },
      },
      '/api/v1/patrons': {
        post: operation('patrons', 'Create or update patrons by username', 'upsertPatrons', {
          description:
            'All or nothing: one bad patron and the batch changes nothing. Sending the same batch again reports every patron unchanged. Deactivating a patron (enabled: false for one who is enabled) needs an admin key: a staff key gets 403 naming each such patron; creating one disabled does not.',
          requestBody: { required: true, content: json(ref('PatronBatch')) },
          responses: {
            '200': { description: 'How many patrons were created, updated and left unchanged.', content: json(ref('UpsertSummary')) },
            ...problems('Forbidden', ...writing),
          },
        }),
      },
      '/api/v1/patrons/{username}': {
        get: operation('patrons', 'Read a patron with their contacts', 'getPatron', {
          parameters: [username],
          responses: { '200': { description: 'The patron.', content: json(ref('PatronWithContacts')) }, ...problems('NotFound') },
        }),
        patch: operation('patrons', 'Deactivate or reactivate a patron', 'setPatronEnabled', {
          parameters: [username],
          description:
            'Deactivating (enabled: false) needs an admin key (a staff key gets 403); reactivating, a staff key. A deactivated patron gets no notices and becomes a purge candidate. A patron already so is answered unchanged, and nothing is audited; otherwise audited as patron.deactivated or patron.reactivated. Any field but enabled is a 422 naming it.',
          requestBody: patchBody('PatronChanges'),
          responses: {
            '200': { description: 'The patron after the change, as GET answers it.', content: json(ref('PatronWithContacts')) },
            ...problems('Forbidden', ...writing, 'NotFound'),
          },
        }),
      },
      '/api/v1/patrons/{username}/contacts': {
        post: operation('contacts', 'Add a contact to a patron', 'addContact', {
          parameters: [username],
          requestBody: { required: true, content: json(ref('NewContact')) },
          responses: {
            '201': { ...contactBody('The new contact.'), headers: { Location: { schema: { type: 'string' }, description: 'The URL of the new contact.' } } },
            ...problems(...writing, 'NotFound'),
          },
        }),
      },
      '/api/v1/contacts/{id}': {
        parameters: [contactId],
        get: operation('contacts', 'Read a contact', 'getContact', { responses: { '200': contactBody('The contact.'), ...problems('NotFound') } }),
        patch: operation('contacts', 'Change some fields of a contact', 'updateContact', {
          requestBody: { required: true, content: { ...json(ref('ContactChanges')), 'application/merge-patch+json': { schema: ref('ContactChanges') } } },
          responses: { '200': contactBody('The contact after the change.'), ...problems(...writing, 'NotFound') },
        }),
        delete: operation('contacts', 'Remove a contact', 'removeContact', {
          responses: { '204': { description: 'Removed.' }, ...problems('NotFound') },
        }),
      },
      '/api/v1/imports/contacts': {
        post: operation('imports', 'Import contacts from a CSV file', 'importContacts', {
          description:
            'Checks the whole file, then applies it in one transaction, or with dryRun=true says what it would do and changes nothing. A staff key may use add mode only; the replace modes need an admin key (403).',
          parameters: [...queryParameters(contactsImportQuerySchema), contentDisposition],
          requestBody: { required: true, content: csvFile('username, role, address; optional type, primary, addressee, bcc, usage, scenarios.') },
          responses: { '200': { description: 'What the import did, or would do.', content: json(ref('ContactsImport')) }, ...problems(...importing) },
        }),
      },
      '/api/v1/imports/patrons': {
        post: operation('imports', 'Import patrons from a CSV file', 'importPatrons', {
          description:
            "Creates and updates patrons by username, as the library system's Users import does. A file that deactivates anyone needs an admin key (403).",
          parameters: [...queryParameters(patronsImportQuerySchema), contentDisposition],
          requestBody: { required: true, content: csvFile('username; optional first_name, last_name, type, academic_level, groups, enabled.') },
          responses: { '200': { description: 'What the import did, or would do.', content: json(ref('PatronsImport')) }, ...problems(...importing) },
        }),
      },
      '/api/v1/audit': {
        get: operation('audit', 'Read the audit log', 'listAudit', {
          description:
            "Newest first, a page at a time: follow nextCursor until it is null. Filters combine; dates are whole days in the library's time zone. Admin keys only (403).",
          parameters: queryParameters(auditQuerySchema),
          responses: { '200': { description: 'A page of the log.', content: json(ref('AuditPage')) }, ...problems('Forbidden', 'InvalidQuery') },
        }),
      },
      '/api/v1/settings': {
        get: operation('settings', "Read the library's notice settings", 'getSettings', {
          responses: { '200': { description: 'The settings.', content: json(ref('LibrarySettings')) }, ...problems() },
        }),
        patch: operation('settings', "Change some of the library's notice settings", 'updateSettings', {
          description: 'Admin keys only (403). Each bad value is named by JSON Pointer (422), and nothing changes. Audited.',
          requestBody: patchBody('LibrarySettingsChanges'),
          responses: { '200': { description: 'The settings after the change.', content: json(ref('LibrarySettings')) }, ...problems('Forbidden', ...writing) },
        }),
      },
      '/api/v1/scenarios': {
        get: operation('scenarios', 'List every scenario as the library runs it', 'listScenarios', {
          responses: {
            '200': { description: 'Every scenario, and the latest nightly run.', content: json(ref('ScenarioList')) },
            ...problems(),
          },
        }),
      },
      '/api/v1/scenarios/{id}': {
        parameters: [scenarioId],
        get: operation('scenarios', 'Read a scenario', 'getScenario', {
          responses: { '200': { description: 'The scenario.', content: json(ref('Scenario')) }, ...problems('NotFound') },
        }),
        patch: operation('scenarios', 'Change some settings of a scenario', 'updateScenario', {
          description:
            'Admin keys only (403). A setting that does not apply to the scenario, a value out of range, escalations out of order (#1 < #2 < #3) or a level or group the library does not have is a 422 naming the field; nothing changes. Audited.',
          requestBody: patchBody('ScenarioChanges'),
          responses: {
            '200': { description: 'The scenario after the change.', content: json(ref('Scenario')) },
            ...problems('Forbidden', ...writing, 'NotFound'),
          },
        }),
      },
      '/api/v1/templates': {
        get: operation('templates', 'Read every scenario’s template', 'listTemplates', {
          description: 'One template per scenario, in the order of the catalogue: the library’s own (custom) or the default.',
          responses: { '200': { description: 'Every template.', content: json(ref('TemplateList')) }, ...problems('Forbidden') },
        }),
      },
      '/api/v1/templates/{scenario}': {
        parameters: [scenario],
        get: operation('templates', 'Read a scenario’s template', 'getTemplate', {
          responses: { '200': templateBody('The template the scenario sends.'), ...problems('Forbidden', 'NotFound') },
        }),
        put: operation('templates', 'Save the library’s own template of a scenario', 'saveTemplate', {
          description:
            'All three parts, saved whole or not at all. A Liquid syntax error, a placeholder the scenario does not offer, or a part that is empty, too long or fails to render is a 422 naming each fault by part (`/subject`, `/html`, `/text`), line and column.',
          requestBody: { required: true, content: json(ref('TemplateSource')) },
          responses: { '200': templateBody('The template as saved.'), ...problems('Forbidden', ...writing, 'NotFound') },
        }),
        delete: operation('templates', 'Go back to the default template', 'resetTemplate', {
          description: 'Deletes the library’s own template, if it has one, and answers the default the scenario now sends.',
          responses: { '200': templateBody('The default template.'), ...problems('Forbidden', 'NotFound') },
        }),
      },
      ...circulationPaths(),
      '/api/v1/messages': {
        get: operation('messages', 'Read the email log', 'listMessages', {
          description:
            "Newest planned first, a page at a time: follow nextCursor until it is null. Filters combine; dates are whole days in the library's time zone. A message's body is never shown, so a password-reset link never is.",
          parameters: queryParameters(messagesQuerySchema),
          responses: { '200': { description: 'A page of the email log.', content: json(ref('EmailLogPage')) }, ...problems('Forbidden', 'InvalidQuery') },
        }),
      },
      '/api/v1/blacklist': {
        get: operation('blacklist', 'List blacklisted addresses', 'listBlacklist', {
          description:
            'Newest first, since a date (the last 30 days when left out), with the patrons whose contact each address is. At most 500: truncated says there were more.',
          parameters: queryParameters(blacklistQuerySchema),
          responses: { '200': { description: 'The blacklist since the date.', content: json(ref('BlacklistPage')) }, ...problems('InvalidQuery') },
        }),
        post: operation('blacklist', 'Blacklist an address by hand', 'addToBlacklist', {
          description:
            'For the whole deployment: no notice is mailed to it from any library. Reason manual unless given. An address already blacklisted is unchanged and keeps its reason. Audited.',
          requestBody: { required: true, content: json(ref('NewBlacklistEntry')) },
          responses: {
            '201': { description: 'Blacklisted.', content: json(ref('BlacklistAnswer')) },
            '200': { description: 'It was blacklisted already.', content: json(ref('BlacklistAnswer')) },
            ...problems('Forbidden', ...writing),
          },
        }),
      },
      '/api/v1/blacklist/{address}': {
        parameters: [
          { name: 'address', in: 'path', required: true, description: blacklistAddressParam.description, schema: parameterSchema(blacklistAddressParam) },
        ],
        delete: operation('blacklist', 'Take an address off the blacklist', 'removeFromBlacklist', {
          description:
            "Mail to it may go again. In SES mode it is taken off SES's account suppression list first; when SES cannot be reached nothing is removed (503). Only an address of the library's contacts or messages (else 404). Audited.",
          responses: {
            '204': { description: 'Removed.' },
            // A 503 is also SES's suppression list out of reach (suppression-list-unreachable), as the description says.
            ...problems('Forbidden', 'NotBlacklisted'),
          },
        }),
      },
      '/api/v1/events': {
        get: operation('events', 'Read the events feed', 'listEvents', {
          description:
            'Oldest first, after the id given: keep the last id read and ask again with after=<id>; no event committed later is ever skipped. next is null once the page reaches the end of the feed. A staff or admin key (the library system’s) reads it.',
          parameters: queryParameters(eventsQuerySchema),
          responses: { '200': { description: 'A page of the feed.', content: json(ref('EventsPage')) }, ...problems('Forbidden', 'InvalidQuery') },
        }),
      },
      '/api/v1/preferences/batch': {
        post: operation('preferences', 'Set contact preferences in bulk', 'runPreferencesBatch', {
          description:
            'Admin keys only (403). A mode, an optional filter, and on, off or no_change per group of scenarios, for every selected contact with a usable email address (docs/staff/preferences.md says what on and off do). A dry run (the default) counts; otherwise the changes are applied in one transaction and audited. An unknown username, level or group is a 422 naming it; nothing changes.',
          requestBody: { required: true, content: json(ref('PreferencesBatch')) },
          responses: {
            '200': { description: 'What changes (dry run) or changed.', content: json(ref('PreferencesBatchAnswer')) },
            ...problems('Forbidden', ...writing, 'Conflict'),
          },
        }),
      },
      '/api/v1/purge/candidates': {
        get: operation('purge', 'List the deactivated patrons that may be purged', 'listPurgeCandidates', {
          description:
            'By name, a page at a time, with each patron’s open loans and contacts; filtered by academic level and group. Admin keys only (403). An unknown level or group is a 422.',
          parameters: queryParameters(purgeCandidatesQuerySchema),
          responses: { '200': { description: 'A page of candidates.', content: json(ref('PurgeCandidatePage')) }, ...problems('Forbidden', 'InvalidQuery') },
        }),
      },
      '/api/v1/purge': {
        post: operation('purge', 'Ask for a purge', 'requestPurge', {
          description:
            'Admin keys only (403). Every patron must be known and deactivated, and without loans out unless markLoansLost is true (422 naming each). Nothing changes: the request waits a week for another admin key to approve it, and says what it would remove and keep. Audited.',
          requestBody: { required: true, content: json(ref('NewPurgeRequest')) },
          responses: { '202': { description: 'Asked: the request and its impact.', content: json(ref('PurgeRequest')) }, ...problems('Forbidden', ...writing) },
        }),
      },
      '/api/v1/purge/{id}': {
        parameters: [purgeId],
        get: operation('purge', 'Read a purge request', 'getPurgeRequest', {
          responses: { '200': { description: 'The request as it stands.', content: json(ref('PurgeRequest')) }, ...problems('Forbidden', 'NotFound') },
        }),
      },
      '/api/v1/purge/{id}/approve': {
        parameters: [purgeId],
        post: operation('purge', 'Approve a purge request, and run it', 'approvePurge', {
          description:
            'Another admin key than the one that asked (409 otherwise). Runs to its end in this request, one transaction per page; the answer says what was done. A request left approved and unfinished (its process stopped) is resumed by approving it again. An expired, rejected or finished request is a 409. Audited.',
          responses: { '200': { description: 'What the purge did.', content: json(ref('PurgeOutcome')) }, ...problems('Forbidden', 'NotFound', 'Conflict') },
        }),
      },
      '/api/v1/purge/{id}/reject': {
        parameters: [purgeId],
        post: operation('purge', 'Reject a purge request', 'rejectPurge', {
          description:
            'Another admin key rejects it; the key that asked cancels it. Nothing changes. Only a request waiting for approval (409 otherwise). Audited.',
          responses: {
            '200': { description: 'The request, rejected or cancelled.', content: json(ref('PurgeRequest')) },
            ...problems('Forbidden', 'NotFound', 'Conflict'),
          },
        }),
      },
    },
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key from `library-comms api-key create`, sent as `Authorization: Bearer <key>`.',
        },
      },
      schemas: componentSchemas(),
      responses: problemResponses,
    },
  }
}
