import type { types } from '@slack/bolt'
import type { BatchStatus } from '../../domain/batches/batch.ts'
import type { ImportError, ImportProblem } from '../../domain/imports/errors.ts'
import { assertNever } from '../../domain/result.ts'
import type { ActorRef } from '../../domain/staff/actors.ts'
import { counted, escapeMrkdwn, notAllowedText, notice, type SlackMessage } from '../views.ts'
import type { ImportRequestForm } from './form.ts'

// The message shows the first problems; the dry run keeps 100, and the file is fixed and sent again.
const problemsShown = 20
// Slack allows 3,000 characters in a section's text.
const sectionChars = 2_900

/** Where an import went wrong: at the dry run (with what was asked) or on Confirm or Cancel. */
type ImportErrorContext = { libraryName: string; stage: 'dry-run' | 'apply'; request?: ImportRequestForm; fileName?: string }

/** "line 14, column address: address "x" is not an email address", as a spreadsheet shows it. */
function problemLine(problem: ImportProblem): string {
  return `line ${problem.line}, column ${escapeMrkdwn(problem.column)}: ${escapeMrkdwn(problem.message)}`
}

/** A titled list of problems or warnings, in as many sections as Slack's size limit needs. */
export function problemSections(title: string, problems: readonly ImportProblem[]): types.KnownBlock[] {
  if (problems.length === 0) return []
  const sections: types.KnownBlock[] = []
  let text = `*${title}*`
  for (const problem of problems.slice(0, problemsShown)) {
    const line = `• ${problemLine(problem)}`.slice(0, sectionChars)
    if (text.length + line.length + 1 > sectionChars) {
      sections.push({ type: 'section', text: { type: 'mrkdwn', text } })
      text = ''
    }
    text = text === '' ? line : `${text}\n${line}`
  }
  sections.push({ type: 'section', text: { type: 'mrkdwn', text } })
  return sections
}

/** Why an import did not run, or stopped: every case says that nothing changed. */
export function importErrorMessage(error: ImportError, context: ImportErrorContext): SlackMessage {
  const file = context.fileName === undefined ? 'the file' : `\`${escapeMrkdwn(context.fileName)}\``
  switch (error.code) {
    case 'invalid_file':
      return invalidFileMessage(error, file, context.stage)
    case 'not_allowed':
      return notice(`${notAllowedText(error, context.libraryName)}\nNothing was changed.`)
    case 'deactivation_not_allowed': {
      const lines = error.problems
        .slice(0, 5)
        .map((problem) => problem.line)
        .join(', ')
      const more = error.problemCount > 5 ? ', …' : ''
      return notice(
        `${notAllowedText({ permission: 'deactivatePatrons', needed: error.needed, role: error.role }, context.libraryName)}\n` +
          `This file deactivates ${counted(error.problemCount, 'patron')} (line${error.problemCount === 1 ? '' : 's'} ${lines}${more}). Nothing was changed: an admin can confirm it.`,
      )
    }
    case 'batch_running': {
      const { running } = error
      const doing = running.phase === 'reading' ? 'is being read' : 'is being applied'
      return notice(
        `:hourglass: Another import ${doing} in this library: import #${running.batchId}, started by ${actorName(running.requestedBy)} ${slackTime(running.startedAt)}. ` +
          'Only one import runs at a time. Nothing was changed: run `/import` again when it has finished.',
      )
    }
    case 'same_confirmer':
      return notice(`Import #${error.batchId} must be confirmed by someone other than ${actorName(error.requestedBy)}, who asked for it. Nothing was changed.`)
    case 'unreadable_file':
      return notice(`:x: ${file} could not be read as a CSV file: ${escapeMrkdwn(error.message)} Nothing was changed.`)
    case 'invalid_levels':
      return notice(
        error.levels.length === 0
          ? ':x: Replace academic levels needs at least one level. Nothing was changed.'
          : `:x: These academic levels are not in the library: ${error.levels.map(escapeMrkdwn).join(', ')}. Nothing was changed.`,
      )
    case 'batch_not_found':
      return notice(`Import #${error.batchId} is no longer there. Nothing was changed: run \`/import\` again.`)
    case 'batch_not_ready':
      return notice(`Import #${error.batchId} ${statusText[error.status]}, so it cannot be confirmed or cancelled now.`)
    default:
      return assertNever(error)
  }
}

const statusText: Record<BatchStatus | 'applying', string> = {
  applied: 'was already applied',
  applying: 'is being applied right now',
  approved: 'was approved and is being applied',
  cancelled: 'was already cancelled',
  expired: 'waited a day unconfirmed and was dropped',
  invalid: 'did not pass its checks',
  failed: 'stopped with an error and changed nothing',
  staging: 'is still being read',
  staged: 'is waiting for a confirmation',
  rejected: 'was rejected',
}

function invalidFileMessage(error: Extract<ImportError, { code: 'invalid_file' }>, file: string, stage: ImportErrorContext['stage']): SlackMessage {
  const found = counted(error.problemCount, 'problem')
  const lead =
    stage === 'dry-run'
      ? `The dry run found *${found}* in ${file}, and *nothing was changed*. Fix the file and run \`/import\` again.`
      : `Checking again before applying found *${found}*: the library changed since the dry run. *Nothing was changed.* Run \`/import\` again.`
  const shown = Math.min(error.problems.length, problemsShown)
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: stage === 'dry-run' ? 'Dry run: the file has problems' : 'Import stopped' } },
    { type: 'section', text: { type: 'mrkdwn', text: `:x: ${lead}` } },
    ...(error.patronsNotFound
      ? [
          {
            type: 'section' as const,
            text: {
              type: 'mrkdwn' as const,
              text: `:bust_in_silhouette: *${counted(error.patronsNotFound, 'patron')}* in the file ${error.patronsNotFound === 1 ? 'does' : 'do'} not exist in this library: import the patrons first, or take their rows out.`,
            },
          },
        ]
      : []),
    ...problemSections(shown < error.problemCount ? `The first ${shown} of ${found}` : 'Problems', error.problems),
    ...problemSections('Warnings (these columns are ignored)', error.warnings),
  ]
  const first = error.problems[0]
  const text = `Nothing was changed: ${found}${first ? `, the first on ${problemLine(first)}` : ''}`
  return { text, blocks }
}

/** Who acted, as staff read it: a Slack member is a mention, the others say where they came from. */
function actorName(actor: ActorRef): string {
  switch (actor.kind) {
    case 'slack':
      return `<@${escapeMrkdwn(actor.userId)}>`
    case 'api_key':
      return `API key ${actor.keyId}`
    case 'cli':
      return 'the command line'
    case 'migration':
      return 'an upgrade'
    case 'recipient':
      return 'the recipient'
    case 'other':
      return escapeMrkdwn(actor.label)
    default:
      return assertNever(actor)
  }
}

// Slack shows a date in each reader's own time zone; the fallback is for old clients.
function slackTime(at: Date): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} at {time}|at ${at.toISOString()}>`
}
