import type { ImportError, ImportProblem } from '../domain/imports/errors.ts'
import type { PurgeError } from '../domain/purge/errors.ts'
import { assertNever } from '../domain/result.ts'
import { actorLabel } from '../domain/staff/actors.ts'
import { quoted } from '../domain/text.ts'
import type { CliError } from './command.ts'

/** Exit codes: 1 when the command could not run, 2 when its input was refused (nothing written). */
export const exitCodes = { ok: 0, failed: 1, refused: 2 } as const

/** The message an IT admin reads on stderr, and the exit code, for every error the tool knows. */
export function describeCliError(error: CliError): { message: string; exitCode: 1 | 2 } {
  const refused = (message: string) => ({ message, exitCode: exitCodes.refused })
  switch (error.code) {
    case 'unknown_command':
      return refused(`unknown command "${error.command}" (see library-comms --help)`)
    case 'bad_arguments':
      return refused(`${error.detail} (see library-comms ${error.command} --help)`)
    case 'missing_option':
      return refused(`--${error.option} is required (see library-comms ${error.command} --help)`)
    case 'missing_options':
      return refused(
        `${listed(error.options.map((option) => `--${option}`))} ${error.options.length === 1 ? 'is' : 'are'} required (see library-comms ${error.command} --help)`,
      )
    case 'unknown_option':
      return refused(
        `unknown option ${error.option}${error.suggestion ? `; did you mean ${error.suggestion}?` : ''} (see library-comms ${error.command} --help)`,
      )
    case 'invalid_option':
      return refused(`--${error.option}: "${error.value}" is not valid; expected ${error.expected}`)
    case 'database_in_use':
      return {
        message:
          error.holder === 'tool'
            ? `another library-comms command (process ${error.pid}) is running the embedded database in ${error.dataDir}; run this again when it has finished`
            : `the service (process ${error.pid}) holds the embedded database in ${error.dataDir}, and it did not come up within a minute: see the service's log`,
        exitCode: exitCodes.failed,
      }
    case 'embedded_database_failed':
      return { message: error.message, exitCode: exitCodes.failed }
    case 'no_database':
      return {
        message: `there is no database in ${error.dataDir} yet: run "library-comms migrate" or start the service first`,
        exitCode: exitCodes.failed,
      }
    case 'not_migrated':
      return { message: 'the database has no tables yet: run "library-comms migrate" first', exitCode: exitCodes.failed }
    case 'invalid_time_zone':
      return refused(`--time-zone: "${error.timeZone}" is not a time zone; use an IANA name such as Europe/London or Australia/Sydney`)
    case 'slack_team_taken':
      return refused(`--slack-team: the Slack workspace ${error.slackTeamId} is already linked to a library (see library-comms library list)`)
    case 'invalid_name':
      return refused('--name must not be empty')
    case 'library_not_found':
      return refused(`--library: there is no library ${error.libraryId} (see library-comms library list)`)
    case 'library_needed':
      return refused(
        error.libraryCount === 0
          ? 'there is no library yet: add one with library-comms library add'
          : `--library: this deployment has ${error.libraryCount} libraries; name one (see library-comms library list)`,
      )
    case 'api_key_not_found':
      return refused(`there is no active API key ${error.id}: it does not exist or is already revoked (see library-comms api-key list)`)
    case 'not_allowed':
      return refused(`not allowed: this needs the ${error.needed} role`)
    case 'deactivation_not_allowed':
      return refused(
        `not allowed: the file deactivates ${error.problemCount} patrons, which needs the admin role:\n${error.problems.map((problem) => `  ${formatProblem(problem)}`).join('\n')}`,
      )
    case 'staff_not_found':
      return refused(`${error.slackUserId} is not on this library's staff`)
    case 'last_admin':
      return refused(`${error.slackUserId} is the library's last admin: make someone else admin first`)
    case 'configured_admin':
      return refused(`${error.slackUserId} is an admin of every library through SLACK_ADMIN_USER_IDS: change that setting instead`)
    case 'invalid_role':
      return refused(`--role: "${error.role}" is not a role; use admin, staff or viewer`)
    case 'file_not_readable':
      return refused(`cannot read ${error.path}: ${error.reason}`)
    case 'unreadable_file':
      return refused(`${error.message} Nothing was imported.`)
    case 'invalid_file':
      return refused(describeProblems(error))
    case 'invalid_levels':
      return refused(
        error.levels.length === 0
          ? '--levels: name the academic levels whose contacts are replaced, e.g. --levels "Year 7,Year 8"'
          : `--levels: this library has no academic level ${error.levels.map((level) => `"${level}"`).join(', ')}`,
      )
    case 'batch_running': {
      const { running } = error
      const doing = running.phase === 'reading' ? 'being read' : 'being applied'
      return {
        message: `another import for this library is ${doing} (import #${running.batchId}, started by ${actorLabel(running.requestedBy)} at ${running.startedAt.toISOString()}); try again when it has finished`,
        exitCode: exitCodes.failed,
      }
    }
    case 'batch_not_found':
    case 'batch_not_ready':
      return {
        message: `the staged import ${error.batchId} was closed by someone else before it was applied; nothing was imported`,
        exitCode: exitCodes.failed,
      }
    case 'same_confirmer':
      return refused(`import #${error.batchId} must be confirmed by another than ${actorLabel(error.requestedBy)}, who asked for it`)
    case 'invalid_api_key_role':
      return refused(`--role: "${error.role}" is not a key role; use staff or admin`)
    case 'invalid_slack_team':
      return refused(`--slack-team: "${error.slackTeamId}" is not a Slack team id such as T0123ABCD`)
    case 'invalid_slack_user':
      return refused(`--user: "${error.slackUserId}" is not a Slack member id such as U0123ABCD`)
    case 'nothing_running':
      return refused(`no import is running in library ${error.libraryId}: there is nothing to release`)
    case 'batch_alive':
      return refused(
        error.phase === 'applying'
          ? `import #${error.batchId} (asked by ${actorLabel(error.requestedBy)}) is being applied right now by a live process; it ends in seconds: wait for it`
          : `import #${error.batchId} (asked by ${actorLabel(error.requestedBy)}) is being read by a live process (last sign of life ${error.secondsSinceHeartbeat} s ago); stop that process, or release it anyway with --force`,
      )
    case 'interrupted':
      return { message: 'interrupted: nothing was imported', exitCode: exitCodes.failed }
    case 'invalid_filters':
      return refused(
        error.problems.map((problem) => `--${problem.filter}: ${problem.message[0].toLowerCase()}${problem.message.slice(1)}`).join('\nlibrary-comms: '),
      )
    case 'file_not_writable':
      return { message: `cannot write ${error.path}: ${error.reason}; nothing was written`, exitCode: exitCodes.failed }
    case 'file_exists':
      return refused(`${error.path} exists already: name a new file (a backup never overwrites one)`)
    case 'not_a_backup':
      return refused(`this is not a library-comms backup: ${error.reason}. Nothing was restored`)
    case 'backup_cut_short':
      return refused(`the backup is cut short after line ${error.line} (copied before it was whole?); nothing was restored`)
    case 'backup_damaged':
      return refused(`the backup is damaged at line ${error.line}: ${error.reason}; nothing was restored`)
    case 'backup_too_new':
      return refused(`the backup was made by a newer library-comms (it has ${listed(error.unknown)}); upgrade this one first. Nothing was restored`)
    case 'database_not_empty':
      return refused(
        `the database already holds data (${listed(error.tables.map((t) => `${t.table}: ${t.rows.toLocaleString('en')} ${t.rows === 1 ? 'row' : 'rows'}`))}): restore into a new DATA_DIR or an empty database. Nothing was restored`,
      )
    case 'database_ahead':
      return refused(
        `the database was created by a newer version than the backup (it has ${error.database}, the backup ${error.backup ?? 'no migrations'}): restore into a new DATA_DIR, or an empty database, before any service starts on it. Nothing was restored`,
      )
    case 'rows_refused':
      return refused(`the database refused the rows of ${error.table} from line ${error.line}: ${error.reason}. Nothing was restored`)
    case 'invalid_date':
      return refused(`--as-of: "${error.value}" is not a date; expected a date such as 2026-03-02`)
    case 'future_night':
      return refused(
        `--as-of: ${error.value} is after the library's today (${error.today}): a night to come may only be previewed, with --dry-run. Nothing was sent`,
      )
    case 'purge_refused':
      return describePurgeError(error.error)
    default:
      return assertNever(error)
  }
}

