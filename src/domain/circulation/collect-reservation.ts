import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { Fed, Reservation } from './circulation-view.ts'
import type { CirculationError } from './errors.ts'
import type { CirculationDeps } from './event-notices.ts'
import { findReservation, inTransaction, reservationOf, updateReservation } from './queries.ts'

/**
 * A reservation collected: it is neither expiring nor expired any more. Collecting it again
 * changes nothing; a cancelled reservation cannot be collected.
 */
export async function collectReservation(
  deps: Pick<CirculationDeps, 'db' | 'clock'>,
  input: { libraryId: number; reservationId: string; actor: Actor },
): Promise<Result<Fed<Reservation>, CirculationError>> {
  const refused = checkPermission(input.actor, 'feedCirculation')
  if (refused) return err(refused)
  const { libraryId } = input

  return inTransaction<Fed<Reservation>, CirculationError>(deps.db, async (tx) => {
    const reservation = await findReservation(tx, { libraryId, externalId: input.reservationId, lock: true })
    if (!reservation) return err({ code: 'reservation_not_found', reservationId: input.reservationId } as const)
    if (reservation.status === 'collected') return ok({ result: 'unchanged', record: reservationOf(reservation), notice: null } as const)
    if (reservation.status === 'cancelled') {
      return err({ code: 'state_conflict', resource: 'reservation', id: reservation.id, status: reservation.status, action: 'collect' } as const)
    }
    const now = deps.clock.now()
    await updateReservation(tx, reservation.reservationId, { status: 'collected', closed_at: now }, now)
    const collected = (await findReservation(tx, { libraryId, externalId: reservation.id }))!
    return ok({ result: 'updated', record: reservationOf(collected), notice: null } as const)
  })
}
