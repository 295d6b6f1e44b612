import type { RunningBatch } from '../../domain/batches/batch.ts'
import type { ImportError } from '../../domain/imports/errors.ts'
import type { PreferencesBatchError } from '../../domain/preferences/errors.ts'
import type { PurgeError } from '../../domain/purge/errors.ts'
import { assertNever } from '../../domain/result.ts'
import { actorLabel } from '../../domain/staff/actors.ts'
import { quoted } from '../../domain/text.ts'
import { notAllowed, problemType, roleOf } from './problems.ts'
import { renderLineError } from './render.ts'
import type { Problem } from './schemas.ts'

// The staged work of a library, as the API answers its refusals: imports, the contact
// preferences batch and the purge, which share the batch module's errors (src/domain/batches).

/** Every expected failure of an import, as the API answers it. A refused import changed nothing. */
export function importProblem(error: ImportError): Problem {
  switch (error.code) {
    case 'not_allowed':
      return notAllowed(error)
    case 'invalid_file':
      return {
        type: problemType('invalid-file'),
        title: 'Invalid file',
        status: 422,
        detail: `The file has ${error.problemCount} ${error.problemCount === 1 ? 'error' : 'errors'}; nothing was changed`,
        errors: error.problems.map(renderLineError),
        errorCount: error.problemCount,
        warnings: error.warnings.map(renderLineError),
        ...(error.patronsNotFound !== undefined && { patronsNotFound: error.patronsNotFound }),
      }
    case 'unreadable_file':
      return { type: problemType('unreadable-file'), title: 'Unreadable file', status: 422, detail: `${error.message} Nothing was changed.` }
    case 'deactivation_not_allowed':
      return {
        ...notAllowed(error),
        detail: `The file deactivates ${error.problemCount} ${error.problemCount === 1 ? 'patron' : 'patrons'}, which needs the admin role; this key has ${roleOf(error)}. Nothing was changed`,
        errors: error.problems.map(renderLineError),
        errorCount: error.problemCount,
      }
    case 'batch_running': {
      const { running } = error
      const startedBy = actorLabel(running.requestedBy)
      return {
        type: problemType('import-running'),
        title: 'An import is running',
        status: 409,
        detail: `An import started by ${startedBy} at ${running.startedAt.toISOString()} is still ${running.phase === 'reading' ? 'being read' : 'being applied'} in this library; send the file again when it has finished`,
        startedBy,
        startedAt: running.startedAt.toISOString(),
      }
    }
    case 'invalid_levels':
      return {
        type: problemType('invalid-levels'),
        title: 'Invalid academic levels',
        status: 422,
        detail:
          error.levels.length === 0
            ? 'replace-levels needs at least one academic level'
            : `No academic level ${error.levels.map((level) => `"${level}"`).join(', ')} in this library`,
        errors:
          error.levels.length === 0
            ? [{ parameter: 'levels', detail: 'Name at least one academic level' }]
            : error.levels.map((level) => ({ parameter: 'levels', detail: `no academic level "${level}" in this library` })),
      }
    // The API stages and applies in one call, so these mean another process took the batch.
    case 'batch_not_found':
      return { type: problemType('import-not-found'), title: 'Import not found', status: 404, detail: `No import ${error.batchId} in this library` }
    case 'batch_not_ready':
      return {
        type: problemType('import-not-ready'),
        title: 'Import not ready',
        status: 409,
        detail: `Import ${error.batchId} is ${error.status}, not waiting to be applied`,
      }
    case 'same_confirmer':
      return {
        type: problemType('confirmer-must-differ'),
        title: 'Another must confirm',
        status: 409,
        detail: `Import ${error.batchId} must be confirmed by another than the one who asked for it`,
      }
    default:
      return assertNever(error)
  }
}

const filterWhat = { usernames: 'No patron has the username', academicLevels: 'The library has no academic level', groups: 'The library has no group' } as const

/** Another batch holds the library (an import, a preferences batch, a purge's page): try again after it. */
function batchRunning(running: RunningBatch): Problem {
  const startedBy = actorLabel(running.requestedBy)
  return {
    type: problemType('batch-running'),
    title: 'Another batch is running',
    status: 409,
    detail: `A batch started by ${startedBy} at ${running.startedAt.toISOString()} is being ${running.phase === 'reading' ? 'read' : 'applied'} in this library; try again when it has finished`,
    startedBy,
    startedAt: running.startedAt.toISOString(),
  }
}

