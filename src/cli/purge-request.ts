import { readFile } from 'node:fs/promises'
import { chooseLibrary } from '../domain/libraries/choose-library.ts'
import { requestPurge } from '../domain/purge/request-purge.ts'
import { err, ok } from '../domain/result.ts'
import { identifyStaffMember } from '../domain/staff/identify-staff-member.ts'
import { defineCommand, parseOptionalId } from './command.ts'
import { counted, impactLines, parseMember } from './purge-words.ts'
import { formatInstant } from './table.ts'

const words = ['purge', 'request']

/** `library-comms purge request`: asks for a purge, for another admin to approve; changes nothing. */
export const purgeRequestCommand = defineCommand({
  words,
  summary: 'ask for deactivated patrons to be purged (another admin approves)',
  usage: 'library-comms purge request --as MEMBER [--library ID] [--mark-loans-lost] (USERNAME... | --file FILE)',
  optionHelp: [
    '--as MEMBER        your Slack member id (U0123ABCD): you ask as that staff member, an admin',
    '--library ID       the library (see library list); may be left out when there is only one',
    '--mark-loans-lost  mark the loans they still have lost as they are purged (otherwise refused)',
    '--file FILE        the usernames, one a line (or separated by commas), instead of on the line',
    '',
    'Nothing changes: the request waits a week for another admin to approve it with',
    '"library-comms purge approve" or in Slack.',
  ],
  options: { as: { type: 'string' }, library: { type: 'string' }, 'mark-loans-lost': { type: 'boolean' }, file: { type: 'string' } },
  allowPositionals: true,
  parse(args) {
    const member = parseMember(args.values.as, words.join(' '))
    if (!member.ok) return member
    const libraryId = parseOptionalId(args, 'library')
    if (!libraryId.ok) return libraryId
    const file = typeof args.values.file === 'string' ? args.values.file : undefined
    if (file !== undefined && args.positionals.length > 0) {
      return err({ code: 'bad_arguments', command: words.join(' '), detail: 'give the usernames on the line or in --file, not both' })
    }
    if (file === undefined && args.positionals.length === 0) {
      return err({ code: 'bad_arguments', command: words.join(' '), detail: 'name the patrons to purge, or give --file' })
    }
    return ok({ member: member.value, libraryId: libraryId.value, markLoansLost: args.values['mark-loans-lost'] === true, file, usernames: args.positionals })
  },
  async run(deps, input) {
    let usernames = input.usernames
    if (input.file !== undefined) {
      try {
        usernames = (await readFile(input.file, 'utf8')).split(/[\r\n,]+/).map((u) => u.trim())
      } catch (error) {
        return err({ code: 'file_not_readable', path: input.file, reason: (error as Error).message })
      }
      // A CSV's header.
      if (usernames[0]?.toLowerCase() === 'username') usernames = usernames.slice(1)
    }
    const library = await chooseLibrary(deps, { libraryId: input.libraryId })
    if (!library.ok) return library
    const actor = await identifyStaffMember(deps, { libraryId: library.value.id, slackUserId: input.member })
    const asked = await requestPurge(deps, { libraryId: library.value.id, actor, usernames, markLoansLost: input.markLoansLost, via: 'cli' })
    if (!asked.ok) return err({ code: 'purge_refused', error: asked.error })
    const request = asked.value
    return ok(
      [
        `asked for purge #${request.id} of ${counted(request.impact.patrons, 'patron')}; nothing has changed yet. Once approved:`,
        ...impactLines(request.impact),
        `Another admin approves it before ${formatInstant(request.expiresAt)}: library-comms purge approve --as THEIR_MEMBER_ID ${request.id}`,
        '',
      ].join('\n'),
    )
  },
})
