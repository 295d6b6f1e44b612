import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { BlacklistReason } from '../bounces/blacklist.ts'

/** What library-comms changed that the library system should know (GET /api/v1/events). */
export type LibraryEvent =
  /** A loan library-comms marked lost (Mark as lost and purge): subject is the library system's loan id. */
  | { type: 'loan.lost'; subject: string; details: { itemId: string; username: string } }
  /** A patron purged: subject is the username. */
  | { type: 'patron.purged'; subject: string; details: { requestId: number } }
  /** An address blacklisted (a bounce, a complaint, an admin): subject is the address. */
  | { type: 'address.blacklisted'; subject: string; details: { reason: BlacklistReason } }

/** The advisory lock an event writer holds, with the library's id, until its transaction commits. */
export const eventsLock = 20_482

/**
 * Records events in the transaction that made the change. Takes each library's event lock first
 * (lockEventFeed), so that ids become visible in the order they were given and a reader resuming
 * after an id never skips one committed later.
 */
export async function recordEvents(tx: Db, input: { libraryId: number; at: Date; events: readonly LibraryEvent[] }): Promise<void> {
  // Minimal, by part B until part D's lands (take D's on merge).
  if (input.events.length === 0) return
  await lockEventFeed(tx, [input.libraryId])
  await sql`
    insert into events (library_id, at, type, subject, details)
    select ${input.libraryId}, ${input.at}, e.type, e.subject, e.details::jsonb
    from unnest(${sql.val(input.events.map((e) => e.type))}::text[], ${sql.val(input.events.map((e) => e.subject))}::text[],
      ${sql.val(input.events.map((e) => JSON.stringify(e.details)))}::text[]) with ordinality as e(type, subject, details, n)
    order by e.n`.execute(tx)
}

/** Takes the event locks of the libraries, in id order (no deadlock between two writers). */
export async function lockEventFeed(tx: Db, libraryIds: readonly number[]): Promise<void> {
  for (const id of [...new Set(libraryIds)].sort((a, b) => a - b)) await sql`select pg_advisory_xact_lock(${eventsLock}, ${id})`.execute(tx)
}
