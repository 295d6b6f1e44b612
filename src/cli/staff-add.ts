import { setStaffRole } from '../domain/staff/manage-staff.ts'
import { staffRoles } from '../domain/staff/roles.ts'
import { err, ok } from '../domain/result.ts'
import { cliActor, defineCommand, parseId, requireOption } from './command.ts'

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
    const library = requireOption(args, words.join(' '), 'library')
    if (!library.ok) return library
    const libraryId = parseId('library', library.value)
    if (!libraryId.ok) return libraryId
    const user = requireOption(args, words.join(' '), 'user')
    if (!user.ok) return user
    if (!/^[UW][A-Z0-9]{2,}$/.test(user.value)) {
      return err({ code: 'invalid_option', option: 'user', value: user.value, expected: 'a Slack member id such as U0123ABCD' })
    }
    const role = requireOption(args, words.join(' '), 'role')
    if (!role.ok) return role
    if (!(staffRoles as readonly string[]).includes(role.value)) return err({ code: 'invalid_role', role: role.value })
    return ok({ libraryId: libraryId.value, slackUserId: user.value, role: role.value })
  },
  async run(deps, input) {
    const member = await setStaffRole(deps, { ...input, actor: cliActor })
    if (!member.ok) return member
    return ok(`${member.value.slackUserId} is now ${member.value.role} of library ${input.libraryId}\n`)
  },
})
