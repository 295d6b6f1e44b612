import type { BlockAction, ButtonAction } from '@slack/bolt'
import { removeFromBlacklist } from '../../domain/bounces/remove-from-blacklist.ts'
import type { AppDeps } from '../../domain/deps.ts'
import type { SuppressionList } from '../../mail/ses-suppression.ts'
import { notice } from '../views.ts'
import { type BotApp, identifyStaff } from '../workspace.ts'
import { bouncesList } from './command.ts'
import { bounceActions, parseBounceRef, removedText, removeErrorText } from './views.ts'

/**
 * Remove from blacklist (after its confirm dialog): off our blacklist and SES's suppression list,
 * then the list again with a line saying so. Fix the address is the contact card's Edit, whose
 * modal saves the contact and shows the patron's card in place of the list.
 */
export function registerBouncesActions(app: BotApp, deps: AppDeps & { suppressionList: SuppressionList | null }): void {
  app.action<BlockAction<ButtonAction>>(bounceActions.remove, identifyStaff(deps), async ({ ack, action, respond, context }) => {
    await ack()
    const ref = parseBounceRef(action.value)
    if (ref === undefined) return
    const removed = await removeFromBlacklist(deps, { libraryId: context.library.id, actor: context.actor, address: ref.address })
    if (!removed.ok && removed.error.code !== 'not_blacklisted') {
      return void respond({ response_type: 'ephemeral', replace_original: false, ...notice(removeErrorText(removed.error, context.library.name)) })
    }
    const line = removed.ok ? removedText(removed.value.removed.address) : removeErrorText(removed.error, context.library.name)
    await respond({ replace_original: true, ...(await bouncesList(deps, context, { since: ref.since ?? '', notice: line })) })
  })
}
