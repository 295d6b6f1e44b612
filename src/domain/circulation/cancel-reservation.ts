import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { Fed, Reservation } from './circulation-view.ts'
import type { CirculationError } from './errors.ts'
import { type CirculationDeps, queueEventNotice } from './event-notices.ts'
import { reservationContextOf } from './notice-context.ts'
import { findLibrary, findReservation, inTransaction, reservationOf, updateReservation } from './queries.ts'

/**
 * A reservation cancelled: its "cancelled" notice is queued in the same transaction. Cancelling
 * it again changes nothing; a collected reservation cannot be cancelled.
 */
export async function cancelReservation(
  deps: CirculationDeps,
  input: { libraryId: number; reservationId: string; actor: Actor },
): Promise<Result<Fed<Reservation>, CirculationError>> {
  const refused = checkPermission(input.actor, 'feedCirculation')
  if (refused) return err(refused)
  const { libraryId } = input

  return inTransaction<Fed<Reservation>, CirculationError>(deps.db, async (tx) => {
    const reservation = await findReservation(tx, { libraryId, externalId: input.reservationId, lock: true })
    if (!reservation) return err({ code: 'reservation_not_found', reservationId: input.reservationId } as const)
    if (reservation.status === 'cancelled') return ok({ result: 'unchanged', record: reservationOf(reservation), notice: null } as const)
    if (reservation.status === 'collected') {
      return err({ code: 'state_conflict', resource: 'reservation', id: reservation.id, status: reservation.status, action: 'cancel' } as const)
    }
    const now = deps.clock.now()
    await updateReservation(tx, reservation.reservationId, { status: 'cancelled', closed_at: now }, now)
    const cancelled = (await findReservation(tx, { libraryId, externalId: reservation.id }))!
    const { timeZone } = await findLibrary(tx, libraryId)
    const notice = await queueEventNotice(tx, deps.renderer, {
      libraryId,
      scenario: 'reservation.cancelled',
      draft: {
        patronId: reservation.patronId,
        dedupeKey: `reservation.cancelled:${reservation.reservationId}`,
        context: { reservation: reservationContextOf(cancelled, timeZone) },
        reservationId: reservation.reservationId,
      },
    })
    return ok({ result: 'updated', record: reservationOf(cancelled), notice } as const)
  })
}
