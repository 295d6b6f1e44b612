import type { BlockAction, ButtonAction } from '@slack/bolt'
import type { AppDeps } from '../../domain/deps.ts'
import { type BotApp, identifyStaff } from '../workspace.ts'
import { emailLogPage } from './command.ts'
import { emailLogActions, parseEmailLogRef } from './views.ts'

/** Newer and Older on a page of the email log: the page asked for, in place of the one shown. */
export function registerEmailLogActions(app: BotApp, deps: AppDeps): void {
  app.action<BlockAction<ButtonAction>>(emailLogActions.page, identifyStaff(deps), async ({ ack, action, respond, context }) => {
    await ack()
    const ref = parseEmailLogRef(action.value)
    if (ref === undefined) return
    await respond({ replace_original: true, ...(await emailLogPage(deps, context, ref)) })
  })
}
