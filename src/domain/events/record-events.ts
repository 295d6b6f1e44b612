import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { BlacklistTable } from '../../db/schema.ts'

/** What library-comms changed that the library system should know (GET /api/v1/events). */
export type LibraryEvent =
  /** A loan library-comms marked lost (Mark as lost and purge): subject is the library system's loan id. */
  | { type: 'loan.lost'; subject: string; details: { itemId: string; username: string } }
  /** A patron purged: subject is the username. */
  | { type: 'patron.purged'; subject: string; details: { requestId: number } }
  /** An address blacklisted (a bounce, a complaint, an admin): subject is the address. */
  | { type: 'address.blacklisted'; subject: string; details: { reason: BlacklistTable['reason'] } }

/** The advisory lock an event writer holds, with the library's id, until its transaction commits. */
export const eventsLock = 20_482

/**
 * Records events in the transaction that made the change. Takes each library's event lock first
 * (lockEventFeed), so that ids become visible in the order they were given and a reader resuming
 * after an id never skips one committed later.
 */
export async function recordEvents(tx: Db, input: { libraryId: number; at: Date; events: readonly LibraryEvent[] }): Promise<void> {
  await recordEventsOfLibraries(tx, { at: input.at, events: input.events.map((event) => ({ ...event, libraryId: input.libraryId })) })
}

/** Records events of several libraries in one statement, after taking their locks in id order. */
export async function recordEventsOfLibraries(tx: Db, input: { at: Date; events: ReadonlyArray<LibraryEvent & { libraryId: number }> }): Promise<void> {
  if (input.events.length === 0) return
  await lockEventFeed(
    tx,
    input.events.map((event) => event.libraryId),
  )
  await tx
    .insertInto('events')
    .values(
      input.events.map((event) => ({
        library_id: event.libraryId,
        at: input.at,
        type: event.type,
        subject: event.subject,
        details: sql`cast(${JSON.stringify(event.details)}::text as jsonb)`,
      })),
    )
    .execute()
}

/**
 * Takes the event locks of the libraries, in id order (no deadlock between two writers). Held until
 * the transaction ends: a second writer of the same library waits, so its ids come after ours and
 * commit after ours. Taking a lock already held by this transaction is free.
 */
export async function lockEventFeed(tx: Db, libraryIds: readonly number[]): Promise<void> {
  const ids = [...new Set(libraryIds)].sort((a, b) => a - b)
  for (const id of ids) await sql`select pg_advisory_xact_lock(${eventsLock}, ${id})`.execute(tx)
}
