import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission, type NotAllowed } from '../staff/permissions.ts'
import { quoted } from '../text.ts'
import type { LibraryEvent } from './record-events.ts'

export const defaultEventsLimit = 100
export const maxEventsLimit = 1000

/** An event as the library system reads it: its id is also the cursor to resume after it. */
export type RecordedEvent = LibraryEvent & { id: string; at: Date }

/**
 * A page of the feed, oldest first. `next` continues when more events wait; null when the page
 * reaches the end of the feed (poll again later with `after` = the last event's id).
 */
export type EventsPage = { events: RecordedEvent[]; next: string | null }

export type EventsProblem = { parameter: 'after' | 'limit'; message: string }
export type EventsError = NotAllowed | { code: 'invalid_query'; problems: EventsProblem[] }

// An id of the feed: a positive bigint, written in decimal.
const idPattern = /^[1-9][0-9]{0,18}$/

/**
 * What library-comms changed that the library system should know (loans marked lost, patrons
 * purged, addresses blacklisted), in id order, after `after`. Ids are committed in order
 * (recordEvents), so resuming after the last id read never skips an event. The library system's
 * key reads it, as it feeds circulation.
 */
export async function listEvents(
  deps: Pick<AppDeps, 'db'>,
  input: { libraryId: number; actor: Actor; after?: string; limit: number },
): Promise<Result<EventsPage, EventsError>> {
  const refused = checkPermission(input.actor, 'feedCirculation')
  if (refused) return err(refused)
  const problems: EventsProblem[] = []
  const after = input.after?.trim()
  if (after !== undefined && !(after === '0' || (idPattern.test(after) && BigInt(after) <= 9_223_372_036_854_775_807n)))
    problems.push({
      parameter: 'after',
      message: `${quoted(input.after!)} is not an event id; give the id of the last event read, or 0 to start at the beginning`,
    })
  if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > maxEventsLimit)
    problems.push({ parameter: 'limit', message: `Give a whole number from 1 to ${maxEventsLimit}` })
  if (problems.length > 0) return err({ code: 'invalid_query', problems })

  const rows = await deps.db
    .selectFrom('events')
    .where('library_id', '=', input.libraryId)
    .$if(after !== undefined, (query) => query.where('id', '>', after!))
    .orderBy('id')
    // One more than asked for says whether more wait.
    .limit(input.limit + 1)
    .select(['id', 'type', 'at', 'subject', 'details'])
    .execute()
  const events = rows.slice(0, input.limit).map((row) => ({ ...row, id: String(row.id) }) as RecordedEvent)
  return ok({ events, next: rows.length > input.limit ? events[events.length - 1].id : null })
}
