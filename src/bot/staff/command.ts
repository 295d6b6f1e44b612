import type { AppDeps } from '../../domain/deps.ts'
import { assertNever } from '../../domain/result.ts'
import { listStaff } from '../../domain/staff/list-staff.ts'
import { removeStaff } from '../../domain/staff/remove-staff.ts'
import { setStaffRole } from '../../domain/staff/set-staff-role.ts'
import { notice, type SlackMessage } from '../views.ts'
import { type BotApp, type BotContext, identifyStaff } from '../workspace.ts'
import { parseStaffCommand } from './parse.ts'
import { removedText, roleSetText, staffErrorText, staffHelp, staffList } from './views.ts'

/** `/staff`: lists the library's staff; admins add, change and remove roles. */
export function registerStaffCommand(app: BotApp, deps: AppDeps): void {
  app.command('/staff', identifyStaff(deps), async ({ command, ack, respond, context }) => {
    await ack()
    const message = await answerStaffCommand(deps, context, command.text)
    await respond({ response_type: 'ephemeral', ...message })
  })
}

async function answerStaffCommand(deps: AppDeps, context: BotContext, text: string): Promise<SlackMessage> {
  const { library, actor } = context
  const request = parseStaffCommand(text)
  switch (request.kind) {
    case 'help':
      return staffHelp(request.problem)
    case 'list': {
      const listed = await listStaff(deps, { libraryId: library.id, actor })
      return listed.ok ? staffList(listed.value, library.name) : notice(staffErrorText(listed.error, library.name))
    }
    case 'set_role': {
      const set = await setStaffRole(deps, { libraryId: library.id, slackUserId: request.slackUserId, role: request.role, actor })
      return notice(set.ok ? roleSetText(set.value, library.name) : staffErrorText(set.error, library.name))
    }
    case 'remove': {
      const removed = await removeStaff(deps, { libraryId: library.id, slackUserId: request.slackUserId, actor })
      return notice(removed.ok ? removedText(removed.value, library.name) : staffErrorText(removed.error, library.name))
    }
    default:
      return assertNever(request)
  }
}
