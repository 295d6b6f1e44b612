import type { z } from 'zod'
import type { AuditError } from '../../domain/audit/errors.ts'
import { notABound } from '../../domain/audit/list-audit.ts'
import type { AddToBlacklistError, ListBlacklistError, RemoveFromBlacklistError } from '../../domain/bounces/errors.ts'
import type { ContactField } from '../../domain/contacts/contact-fields.ts'
import type { ContactError } from '../../domain/contacts/errors.ts'
import type { EventsError } from '../../domain/events/list-events.ts'
import type { EmailLogError } from '../../domain/notices/errors.ts'
import type { SetPatronEnabledError } from '../../domain/patrons/set-patron-enabled.ts'
import type { PatronInput, UpsertPatronsError } from '../../domain/patrons/upsert-patrons.ts'
import { assertNever } from '../../domain/result.ts'
import type { LibrarySettingsError, LibrarySettingsField, ScenarioError, ScenarioField } from '../../domain/scenarios/errors.ts'
import type { NotAllowed } from '../../domain/staff/permissions.ts'
import type { TemplateError } from '../../domain/templates/errors.ts'
import { quoted } from '../../domain/text.ts'
import type { FieldError, ParameterError, Problem } from './schemas.ts'

// Not resolvable on purpose (RFC 9457 allows it): integrators switch on these, docs/api.md lists them.
export const problemType = (slug: string) => `urn:library-comms:problem:${slug}`

/** A problem as its response: the problem+json media type, and the status in the body as well. */
export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  })
}

/** Anything thrown: nothing of the cause reaches the caller. */
export const internalError: Problem = { type: 'about:blank', title: 'Internal Server Error', status: 500 }

export const routeNotFound: Problem = { type: 'about:blank', title: 'Not Found', status: 404, detail: 'There is no such API route' }

export function unauthorized(detail: string): Problem {
  return { type: problemType('unauthorized'), title: 'Unauthorized', status: 401, detail }
}

export const unsupportedMediaType: Problem = {
  type: problemType('unsupported-media-type'),
  title: 'Unsupported Media Type',
  status: 415,
  detail: 'Send the body as application/json',
}

export function payloadTooLarge(maxBytes: number): Problem {
  return { type: problemType('payload-too-large'), title: 'Payload Too Large', status: 413, detail: `The body is larger than ${maxBytes} bytes` }
}

/** An import takes its file as CSV, streamed. */
export const csvExpected: Problem = {
  type: problemType('unsupported-media-type'),
  title: 'Unsupported Media Type',
  status: 415,
  detail: 'Send the file as text/csv',
}

export const malformedJson: Problem = { type: problemType('malformed-json'), title: 'Malformed JSON', status: 400, detail: 'The body is not valid JSON' }

/** The schema's complaints, one per bad field, each pointing into the body. */
export function invalidBody(issues: readonly z.core.$ZodIssue[]): Problem {
  return {
    type: problemType('invalid-body'),
    title: 'Invalid request body',
    status: 422,
    detail: 'The request body does not match the schema; nothing was changed',
    errors: issues.flatMap(fieldErrorsOf),
  }
}

function fieldErrorsOf(issue: z.core.$ZodIssue): FieldError[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ pointer: jsonPointer([...issue.path, key]), detail: `"${key}" is not a known field` }))
  }
  return [{ pointer: jsonPointer(issue.path), detail: issue.message }]
}

/** The query's complaints, one per bad parameter. */
export function invalidQuery(issues: readonly z.core.$ZodIssue[]): Problem {
  return {
    type: problemType('invalid-query'),
    title: 'Invalid query parameters',
    status: 422,
    detail: 'The query parameters are wrong; nothing was changed',
    errors: issues.flatMap(parameterErrorsOf),
  }
}

/** Query parameters refused before their schema read them, each with why. */
export function invalidQueryParameters(errors: ParameterError[]): Problem {
  return {
    type: problemType('invalid-query'),
    title: 'Invalid query parameters',
    status: 422,
    detail: 'The query parameters are wrong; nothing was changed',
    errors,
  }
}

function parameterErrorsOf(issue: z.core.$ZodIssue): ParameterError[] {
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ parameter: key, detail: `"${key}" is not a known parameter` }))
  return [{ parameter: String(issue.path[0] ?? ''), detail: issue.message }]
}

