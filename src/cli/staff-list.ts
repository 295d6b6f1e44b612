import { ok } from '../domain/result.ts'
import { cliActor } from '../domain/staff/actors.ts'
import { listStaff } from '../domain/staff/list-staff.ts'
import { defineCommand, parseId, requireOption } from './command.ts'
import { formatInstant, formatTable } from './table.ts'

const words = ['staff', 'list']

/** `library-comms staff list`: a library's staff, the admins from SLACK_ADMIN_USER_IDS first. */
export const staffListCommand = defineCommand({
  words,
  summary: "list a library's staff and their roles",
  usage: 'library-comms staff list --library ID',
  optionHelp: ['--library ID   the library (see library list)'],
  options: { library: { type: 'string' } },
  parse(args) {
    const library = requireOption(args, words.join(' '), 'library')
    if (!library.ok) return library
    const libraryId = parseId('library', library.value)
    return libraryId.ok ? ok({ libraryId: libraryId.value }) : libraryId
  },
  async run(deps, input) {
    const staff = await listStaff(deps, { libraryId: input.libraryId, actor: cliActor })
    if (!staff.ok) return staff
    if (staff.value.length === 0) return ok('no staff yet: add an admin with library-comms staff add\n')
    return ok(
      formatTable(
        ['slack user', 'role', 'added by', 'changed'],
        staff.value.map((member) => [
          member.slackUserId,
          member.role,
          member.fromConfiguration ? 'SLACK_ADMIN_USER_IDS' : member.addedBy,
          member.fromConfiguration && member.addedBy === 'configuration' ? '-' : formatInstant(member.updatedAt),
        ]),
      ),
    )
  },
})
