import type { AppDeps } from '../../domain/deps.ts'
import { listAcademicLevels } from '../../domain/patrons/list-academic-levels.ts'
import { checkPermission, type NotAllowed } from '../../domain/staff/permissions.ts'
import { notAllowedText, notice } from '../views.ts'
import { type BotApp, identifyStaff } from '../workspace.ts'
import { parseImportCommand } from './form.ts'
import { importModal } from './modal-views.ts'
import { importHelp } from './views.ts'

/** `/import [contacts | patrons]`: the import form, with the library's academic levels; anything else, the help. */
export function registerImportCommand(app: BotApp, deps: AppDeps): void {
  app.command('/import', identifyStaff(deps), async ({ command, ack, client, respond, context }) => {
    await ack()
    const refuse = async (refusal: NotAllowed) => {
      await respond({ response_type: 'ephemeral', ...notice(notAllowedText(refusal, context.library.name)) })
    }
    const request = parseImportCommand(command.text)
    // The dry run checks again; refusing here spares a viewer a form they could not use.
    const refused = checkPermission(context.actor, request.kind === 'form' && request.fileKind === 'patrons' ? 'changePatrons' : 'importContacts')
    if (refused) return refuse(refused)
    if (request.kind === 'help') {
      await respond({ response_type: 'ephemeral', ...importHelp(request.unknown) })
      return
    }
    const levels = await listAcademicLevels(deps, { libraryId: context.library.id, actor: context.actor })
    if (!levels.ok) return refuse(levels.error)
    const target = { channelId: command.channel_id }
    await client.views.open({ trigger_id: command.trigger_id, view: importModal({ target, levels: levels.value, kind: request.fileKind }) })
  })
}
