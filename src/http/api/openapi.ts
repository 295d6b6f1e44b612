import { z } from 'zod'
import { maxImportBytes } from './imports.ts'
import {
  auditQuerySchema,
  contactIdParam,
  contactsImportQuerySchema,
  maxBodyBytes,
  messagesQuerySchema,
  namedSchemas,
  patronsImportQuerySchema,
  usernameParam,
} from './schemas.ts'

type JsonSchema = Record<string, unknown>

const ref = (name: keyof typeof namedSchemas) => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: JsonSchema) => ({ 'application/json': { schema } })
const problemJson = { 'application/problem+json': { schema: ref('Problem') } }

// Component schemas come out of the very schemas the routes validate with. `io: 'input'`
// describes what a caller may send: fields with a default are optional.
function componentSchemas(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>()
  for (const [id, schema] of Object.entries(namedSchemas)) registry.add(schema, { id })
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
  NotFound: { description: 'No such patron or contact in the library of the key.', content: problemJson },
  PayloadTooLarge: { description: `The body is larger than ${maxBodyBytes} bytes.`, content: problemJson },
  UnsupportedMediaType: { description: 'The body is not sent as application/json.', content: problemJson },
  Invalid: {
    description: 'A field is wrong: `errors` names each one by JSON Pointer. Nothing was changed.',
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
  InternalError: { description: 'Something failed on our side; nothing of it is disclosed.', content: problemJson },
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
  InternalError: '500',
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

function operation(tag: 'patrons' | 'contacts' | 'imports' | 'audit' | 'messages', summary: string, operationId: string, details: Record<string, unknown>) {
  return { tags: [tag], summary, operationId, ...details }
}

/** The OpenAPI 3.1 document served at `/api/v1/openapi.json`. */
export function openApiDocument() {
  const username = { name: 'username', in: 'path', required: true, schema: parameterSchema(usernameParam) }
  const contactId = { name: 'id', in: 'path', required: true, schema: parameterSchema(contactIdParam) }
  const contactBody = (description: string) => ({ description, content: json(ref('Contact')) })
  return {
    openapi: '3.1.0',
    info: {
      title: 'library-comms API',
      version: '1',
      description:
        'Lets the library or student system push patrons and their contacts, and an admin read the audit log. Every call is made as one library: the library of the API key.',
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
      { name: 'messages', description: 'The email log: every notice planned, to whom, and whether it was sent, skipped or failed, and why.' },
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
      '/api/v1/messages': {
        get: operation('messages', 'Read the email log', 'listMessages', {
          description:
            "Newest planned first, a page at a time: follow nextCursor until it is null. Filters combine; dates are whole days in the library's time zone. A message's body is never shown, so a password-reset link never is.",
          parameters: queryParameters(messagesQuerySchema),
          responses: { '200': { description: 'A page of the email log.', content: json(ref('EmailLogPage')) }, ...problems('Forbidden', 'InvalidQuery') },
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
