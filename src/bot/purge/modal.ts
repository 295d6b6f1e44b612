import type { ViewSubmitAction } from '@slack/bolt'
import type { AppDeps } from '../../domain/deps.ts'
import { listPurgeRequestPatrons } from '../../domain/purge/list-purge-request-patrons.ts'
import { markLoansLostForPurge } from '../../domain/purge/mark-loans-lost-for-purge.ts'
import { recordPurgeMessage } from '../../domain/purge/record-purge-message.ts'
import { requestPurge } from '../../domain/purge/request-purge.ts'
import { getLibrarySettings } from '../../domain/scenarios/get-library-settings.ts'
import { failureFacts } from '../failures.ts'
import { postProgressMessage } from '../progress-message.ts'
import { counted, escapeMrkdwn, noticeModal } from '../views.ts'
import { type BotApp, identifyStaff } from '../workspace.ts'
import { candidatesView } from './candidates.ts'
import { parseCandidatesState, parseLoseLoansState, tickedUsernames } from './form.ts'
import { purgeBlocks, purgeModalIds } from './modal-views.ts'
import { purgeErrorText, requestMessage } from './views.ts'

const outOfDate = noticeModal('Not asked', 'This form is out of date. Please run `/purge` again.')

/** Ask for approval (the candidates modal) and Mark as lost (the loans dialog stacked on it). */
export function registerPurgeModals(app: BotApp, deps: AppDeps): void {
  const identify = identifyStaff(deps)

  app.view<ViewSubmitAction>(purgeModalIds.candidates, identify, async ({ ack, body, view, client, context }) => {
    const state = parseCandidatesState(view.private_metadata)
    if (state === undefined) return ack({ response_action: 'update', view: outOfDate })
    const usernames = tickedUsernames(view)
    if (usernames.length === 0) {
      const first = view.blocks.find((block) => block.block_id === purgeBlocks.wholePage)
      const blockId = first ? purgeBlocks.wholePage : purgeBlocks.pageSize
      return ack({
        response_action: 'errors',
        errors: { [blockId]: first ? 'Tick at least one patron, or the whole page' : 'Nobody on this page can be ticked' },
      })
    }
    // Asked before the form closes, so a refusal (a patron reactivated or borrowing meanwhile) is shown on it.
    const { library, actor } = context
    const requested = await requestPurge(deps, { libraryId: library.id, actor, usernames, markLoansLost: false })
    if (!requested.ok) return ack({ response_action: 'update', view: noticeModal('Not asked', purgeErrorText(requested.error, library.name)) })
    await ack()

    const request = requested.value
    const settings = await getLibrarySettings(deps, { libraryId: library.id, actor })
    const channelId = (settings.ok && settings.value.slackChannel) || state.channelId
    const first = await listPurgeRequestPatrons(deps, { libraryId: library.id, actor, requestId: request.id, page: 1, pageSize: 20 })
    const named = first.ok ? first.value : { patrons: [], total: request.impact.patrons }
    const slack = { client, logger: deps.logger, clock: deps.clock }
    try {
      const ref = await postProgressMessage(slack, { channelId, userId: body.user.id }, requestMessage(request, named))
      await recordPurgeMessage(deps.db, { requestId: request.id, message: ref })
    } catch (error) {
      // The request stands (an admin can still approve it from the API or the tool); its asker is told.
      deps.logger.error({ failure: failureFacts(error), requestId: request.id }, 'could not post a purge request to Slack')
      await client.chat
        .postMessage({
          channel: body.user.id,
          text: `Purge request #${request.id} was saved, but could not be posted in the report channel. Another admin can approve it with \`library-comms purge approve --as THEIR_MEMBER_ID ${request.id}\` or the API (\`POST /api/v1/purge/${request.id}/approve\`), or it expires in a week.`,
        })
        .catch(() => undefined)
    }
  })

  app.view<ViewSubmitAction>(purgeModalIds.loseLoans, identify, async ({ ack, view, client, context }) => {
    const state = parseLoseLoansState(view.private_metadata)
    if (state === undefined) return ack({ response_action: 'update', view: outOfDate })
    const { library, actor } = context
    const marked = await markLoansLostForPurge(deps, { libraryId: library.id, actor, username: state.username })
    if (!marked.ok) return ack({ response_action: 'update', view: noticeModal('Not marked lost', purgeErrorText(marked.error, library.name)) })
    // Closes the dialog, back to the list, which is drawn again with the patron now tickable.
    await ack()
    const done =
      marked.value.marked === 0
        ? `Nothing was on loan to *${escapeMrkdwn(state.username)}* any more: they can be ticked now.`
        : `:white_check_mark: ${counted(marked.value.marked, 'item')} on loan to *${escapeMrkdwn(state.username)}* marked lost: they can be ticked now.`
    const list = await candidatesView(deps, context, state.list, done)
    if (list.ok) await client.views.update({ view_id: state.parentViewId, view: list.value })
    else
      await client.views.update({ view_id: state.parentViewId, view: noticeModal('Purge patrons', `${done}\n\n${purgeErrorText(list.error, library.name)}`) })
  })
}
