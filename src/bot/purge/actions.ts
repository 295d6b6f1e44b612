import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt'
import type { AppDeps } from '../../domain/deps.ts'
import { approvePurge } from '../../domain/purge/approve-purge.ts'
import { listLoansToLose } from '../../domain/purge/list-loans-to-lose.ts'
import { listPurgeRequestPatrons } from '../../domain/purge/list-purge-request-patrons.ts'
import type { PurgeProgress } from '../../domain/purge/purge-view.ts'
import { rejectPurge } from '../../domain/purge/reject-purge.ts'
import { showPurgeRequest } from '../../domain/purge/show-purge-request.ts'
import { checkPermission } from '../../domain/staff/permissions.ts'
import { failureFacts } from '../failures.ts'
import { parseMessageRef } from '../imports/form.ts'
import { progressUpdater } from '../progress-message.ts'
import { notice, noticeModal } from '../views.ts'
import { type BotApp, type BotContext, identifyStaff } from '../workspace.ts'
import { candidatesView } from './candidates.ts'
import { nextState, parseCandidatesState, parseEveryoneState, parsePositive } from './form.ts'
import { everyoneModal, everyonePageSize, loseLoansModal, pagerActions } from './modal-views.ts'
import { expiredMessage, progressMessage, purgeActions, purgedMessage, purgeErrorText, purgeFailedMessage, rejectedMessage } from './views.ts'

type ButtonClick = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs<BotContext>

