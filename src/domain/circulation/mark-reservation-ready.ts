import { dateIn } from '../calendar.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { Fed, Reservation } from './circulation-view.ts'
import type { CirculationError } from './errors.ts'
import { type CirculationDeps, queueEventNotice } from './event-notices.ts'
import { reservationContextOf } from './notice-context.ts'
import { findLibrary, findReservation, inTransaction, reservationOf, updateReservation } from './queries.ts'

/**
 * A reserved item is ready for pickup until `pickupBy`: its "ready" notice is queued in the same
 * transaction. The same date again changes nothing; a new date (the library extends the hold)
 * updates it and sends a fresh notice with the new date. A cancelled or collected reservation
 * cannot be ready, and a pickup-by date before today is refused.
 */
export async function markReservationReady(
  deps: CirculationDeps,
  input: { libraryId: number; reservationId: string; pickupBy: string; actor: Actor },
): Promise<Result<Fed<Reservation>, CirculationError>> {
  const refused = checkPermission(input.actor, 'feedCirculation')
  if (refused) return err(refused)
  const { libraryId } = input

  return inTransaction<Fed<Reservation>, CirculationError>(deps.db, async (tx) => {
    const reservation = await findReservation(tx, { libraryId, externalId: input.reservationId, lock: true })
    if (!reservation) return err({ code: 'reservation_not_found', reservationId: input.reservationId } as const)
    if (reservation.status === 'cancelled' || reservation.status === 'collected') {
      return err({ code: 'state_conflict', resource: 'reservation', id: reservation.id, status: reservation.status, action: 'make_ready' } as const)
    }
    if (reservation.status === 'ready' && reservation.pickupBy === input.pickupBy)
      return ok({ result: 'unchanged', record: reservationOf(reservation), notice: null } as const)
    const now = deps.clock.now()
    const { timeZone } = await findLibrary(tx, libraryId)
    const today = dateIn(timeZone, now)
    if (input.pickupBy < today) {
      return err({
        code: 'invalid_field',
        field: 'pickupBy',
        message: `The pickup-by date ${input.pickupBy} has passed: today is ${today} in the library's time zone (${timeZone})`,
      } as const)
    }

    await updateReservation(tx, reservation.reservationId, { status: 'ready', pickup_by: input.pickupBy, ready_at: reservation.readyAt ?? now }, now)
    const ready = (await findReservation(tx, { libraryId, externalId: reservation.id }))!
    const notice = await queueEventNotice(tx, deps.renderer, {
      libraryId,
      scenario: 'reservation.ready',
      draft: {
        patronId: reservation.patronId,
        dedupeKey: `reservation.ready:${reservation.reservationId}:${input.pickupBy}`,
        context: { reservation: reservationContextOf(ready, timeZone) },
        reservationId: reservation.reservationId,
      },
    })
    return ok({ result: 'updated', record: reservationOf(ready), notice } as const)
  })
}
