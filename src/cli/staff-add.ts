import { err, ok } from '../domain/result.ts'
import { cliActor, isSlackUserId } from '../domain/staff/actors.ts'
import { isStaffRole } from '../domain/staff/permissions.ts'
import { setStaffRole } from '../domain/staff/set-staff-role.ts'
import { defineCommand, parseId, requireOptions } from './command.ts'

const words = ['staff', 'add']

/** `library-comms staff add`: gives a Slack user a role in a library, or changes it. */
export const staffAddCommand = defineCommand({
  words,
  summary: 'give a Slack user a staff role in a library (or change it)',
  usage: 'library-comms staff add --library ID --user SLACK_USER_ID --role admin|staff|viewer',
  optionHelp: [
    '--library ID          the library (see library list)',
    '--user U…             the Slack member id (Slack: profile → ⋮ → Copy member ID)',
    '--role ROLE           admin (also manages staff), staff (changes contacts) or viewer (looks)',
  ],
  options: { library: { type: 'string' }, user: { type: 'string' }, role: { type: 'string' } },
  parse(args) {
    const given = requireOptions(args, words.join(' '), ['library', 'user', 'role'])
    if (!given.ok) return given
    const { user, role } = given.value
    const libraryId = parseId('library', given.value.library)
    if (!libraryId.ok) return libraryId
    // The domain's rules, asked before the database opens, so that a typo is refused at once.
    if (!isSlackUserId(user)) {
      return err({ code: 'invalid_option', option: 'user', value: user, expected: 'a Slack member id such as U0123ABCD' })
    }
    if (!isStaffRole(role)) return err({ code: 'invalid_role', role })
    return ok({ libraryId: libraryId.value, slackUserId: user, role })
  },
  async run(deps, input) {
    const member = await setStaffRole(deps, { ...input, actor: cliActor })
    if (!member.ok) return member
    return ok(`${member.value.slackUserId} is now ${member.value.role} of library ${input.libraryId}\n`)
  },
})