/** The buttons of the candidates modal, of the request message and of the "everyone" list. */
export function registerPurgeActions(app: BotApp, deps: AppDeps): void {
  const identify = identifyStaff(deps)
  const on = (actionId: string, handler: (click: ButtonClick) => Promise<void>) =>
    app.action<BlockAction<ButtonAction>>(actionId, identify, async (click) => {
      await click.ack()
      await handler(click)
    })
  // Told to the clicker alone: the message stays for someone who may act on it.
  const tell = (click: ButtonClick, text: string) =>
    click.respond({ response_type: 'ephemeral', replace_original: false, ...notice(text) }).then(() => undefined)
  const stack = (click: ButtonClick, title: string, text: string) =>
    click.client.views.push({ trigger_id: click.body.trigger_id, view: noticeModal(title, text) }).then(() => undefined)

  // Show, Previous and Next: the page asked for, or the first page of filters changed since it was shown.
  const turnPage = async (click: ButtonClick) => {
    const view = click.body.view
    const shown = parseCandidatesState(view?.private_metadata)
    if (view === undefined || shown === undefined) return
    const page = parsePositive(click.action.value) ?? 1
    const drawn = await candidatesView(deps, click.context, nextState(view.state.values, shown, page))
    if (!drawn.ok) return stack(click, 'Purge patrons', purgeErrorText(drawn.error, click.context.library.name))
    await click.client.views.update({ view_id: view.id, hash: view.hash, view: drawn.value })
  }
  on(purgeActions.show, turnPage)
  for (const actionId of pagerActions(purgeActions.page)) on(actionId, turnPage)

  on(purgeActions.markLost, async (click) => {
    const view = click.body.view
    const shown = parseCandidatesState(view?.private_metadata)
    const username = click.action.value
    if (view === undefined || shown === undefined || !username) return
    const { library, actor } = click.context
    const loans = await listLoansToLose(deps, { libraryId: library.id, actor, username })
    if (!loans.ok) return stack(click, 'Mark as lost', purgeErrorText(loans.error, library.name))
    const name = candidateNameIn(view.blocks, username) ?? username
    const state = { parentViewId: view.id, username, list: shown }
    await click.client.views.push({ trigger_id: click.body.trigger_id, view: loseLoansModal({ state, candidate: { name }, loans: loans.value }) })
  })

  on(purgeActions.approve, async (click) => {
    const { context, body } = click
    const requestId = parsePositive(click.action.value)
    const ref = parseMessageRef(body.container)
    if (requestId === undefined || ref === undefined) return
    const { library, actor } = context
    const refused = checkPermission(actor, 'purgePatrons')
    if (refused) return tell(click, purgeErrorText(refused, library.name))
    const shown = await showPurgeRequest(deps, { libraryId: library.id, actor, requestId })
    if (!shown.ok) return tell(click, purgeErrorText(shown.error, library.name))
    const request = shown.value
    // An approved purge pressed again (twice quickly, or resumed after a restart) runs on, but it
    // was approved by whoever approved it first: the message must not name the later clicker, who may be the asker.
    const approver = (request.status === 'approved' && request.approvedBy) || actor.ref
    const message = progressUpdater({ client: click.client, logger: deps.logger, clock: deps.clock }, ref)
    const render = message.progress((progress: PurgeProgress & { phase: 'purging' }) => progressMessage(request, approver, progress))
    try {
      const approved = await approvePurge(deps, { libraryId: library.id, actor, requestId, onProgress: (p) => render({ ...p, phase: 'purging' }) })
      if (approved.ok) return await message.show(purgedMessage(request, approver, approved.value))
      if (approved.error.code === 'batch_not_ready' && approved.error.status === 'expired') await message.show(expiredMessage(request))
      await tell(click, purgeErrorText(approved.error, library.name))
    } catch (error) {
      deps.logger.error({ failure: failureFacts(error), requestId }, 'a purge failed on Approve')
      await message.show(purgeFailedMessage(request))
    }
  })

  on(purgeActions.reject, async (click) => {
    const requestId = parsePositive(click.action.value)
    const ref = parseMessageRef(click.body.container)
    if (requestId === undefined || ref === undefined) return
    const { library, actor } = click.context
    const refused = checkPermission(actor, 'purgePatrons')
    if (refused) return tell(click, purgeErrorText(refused, library.name))
    const rejected = await rejectPurge(deps, { libraryId: library.id, actor, requestId })
    if (!rejected.ok) {
      // Rejecting a request past its week expires it: its message says so, as on Approve, rather than keep its buttons.
      if (rejected.error.code === 'batch_not_ready' && rejected.error.status === 'expired') {
        const shown = await showPurgeRequest(deps, { libraryId: library.id, actor, requestId })
        if (shown.ok) await click.client.chat.update({ channel: ref.channel, ts: ref.ts, ...expiredMessage(shown.value) })
      }
      return tell(click, purgeErrorText(rejected.error, library.name))
    }
    await click.client.chat.update({ channel: ref.channel, ts: ref.ts, ...rejectedMessage(rejected.value, actor.ref) })
  })

  on(purgeActions.listEveryone, async (click) => {
    const requestId = parsePositive(click.action.value)
    if (requestId === undefined) return
    const view = await everyoneView(deps, click.context, { requestId, page: 1 })
    if (!view.ok) return tell(click, view.text)
    await click.client.views.open({ trigger_id: click.body.trigger_id, view: view.view })
  })

  for (const actionId of pagerActions(purgeActions.everyonePage)) {
    on(actionId, async (click) => {
      const view = click.body.view
      const shown = parseEveryoneState(view?.private_metadata)
      const page = parsePositive(click.action.value)
      if (view === undefined || shown === undefined || page === undefined) return
      const drawn = await everyoneView(deps, click.context, { requestId: shown.requestId, page })
      if (!drawn.ok) return stack(click, 'Purge request', drawn.text)
      await click.client.views.update({ view_id: view.id, hash: view.hash, view: drawn.view })
    })
  }
}

async function everyoneView(deps: AppDeps, context: BotContext, state: { requestId: number; page: number }) {
  const { library, actor } = context
  const listed = await listPurgeRequestPatrons(deps, { libraryId: library.id, actor, requestId: state.requestId, page: state.page, pageSize: everyonePageSize })
  if (!listed.ok) return { ok: false as const, text: purgeErrorText(listed.error, library.name) }
  return { ok: true as const, view: everyoneModal({ state, patrons: listed.value.patrons, total: listed.value.total }) }
}

// The patron's name as the list shows it, from the row whose button was pressed.
function candidateNameIn(blocks: unknown, username: string): string | undefined {
  if (!Array.isArray(blocks)) return undefined
  for (const block of blocks as Array<{ text?: { text?: string }; accessory?: { value?: string } }>) {
    if (block.accessory?.value === username && block.text?.text)
      return block.text.text.split(' · ')[0].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
  }
  return undefined
}
