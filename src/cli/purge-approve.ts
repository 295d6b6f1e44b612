import { chooseLibrary } from '../domain/libraries/choose-library.ts'
import { approvePurge } from '../domain/purge/approve-purge.ts'
import { rejectPurge } from '../domain/purge/reject-purge.ts'
import { err, ok } from '../domain/result.ts'
import { identifyStaffMember } from '../domain/staff/identify-staff-member.ts'
import { quoted } from '../domain/text.ts'
import { defineCommand, parseId, parseOptionalId } from './command.ts'
import { counted, outcomeLines, parseMember } from './purge-words.ts'

type Decision = { member: string; libraryId: number | undefined; requestId: number }

function parseDecision(command: string, args: { values: Record<string, string | boolean | undefined>; positionals: string[] }) {
  const member = parseMember(args.values.as, command)
  if (!member.ok) return member
  const libraryId = parseOptionalId(args, 'library')
  if (!libraryId.ok) return libraryId
  if (args.positionals.length !== 1) return err({ code: 'bad_arguments' as const, command, detail: 'name one purge request by its number' })
  // A number, not an option: refused as what it should be, not as an option --ID there is not.
  const requestId = parseId('ID', args.positionals[0])
  if (!requestId.ok)
    return err({
      code: 'bad_arguments' as const,
      command,
      detail: `${quoted(args.positionals[0])} is not a purge request number; name one by its number, such as 3`,
    })
  return ok<Decision>({ member: member.value, libraryId: libraryId.value, requestId: requestId.value })
}

const options = { as: { type: 'string' }, library: { type: 'string' } } as const

/** `library-comms purge approve`: a second admin approves a purge request, and it runs here, page by page. */
export const purgeApproveCommand = defineCommand({
  words: ['purge', 'approve'],
  summary: 'approve a purge request another admin asked for, and run it',
  usage: 'library-comms purge approve --as MEMBER [--library ID] ID',
  optionHelp: [
    '--as MEMBER   your Slack member id (U0123ABCD): an admin, not the one who asked',
    '--library ID  the library (see library list); may be left out when there is only one',
    '',
    'The purge runs page by page, each page whole or not at all. One that stopped mid-way is',
    'resumed by approving it again (any admin), or by the service on its own.',
  ],
  options,
  allowPositionals: true,
  parse: (args) => parseDecision('purge approve', args),
  async run(deps, input: Decision, terminal) {
    const library = await chooseLibrary(deps, { libraryId: input.libraryId })
    if (!library.ok) return library
    const actor = await identifyStaffMember(deps, { libraryId: library.value.id, slackUserId: input.member })
    const done = await approvePurge(deps, {
      libraryId: library.value.id,
      actor,
      requestId: input.requestId,
      via: 'cli',
      onProgress: (p) => terminal.stderr(`page ${p.page} of ${p.pages} done: ${counted(p.purged, 'patron')} purged so far\n`),
    })
    if (!done.ok) return err({ code: 'purge_refused', error: done.error })
    return ok(`${outcomeLines(done.value).join('\n')}\n`)
  },
})

/** `library-comms purge reject`: another admin says no to a purge request (its asker cancels it); nothing changes. */
export const purgeRejectCommand = defineCommand({
  words: ['purge', 'reject'],
  summary: 'reject a purge request (or cancel your own); nothing changes',
  usage: 'library-comms purge reject --as MEMBER [--library ID] ID',
  optionHelp: [
    '--as MEMBER   your Slack member id (U0123ABCD), an admin',
    '--library ID  the library (see library list); may be left out when there is only one',
  ],
  options,
  allowPositionals: true,
  parse: (args) => parseDecision('purge reject', args),
  async run(deps, input: Decision) {
    const library = await chooseLibrary(deps, { libraryId: input.libraryId })
    if (!library.ok) return library
    const actor = await identifyStaffMember(deps, { libraryId: library.value.id, slackUserId: input.member })
    const rejected = await rejectPurge(deps, { libraryId: library.value.id, actor, requestId: input.requestId, via: 'cli' })
    if (!rejected.ok) return err({ code: 'purge_refused', error: rejected.error })
    return ok(`purge #${rejected.value.id} ${rejected.value.status}: nothing was changed\n`)
  },
})