const itemsOnLoan = (n: number) => `${n} ${n === 1 ? 'item' : 'items'} on loan`

/** A purge refused: nothing was asked, approved or changed. */
function describePurgeError(error: PurgeError): { message: string; exitCode: 1 | 2 } {
  const refused = (message: string) => ({ message, exitCode: exitCodes.refused })
  switch (error.code) {
    case 'not_allowed':
      return refused(
        `not allowed: the purge needs the ${error.needed} role; --as ${error.role === null ? 'is not on the library’s staff' : `has the ${error.role} role`}`,
      )
    case 'empty_request':
      return refused('name at least one patron to purge')
    case 'unknown_patrons':
      return refused(`no patron has the username ${someListed(error.usernames.map(quoted))}; nothing was asked`)
    case 'not_deactivated':
      return refused(
        `only deactivated patrons can be purged: ${someListed(error.usernames)} ${error.usernames.length === 1 ? 'is' : 'are'} enabled; nothing was asked`,
      )
    case 'open_loans':
      return refused(
        `some patrons still have items on loan; chase the items, or ask again with --mark-loans-lost. Nothing was asked:\n${error.patrons.map((p) => `  ${p.username}: ${itemsOnLoan(p.openLoans)}`).join('\n')}`,
      )
    case 'unknown_in_filter':
      return refused(
        `--${error.field === 'academicLevel' ? 'level' : 'group'}: this library has no ${error.field === 'academicLevel' ? 'academic level' : 'group'} "${error.value}"`,
      )
    case 'patron_not_found':
      return refused(`no patron has the username "${error.username}"`)
    case 'request_not_found':
      return refused(`there is no purge request ${error.requestId} in this library`)
    case 'batch_not_found':
      return refused(`there is no purge request ${error.batchId} in this library`)
    case 'batch_not_ready':
      return refused(
        `purge #${error.batchId} is ${error.status === 'applying' ? 'being approved right now' : error.status}, not waiting for an approval; nothing was changed`,
      )
    case 'batch_running':
      return {
        message: `another batch of this library is running (#${error.running.batchId}, started by ${actorLabel(error.running.requestedBy)}); try again when it has finished`,
        exitCode: exitCodes.failed,
      }
    case 'same_confirmer':
      return refused(`purge #${error.batchId} was asked by ${actorLabel(error.requestedBy)}: another admin must approve it. Nothing was changed`)
    default:
      return assertNever(error)
  }
}

