import { sql } from 'kysely'
import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { recordEvents } from '../events/record-events.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { PurgeError } from './errors.ts'
import { findPatronsToPurge, markOpenLoansLost } from './queries.ts'

/**
 * Marks a deactivated patron's open loans lost, now: their notices stop, and the library system
 * hears of each (`loan.lost` events); audited. The patron may then be purged.
 */
export async function markLoansLostForPurge(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { libraryId: number; actor: Actor; username: string },
): Promise<Result<{ marked: number }, PurgeError>> {
  const refused = checkPermission(input.actor, 'purgePatrons')
  if (refused) return err(refused)
  return deps.db.transaction().execute(async (tx): Promise<Result<{ marked: number }, PurgeError>> => {
    const [patron] = await findPatronsToPurge(tx, { libraryId: input.libraryId, usernames: [input.username] })
    if (!patron) return err({ code: 'patron_not_found', username: input.username })
    await sql`select id from patrons where id = ${patron.id} for update`.execute(tx)
    const [locked] = await findPatronsToPurge(tx, { libraryId: input.libraryId, usernames: [input.username] })
    if (!locked) return err({ code: 'patron_not_found', username: input.username })
    if (locked.isEnabled) return err({ code: 'not_deactivated', usernames: [locked.username] })
    const now = deps.clock.now()
    const lost = await markOpenLoansLost(tx, { patronIds: [locked.id], now })
    if (lost.length === 0) return ok({ marked: 0 })
    await recordEvents(tx, {
      libraryId: input.libraryId,
      at: now,
      events: lost.map((loan) => ({ type: 'loan.lost' as const, subject: loan.loanId, details: { itemId: loan.itemId, username: loan.username } })),
    })
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: actorLabel(input.actor.ref),
      action: 'purge.loans_marked_lost',
      subjectType: 'patron',
      subjectId: locked.username,
      patronId: locked.id,
      details: { loans: lost.map((loan) => loan.loanId), items: lost.map((loan) => loan.itemId) },
    })
    return ok({ marked: lost.length })
  })
}