/** Every expected failure of the contact preferences batch, as the API answers it; nothing was changed. */
export function preferencesBatchProblem(error: PreferencesBatchError): Problem {
  switch (error.code) {
    case 'not_allowed':
      return notAllowed(error)
    case 'unknown_in_filter':
      return {
        type: problemType('unknown-in-filter'),
        title: 'Unknown names in the filter',
        status: 422,
        detail: 'No preferences were changed',
        errors: error.values
          .slice(0, maxNamedErrors)
          .map((value) => ({ pointer: `/filter/${error.field}`, detail: `${filterWhat[error.field]} ${quoted(value)}` })),
      }
    case 'preview_out_of_date':
      return {
        type: problemType('preview-out-of-date'),
        title: 'Conflict',
        status: 409,
        detail:
          error.contactsToChange === null
            ? 'A name in the filter is gone since the preview. Nothing was changed; preview again'
            : `Contacts changed since the preview: it would now change ${error.contactsToChange}. Nothing was changed; preview again`,
      }
    case 'batch_request_differs':
      return {
        type: problemType('batch-request-differs'),
        title: 'Another request',
        status: 422,
        detail: `Batch ${error.batchId} was previewed with another request; send the same mode, filter, set and overwriteRecipientChoices, or preview again`,
        errors: [{ pointer: '/batchId', detail: 'previewed with another request' }],
      }
    case 'batch_not_found':
      return { type: problemType('batch-not-found'), title: 'Batch not found', status: 404, detail: `No preferences batch ${error.batchId} in this library` }
    case 'batch_not_ready':
      return {
        type: problemType('batch-not-ready'),
        title: 'Batch not waiting',
        status: 409,
        detail: `Preferences batch ${error.batchId} is ${error.status}, not waiting to be applied; preview again`,
      }
    case 'batch_running':
      return batchRunning(error.running)
    case 'same_confirmer':
      return {
        type: problemType('confirmer-must-differ'),
        title: 'Another must confirm',
        status: 409,
        detail: `Batch ${error.batchId} must be confirmed by another than the one who asked for it`,
      }
    default:
      return assertNever(error)
  }
}

const itemsOnLoan = (n: number) => `${n} ${n === 1 ? 'item' : 'items'} on loan`

/** Every expected failure of the purge, as the API answers it; nothing was changed. */
// A request may name 100,000 patrons: a refusal names the first ones, not all, so that it stays a
// few kilobytes rather than megabytes (an import names its first 100 problems the same way).
const maxNamedErrors = 100
const maxNamedInDetail = 10

/** "a", "b" and 99,990 more: the first names of a long list, and how many others. */
function someNamed(names: readonly string[]): string {
  const shown = names.slice(0, maxNamedInDetail).map(quoted).join(', ')
  const more = names.length - maxNamedInDetail
  return more > 0 ? `${shown} and ${more.toLocaleString('en')} more` : shown
}

export function purgeProblem(error: PurgeError): Problem {
  switch (error.code) {
    case 'not_allowed':
      return notAllowed(error)
    case 'empty_request':
      return {
        type: problemType('invalid-body'),
        title: 'Invalid request body',
        status: 422,
        detail: 'Name at least one patron; nothing was asked',
        errors: [{ pointer: '/usernames', detail: 'Name at least one patron' }],
      }
    case 'unknown_patrons':
      return {
        type: problemType('unknown-patrons'),
        title: 'Unknown patrons',
        status: 422,
        detail: `No patron has the username ${someNamed(error.usernames)}; nothing was asked`,
        errors: error.usernames
          .slice(0, maxNamedErrors)
          .map((username) => ({ pointer: '/usernames', detail: `No patron has the username ${quoted(username)}` })),
      }
    case 'not_deactivated':
      return {
        type: problemType('not-deactivated'),
        title: 'Patrons not deactivated',
        status: 422,
        detail: `Only deactivated patrons can be purged: ${someNamed(error.usernames)} ${error.usernames.length === 1 ? 'is' : 'are'} enabled; nothing was asked`,
        errors: error.usernames.slice(0, maxNamedErrors).map((username) => ({ pointer: '/usernames', detail: `${quoted(username)} is enabled` })),
      }
    case 'open_loans':
      return {
        type: problemType('open-loans'),
        title: 'Patrons with loans out',
        status: 422,
        detail: 'Some patrons still have items on loan: chase the items, or ask again with markLoansLost true; nothing was asked',
        errors: error.patrons.slice(0, maxNamedErrors).map((p) => ({ pointer: '/usernames', detail: `${quoted(p.username)} has ${itemsOnLoan(p.openLoans)}` })),
      }
    case 'unknown_in_filter':
      return {
        type: problemType('unknown-in-filter'),
        title: 'Unknown name in the filter',
        status: 422,
        detail: `The library has no ${error.field === 'academicLevel' ? 'academic level' : 'group'} ${quoted(error.value)}`,
        errors: [
          { parameter: error.field, detail: `no ${error.field === 'academicLevel' ? 'academic level' : 'group'} ${quoted(error.value)} in this library` },
        ],
      }
    case 'patron_not_found':
      return { type: problemType('patron-not-found'), title: 'Patron not found', status: 404, detail: `No patron ${quoted(error.username)} in this library` }
    case 'request_not_found':
    case 'batch_not_found':
      return {
        type: problemType('purge-not-found'),
        title: 'Purge request not found',
        status: 404,
        detail: `No purge request ${error.code === 'request_not_found' ? error.requestId : error.batchId} in this library`,
      }
    case 'batch_not_ready':
      return {
        type: problemType('purge-not-waiting'),
        title: 'Purge request not waiting',
        status: 409,
        detail: `Purge request ${error.batchId} is ${error.status === 'applying' ? 'being approved right now' : error.status}, not waiting for an approval`,
      }
    case 'batch_running':
      return batchRunning(error.running)
    case 'same_confirmer':
      return {
        type: problemType('confirmer-must-differ'),
        title: 'Another must approve',
        status: 409,
        detail: `Purge request ${error.batchId} was asked by ${actorLabel(error.requestedBy)}: another admin (another key) must approve it`,
      }
    default:
      return assertNever(error)
  }
}