/** `--name, --slack-team and --time-zone`. */
// A purge may name 100,000 patrons: a refusal names the first ten, and how many more, not a megabyte line.
const namedAtMost = 10

function someListed(items: string[]): string {
  if (items.length <= namedAtMost) return listed(items)
  return `${items.slice(0, namedAtMost).join(', ')} and ${(items.length - namedAtMost).toLocaleString('en')} more`
}

function listed(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`
}

/** `line 14, column address: not an email address`: the header is line 1, as a spreadsheet shows it. */
export function formatProblem(problem: ImportProblem): string {
  return `line ${problem.line}, column ${problem.column}: ${problem.message}`
}

function describeProblems({ problems, problemCount: total, warnings, patronsNotFound }: Extract<ImportError, { code: 'invalid_file' }>): string {
  const more = total - problems.length
  return [
    `the file has ${total} ${total === 1 ? 'error' : 'errors'}, so nothing was imported:`,
    ...problems.map((problem) => `  ${formatProblem(problem)}`),
    ...(more > 0 ? [`  … and ${more} more (the first ${problems.length} are listed)`] : []),
    ...(patronsNotFound
      ? [`${patronsNotFound} ${patronsNotFound === 1 ? 'username names' : 'usernames name'} no patron of the library: import the patrons first`]
      : []),
    ...warnings.map((warning) => `library-comms: warning: ${formatProblem(warning)}`),
  ].join('\n')
}
