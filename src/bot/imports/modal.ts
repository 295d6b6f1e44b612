import type { ViewSubmitAction } from '@slack/bolt'
import type { AppDeps } from '../../domain/deps.ts'
import { contactsImportPermission } from '../../domain/imports/contacts-import.ts'
import { previewImport } from '../../domain/imports/preview-import.ts'
import type { ImportFile, ImportProgress } from '../../domain/imports/stage-file.ts'
import { checkPermission } from '../../domain/staff/permissions.ts'
import { failureFacts } from '../failures.ts'
import { postProgressMessage, progressUpdater } from '../progress-message.ts'
import { noticeModal, type SlackMessage } from '../views.ts'
import { type BotApp, type BotContext, identifyStaff } from '../workspace.ts'
import { importErrorMessage } from './error-views.ts'
import { type ImportRequestForm, parseImportForm, parseImportTarget } from './form.ts'
import { importBlocks, importModalId, modeChoices } from './modal-views.ts'
import { openSlackFile, SlackFileUnavailable } from './slack-file.ts'
import {
  contactsDryRunMessage,
  importFailedMessage,
  importTitle,
  patronsDryRunMessage,
  progressMessage,
  slackFileUnavailableMessage,
  startingMessage,
  waitsForAdminMessage,
} from './views.ts'

/**
 * The import form's Dry run: closes the form at once, then posts a message that follows the
 * file being read and checked, and ends with what confirming would do.
 */
export function registerImportModal(app: BotApp, deps: AppDeps): void {
  app.view<ViewSubmitAction>(importModalId, identifyStaff(deps), async ({ ack, body, view, client, context }) => {
    const target = parseImportTarget(view.private_metadata)
    if (target === undefined) {
      return ack({ response_action: 'update', view: noticeModal('Not started', 'This form is out of date. Please run `/import` again.') })
    }
    const form = parseImportForm(view.state.values)
    if (!form.ok) return ack({ response_action: 'errors', errors: form.error })
    // A mode the staff member may not use is answered on the field, before anything is posted.
    if (form.value.kind === 'contacts') {
      const refused = checkPermission(context.actor, contactsImportPermission(form.value.mode))
      if (refused) {
        const mode = modeChoices[form.value.mode].label
        const yours = refused.role === null ? 'you are not on the staff' : `you have the ${refused.role} role`
        return ack({
          response_action: 'errors',
          errors: { [importBlocks.mode]: `${mode} needs the ${refused.needed} role, and ${yours}: choose Add, or ask an admin` },
        })
      }
    }
    await ack()

    const slack = { client, logger: deps.logger, clock: deps.clock }
    const userId = body.user.id
    const ref = await postProgressMessage(slack, { channelId: target.channelId, userId }, startingMessage(form.value, userId))
    const message = progressUpdater(slack, ref)
    try {
      if (context.botToken === undefined) throw new Error('Bolt gave the listener no bot token')
      const file = await openSlackFile(client, { fileId: form.value.fileId, botToken: context.botToken })
      const title = importTitle({ request: form.value, fileName: file.name })
      const onProgress = message.progress((progress: ImportProgress) => progressMessage(title, progress))
      const outcome = await dryRun(deps, { context, request: form.value, file, userId, onProgress })
      await message.show(outcome.message)
      // The dry run waits in the channel for an admin; its author is told why they cannot confirm it.
      if (outcome.privately) await client.chat.postEphemeral({ channel: ref.channel, user: userId, ...outcome.privately })
    } catch (error) {
      if (error instanceof SlackFileUnavailable) {
        // The user's to fix (a deleted file), or Slack's: a warning for the IT admin, not a fault of ours.
        deps.logger.warn({ problem: error.problem, detail: error.detail }, 'an import could not read its file from Slack')
        await message.show(slackFileUnavailableMessage(error.problem))
      } else {
        deps.logger.error({ failure: failureFacts(error) }, 'an import dry run failed')
        await message.show(importFailedMessage())
      }
    }
  })
}

async function dryRun(
  deps: AppDeps,
  input: { context: BotContext; request: ImportRequestForm; file: ImportFile; userId: string; onProgress: (progress: ImportProgress) => void },
): Promise<{ message: SlackMessage; privately?: SlackMessage }> {
  const { context, request, file, onProgress } = input
  const common = { libraryId: context.library.id, file, actor: context.actor, onProgress }
  const label = { fileName: file.name, requestedBy: input.userId }
  const failed = { libraryName: context.library.name, stage: 'dry-run', request, fileName: file.name } as const
  const preview = await previewImport(
    deps,
    request.kind === 'contacts'
      ? { kind: 'contacts', ...common, mode: request.mode, levels: request.levels, keepCustom: request.keepCustom }
      : { kind: 'patrons', ...common },
  )
  if (!preview.ok) return { message: importErrorMessage(preview.error, failed) }
  const message =
    preview.value.kind === 'contacts' && request.kind === 'contacts'
      ? contactsDryRunMessage(preview.value, { ...label, request })
      : preview.value.kind === 'patrons'
        ? patronsDryRunMessage(preview.value, { ...label, request })
        : importFailedMessage()
  // The dry run waits in the channel for someone who may confirm it; its author is told why.
  const mayNot = checkPermission(context.actor, preview.value.confirmPermission)
  return mayNot && preview.value.kind === 'patrons' ? { message, privately: waitsForAdminMessage(preview.value, context.library.name) } : { message }
}
