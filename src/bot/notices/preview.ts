import { dateIn } from '../../domain/calendar.ts'
import type { AppDeps } from '../../domain/deps.ts'
import type { RenderNotice } from '../../domain/notices/compose.ts'
import { planNight } from '../../domain/notices/plan-night.ts'
import type { SlackMessage } from '../views.ts'
import type { BotContext } from '../workspace.ts'
import { noticesPreview, noticesPreviewError } from './preview-views.ts'

/**
 * `/notices preview [date]`: a dry run of the library's night, as the message to show the asker.
 * `text` is what follows `preview`: a date ('YYYY-MM-DD'), or nothing for today in the library's
 * time zone (tonight's run). A district's night takes a few seconds: acknowledge the command
 * first, then respond with this.
 */
export async function answerNoticesPreview(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  context: BotContext,
  text: string,
  options: { render?: RenderNotice } = {},
): Promise<SlackMessage> {
  const asOf = text.trim() === '' ? dateIn(context.library.timeZone, deps.clock.now()) : text.trim()
  const plan = await planNight(deps, { libraryId: context.library.id, asOf, dryRun: true, actor: context.actor, render: options.render })
  return plan.ok ? noticesPreview(plan.value) : noticesPreviewError(plan.error, context.library.name)
}
