import type { Db } from '../../db/database.ts'
import type { AppDeps } from '../deps.ts'
import { composePatronNotices, type NoticeDraft } from '../notices/compose.ts'
import { type NewMessage, queueMessages } from '../notices/outbox.ts'
import type { ScenarioName } from '../scenarios/catalogue.ts'
import { loadScenarioSettings } from '../scenarios/settings.ts'
import type { NoticeRenderer } from '../templates/render.ts'
import type { NoticeOutcome } from './circulation-view.ts'

/** What the circulation use cases need: the database, the clock, and the templates. */
export type CirculationDeps = Pick<AppDeps, 'db' | 'clock'> & { renderer: NoticeRenderer }

/** Whether the library runs `scenario` (staff can switch every scenario off). */
export async function isScenarioOn(db: Db, libraryId: number, scenario: ScenarioName): Promise<boolean> {
  const settings = await loadScenarioSettings(db, libraryId)
  return settings.find((s) => s.scenario === scenario)?.enabled ?? false
}

/** What a composed message says of itself, as a call answers it. */
export function outcomeOf(message: Pick<NewMessage, 'scenario' | 'status' | 'reason'>): NoticeOutcome {
  return message.status === 'queued'
    ? { scenario: message.scenario, status: 'queued', reason: null }
    : { scenario: message.scenario, status: 'skipped', reason: message.reason ?? 'no_contact' }
}

/**
 * A patron's notice of an event, rendered and not yet queued: nothing when the scenario is off,
 * the patron deactivated or excluded (`notice` says which).
 */
export async function composeEventNotice(
  db: Db,
  renderer: NoticeRenderer,
  input: { libraryId: number; scenario: ScenarioName; draft: NoticeDraft },
): Promise<{ message: NewMessage | null; notice: NoticeOutcome }> {
  const { scenario } = input
  if (!(await isScenarioOn(db, input.libraryId, scenario))) return { message: null, notice: { scenario, status: 'not_sent', reason: 'scenario_off' } }
  const render = await renderer(db, input.libraryId)
  const { messages, notComposed } = await composePatronNotices(db, { libraryId: input.libraryId, scenario, drafts: [input.draft], render })
  if (notComposed.length > 0) return { message: null, notice: { scenario, status: 'not_sent', reason: notComposed[0].reason } }
  return { message: messages[0], notice: outcomeOf(messages[0]) }
}

/**
 * Queues a patron's notice of an event in `db`, the event's own transaction: the event and its
 * notice commit together or not at all. Its dedupe key makes a repeat queue nothing new.
 */
export async function queueEventNotice(
  db: Db,
  renderer: NoticeRenderer,
  input: { libraryId: number; scenario: ScenarioName; draft: NoticeDraft },
): Promise<NoticeOutcome> {
  const { message, notice } = await composeEventNotice(db, renderer, input)
  if (message) await queueMessages(db, [message])
  return notice
}