/** RFC 6901: `~` and `/` inside a key are escaped; the whole body is "". */
function jsonPointer(path: readonly PropertyKey[]): string {
  return path.map((part) => `/${String(part).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')
}

export function contactNotFound(contactId: number | string): Problem {
  return { type: problemType('contact-not-found'), title: 'Contact not found', status: 404, detail: `No contact ${contactId} in this library` }
}

// Typed by the domain's field names, so a renamed field will not compile until it points somewhere.
const contactFieldPointers: Record<ContactField, string> = {
  role: '/role',
  type: '/type',
  address: '/address',
  primary: '/primary',
  addressee: '/addressee',
  bcc: '/bcc',
  usage: '/usage',
  scenarios: '/scenarios',
}

const patronFieldPointers: Record<keyof PatronInput, string> = {
  username: 'username',
  firstName: 'firstName',
  lastName: 'lastName',
  type: 'type',
  academicLevel: 'academicLevel',
  groups: 'groups',
  enabled: 'enabled',
}

/** Every expected failure a use case behind the API can return. */
type ApiDomainError = ContactError | UpsertPatronsError

export function domainProblem(error: ApiDomainError): Problem {
  switch (error.code) {
    case 'not_allowed':
      return notAllowed(error)
    case 'patron_not_found':
      return {
        type: problemType('patron-not-found'),
        title: 'Patron not found',
        status: 404,
        detail: `No patron with username ${quoted(String(error.username))} in this library`,
      }
    case 'contact_not_found':
      return contactNotFound(error.contactId)
    case 'invalid_contact':
      return {
        type: problemType('invalid-contact'),
        title: 'Invalid contact',
        status: 422,
        detail: 'The contact was not saved',
        errors: error.problems.map((problem) => ({ pointer: contactFieldPointers[problem.field], detail: problem.message })),
      }
    case 'invalid_patrons':
      return {
        type: problemType('invalid-patrons'),
        title: 'Invalid patrons',
        status: 422,
        detail: 'The batch was not applied; nothing was changed',
        errors: error.problems.map((problem) => ({
          pointer: `/${problem.index}/${patronFieldPointers[problem.field]}`,
          detail: problem.message,
        })),
      }
    case 'deactivation_not_allowed':
      return {
        ...notAllowed(error),
        detail: `Deactivating patrons needs the admin role; this key has ${roleOf(error)}. Nothing was changed`,
        errors: error.problems.map((problem) => ({ pointer: `/${problem.index}/${patronFieldPointers[problem.field]}`, detail: problem.message })),
      }
    default:
      return assertNever(error)
  }
}

// The 403 names the key's role, since the caller cannot see it anywhere else.
/** PATCH /patrons/{username}: a staff key may reactivate but not deactivate, and is told so. */
export function patronEnabledProblem(error: SetPatronEnabledError): Problem {
  switch (error.code) {
    case 'not_allowed':
      if (error.permission !== 'deactivatePatrons') return notAllowed(error)
      return { ...notAllowed(error), detail: `Deactivating a patron needs the admin role; this key has ${roleOf(error)}. Nothing was changed` }
    case 'patron_not_found':
      return domainProblem(error)
    default:
      return assertNever(error)
  }
}

export function notAllowed(error: Pick<NotAllowed, 'needed' | 'role'>): Problem {
  return { type: problemType('not-allowed'), title: 'Forbidden', status: 403, detail: `This needs the ${error.needed} role; this key has ${roleOf(error)}` }
}

export const roleOf = (error: Pick<NotAllowed, 'role'>) => (error.role === null ? 'no role' : `the ${error.role} role`)

/** Every expected failure of reading the audit log, as the API answers it. */
export function auditProblem(error: AuditError): Problem {
  switch (error.code) {
    case 'not_allowed':
      return notAllowed(error)
    case 'invalid_filters':
      return {
        type: problemType('invalid-query'),
        title: 'Invalid query parameters',
        status: 422,
        detail: 'The query parameters are wrong',
        errors: error.problems.map((problem) => ({ parameter: problem.filter, detail: problem.message })),
      }
    // A key goes with its library, so this means the library went while the request ran.
    case 'library_not_found':
      return { ...routeNotFound, detail: 'The library of this key no longer exists' }
    default:
      return assertNever(error)
  }
}

/** The events feed's refusals: a role that may not read it, a bad cursor or limit (422 naming each). */
export function eventsProblem(error: EventsError): Problem {
  switch (error.code) {
    case 'not_allowed':
      return notAllowed(error)
    case 'invalid_query':
      return {
        type: problemType('invalid-query'),
        title: 'Invalid query parameters',
        status: 422,
        detail: 'The query parameters are wrong',
        errors: error.problems.map((problem) => ({ parameter: problem.parameter, detail: problem.message })),
      }
    default:
      return assertNever(error)
  }
}

export function scenarioNotFound(scenario: string): Problem {
  return {
    type: problemType('scenario-not-found'),
    title: 'Scenario not found',
    status: 404,
    detail: `No scenario "${scenario}"; GET /api/v1/scenarios lists them`,
  }
}

const scenarioFieldPointers: Record<ScenarioField, string> = {
  enabled: '/enabled',
  daysBefore: '/daysBefore',
  frequency: '/frequency',
  'frequency.weekday': '/frequency/weekday',
  'frequency.day': '/frequency/day',
  daysOverdue: '/daysOverdue',
  excludeAcademicLevels: '/excludeAcademicLevels',
  excludeGroups: '/excludeGroups',
}

/** Every expected failure of reading or changing a scenario, as the API answers it. */
export function scenarioProblem(error: ScenarioError): Problem {
  switch (error.code) {
    case 'not_allowed':
      return notAllowed(error)
    case 'scenario_not_found':
      return scenarioNotFound(error.scenario)
    case 'invalid_scenario_settings':
      return {
        type: problemType('invalid-scenario-settings'),
        title: 'Invalid scenario settings',
        status: 422,
        detail: `The settings of ${error.scenario} were not changed`,
        errors: error.problems.map((problem) => ({ pointer: scenarioFieldPointers[problem.field], detail: problem.message })),
      }
    // A key goes with its library, so this means the library went while the request ran.
    case 'library_not_found':
      return { ...routeNotFound, detail: 'The library of this key no longer exists' }
    default:
      return assertNever(error)
  }
}

const librarySettingsPointers: Record<LibrarySettingsField, string> = {
  timeZone: '/timeZone',
  runAt: '/runAt',
  bccDefault: '/bccDefault',
  senderName: '/senderName',
  replyTo: '/replyTo',
  slackChannel: '/slackChannel',
  retainDeletedPatronLoans: '/retainDeletedPatronLoans',
}

/** Every expected failure of reading or changing the library's settings, as the API answers it. */
export function librarySettingsProblem(error: LibrarySettingsError): Problem {
  switch (error.code) {
    case 'not_allowed':
      return notAllowed(error)
    case 'invalid_library_settings':
      return {
        type: problemType('invalid-settings'),
        title: 'Invalid settings',
        status: 422,
        detail: "The library's settings were not changed",
        errors: error.problems.map((problem) => ({ pointer: librarySettingsPointers[problem.field], detail: problem.message })),
      }
    case 'library_not_found':
      return { ...routeNotFound, detail: 'The library of this key no longer exists' }
    default:
      return assertNever(error)
  }
}

/** Every expected failure of the templates' use cases, as the API answers it. */
export function templateProblem(error: TemplateError): Problem {
  switch (error.code) {
    case 'not_allowed':
      return notAllowed(error)
    case 'unknown_scenario':
      return {
        type: problemType('scenario-not-found'),
        title: 'Scenario not found',
        status: 404,
        detail: `No scenario "${error.scenario}"; GET /api/v1/templates lists them`,
      }
    case 'invalid_template':
      return {
        type: problemType('invalid-template'),
        title: 'Invalid template',
        status: 422,
        detail: `The template has ${error.faults.length === 1 ? 'a fault' : `${error.faults.length} faults`}; nothing was saved`,
        errors: error.faults.map((fault) => ({
          pointer: `/${fault.part}` as const,
          ...(fault.line !== undefined && { line: fault.line, column: fault.column }),
          detail: fault.message,
        })),
      }
    // Not reachable through the API, which previews nothing; named for the exhaustive switch.
    case 'patron_not_found':
      return {
        type: problemType('patron-not-found'),
        title: 'Patron not found',
        status: 404,
        detail: `No patron with username ${quoted(String(error.username))} in this library`,
      }
    case 'invalid_address':
      return { type: problemType('invalid-address'), title: 'Invalid address', status: 422, detail: `${quoted(String(error.address))} is not an email address` }
    default:
      return assertNever(error)
  }
}

/** Every expected failure of reading the email log, as the API answers it. */
export function emailLogProblem(error: EmailLogError): Problem {
  switch (error.code) {
    case 'not_allowed':
      return notAllowed(error)
    case 'invalid_filters':
      return {
        type: problemType('invalid-query'),
        title: 'Invalid query parameters',
        status: 422,
        detail: 'The query parameters are wrong',
        errors: error.problems.map((problem) => ({ parameter: problem.filter, detail: problem.message })),
      }
    case 'library_not_found':
      return { ...routeNotFound, detail: 'The library of this key no longer exists' }
    default:
      return assertNever(error)
  }
}

/** Every expected failure of the blacklist's routes, as the API answers it. */
export function blacklistProblem(error: ListBlacklistError | AddToBlacklistError | RemoveFromBlacklistError): Problem {
  switch (error.code) {
    case 'not_allowed':
      return notAllowed(error)
    case 'invalid_since':
      return {
        type: problemType('invalid-query'),
        title: 'Invalid query parameters',
        status: 422,
        detail: 'The query parameters are wrong',
        errors: [{ parameter: 'since', detail: notABound(error.value) }],
      }
    case 'library_not_found':
      return { ...routeNotFound, detail: 'The library of this key no longer exists' }
    case 'invalid_address':
      return {
        type: problemType('invalid-body'),
        title: 'Invalid request body',
        status: 422,
        detail: 'The request body is wrong; nothing was changed',
        errors: [{ pointer: '/address', detail: `${quoted(String(error.value))} is not an email address` }],
      }
    case 'invalid_reason':
      return {
        type: problemType('invalid-body'),
        title: 'Invalid request body',
        status: 422,
        detail: 'The request body is wrong; nothing was changed',
        errors: [{ pointer: '/reason', detail: `${quoted(String(error.value))} is not a reason` }],
      }
    case 'not_blacklisted':
      return { type: problemType('not-blacklisted'), title: 'Not Found', status: 404, detail: 'This address is not on the blacklist of this library' }
    case 'suppression_list_unreachable':
      return {
        type: problemType('suppression-list-unreachable'),
        title: 'Service Unavailable',
        status: 503,
        detail: "SES's suppression list could not be reached, so the address stays blacklisted; try again later",
      }
    default:
      return assertNever(error)
  }
}
