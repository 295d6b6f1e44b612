import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt'
import type { AppDeps } from '../../domain/deps.ts'
import { cancelImport } from '../../domain/imports/cancel-import.ts'
import { confirmImport } from '../../domain/imports/confirm-import.ts'
import type { ImportError } from '../../domain/imports/errors.ts'
import type { ImportProgress } from '../../domain/imports/stage-file.ts'
import { assertNever, type Result } from '../../domain/result.ts'
import type { Actor } from '../../domain/staff/actors.ts'
import { failureFacts } from '../failures.ts'
import { type MessageRef, progressUpdater } from '../progress-message.ts'
import type { SlackMessage } from '../views.ts'
import { type BotApp, type BotContext, identifyStaff } from '../workspace.ts'
import { importErrorMessage } from './error-views.ts'
import { parseBatchId, parseMessageRef } from './form.ts'
import { cancelledMessage, contactsAppliedMessage, importActions, importFailedMessage, patronsAppliedMessage, progressMessage } from './views.ts'

type ButtonClick = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs<BotContext>
type BatchInput = { libraryId: number; batchId: number; actor: Actor }

/** Confirm and Cancel under a dry run. Who confirmed is resolved afresh and audited by the domain. */
export function registerImportActions(app: BotApp, deps: AppDeps): void {
  const identify = identifyStaff(deps)

  // Confirm of either kind: the batch says which it is.
  const confirm = async (click: ButtonClick) => {
    await click.ack()
    await decide(
      deps,
      click,
      (input, onProgress) => confirmImport(deps, { ...input, onProgress }),
      (applied, userId) => (applied.kind === 'contacts' ? contactsAppliedMessage(applied, userId) : patronsAppliedMessage(applied, userId)),
    )
  }
  app.action<BlockAction<ButtonAction>>(importActions.confirmContacts, identify, confirm)
  app.action<BlockAction<ButtonAction>>(importActions.confirmPatrons, identify, confirm)

  app.action<BlockAction<ButtonAction>>(importActions.cancel, identify, async (click) => {
    await click.ack()
    await decide(
      deps,
      click,
      (input) => cancelImport(deps, input),
      (cancelled, userId) => cancelledMessage(cancelled.batchId, userId),
    )
  })
}

/** Runs the decision on the batch the button names, updating the dry run's message as it goes. */
async function decide<T>(
  deps: AppDeps,
  click: ButtonClick,
  run: (input: BatchInput, onProgress: (progress: ImportProgress) => void) => Promise<Result<T, ImportError>>,
  render: (value: T, userId: string) => SlackMessage,
): Promise<void> {
  const { body, context } = click
  const batchId = parseBatchId(click.action.value)
  const ref: MessageRef | undefined = parseMessageRef(body.container)
  if (batchId === undefined || ref === undefined) return
  const userId = body.user.id
  const message = progressUpdater({ client: click.client, logger: deps.logger, clock: deps.clock }, ref)
  const onProgress = message.progress((progress: ImportProgress) => progressMessage(`Import #${batchId}, confirmed by <@${userId}>`, progress))
  try {
    const decided = await run({ libraryId: context.library.id, batchId, actor: context.actor }, onProgress)
    if (decided.ok) return await message.show(render(decided.value, userId))
    const told = importErrorMessage(decided.error, { libraryName: context.library.name, stage: 'apply' })
    if (isAboutTheBatch(decided.error)) await message.show(told)
    else await click.respond({ response_type: 'ephemeral', replace_original: false, ...told })
  } catch (error) {
    deps.logger.error({ failure: failureFacts(error) }, 'an import failed on Confirm')
    await message.show(importFailedMessage())
  }
}

/**
 * Whether the batch itself is done for (its message must stop offering Confirm), or only this
 * click is refused (told to the clicker alone, the message stays for someone who may).
 */
function isAboutTheBatch(error: ImportError): boolean {
  switch (error.code) {
    case 'invalid_file':
    case 'unreadable_file':
    case 'invalid_levels':
      return true
    case 'not_allowed':
    case 'deactivation_not_allowed':
    case 'same_confirmer':
    case 'batch_running':
    case 'batch_not_found':
    case 'batch_not_ready':
      return false
    default:
      return assertNever(error)
  }
}
