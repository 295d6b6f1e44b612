import type { AppDeps } from '../../domain/deps.ts'
import { checkPermission } from '../../domain/staff/permissions.ts'
import { notAllowedText, notice } from '../views.ts'
import { type BotApp, identifyStaff } from '../workspace.ts'
import { candidatesView } from './candidates.ts'
import { parsePurgeCommand } from './form.ts'
import { purgeErrorText, purgeHelp } from './views.ts'

/** `/purge`: the deactivated patrons, a page of 20 at first, for an admin to tick and ask for approval. */
export function registerPurgeCommand(app: BotApp, deps: AppDeps): void {
  app.command('/purge', identifyStaff(deps), async ({ command, ack, client, respond, context }) => {
    await ack()
    // The use cases check again; refusing here spares staff and viewers a form they could not use.
    const refused = checkPermission(context.actor, 'purgePatrons')
    if (refused) return void (await respond({ response_type: 'ephemeral', ...notice(notAllowedText(refused, context.library.name)) }))
    const request = parsePurgeCommand(command.text)
    if (request.kind === 'help') return void (await respond({ response_type: 'ephemeral', ...purgeHelp(request.unknown) }))
    const view = await candidatesView(deps, context, { channelId: command.channel_id, page: 1, pageSize: 20, filter: {} })
    if (!view.ok) return void (await respond({ response_type: 'ephemeral', ...notice(purgeErrorText(view.error, context.library.name)) }))
    await client.views.open({ trigger_id: command.trigger_id, view: view.value })
  })
}
