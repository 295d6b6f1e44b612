import type { Db } from '../../db/database.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { Change, Fed, ItemInput, Reservation } from './circulation-view.ts'
import type { CirculationError } from './errors.ts'
import { type CirculationDeps, queueEventNotice } from './event-notices.ts'
import { reservationContextOf } from './notice-context.ts'
import {
  findLibrary,
  findPatronId,
  findReservation,
  insertReservation,
  inTransaction,
  itemDiffers,
  type ReservationRow,
  reservationOf,
  updateReservation,
  upsertItem,
} from './queries.ts'

export type ReservationInput = { id: string; username: string; item: ItemInput; placedAt: Date }

/**
 * Records a reservation the library system reports, by its id, and queues its "requested" notice
 * in the same transaction. The same call again changes nothing; a new placing time or item title
 * updates it; the id sent for another patron or item is a conflict.
 */
export async function placeReservation(
  deps: CirculationDeps,
  input: { libraryId: number; reservation: ReservationInput; actor: Actor },
): Promise<Result<Fed<Reservation>, CirculationError>> {
  const refused = checkPermission(input.actor, 'feedCirculation')
  if (refused) return err(refused)
  const { libraryId, reservation } = input

  return inTransaction<Fed<Reservation>, CirculationError>(deps.db, async (tx) => {
    const patron = await findPatronId(tx, { libraryId, username: reservation.username })
    if (!patron) return err({ code: 'patron_not_found', field: 'username', username: reservation.username } as const)
    const stored = await findReservation(tx, { libraryId, externalId: reservation.id, lock: true })
    if (stored) return updatePlaced(tx, deps, { libraryId, stored, patronId: patron.id, reservation })

    const now = deps.clock.now()
    const item = await upsertItem(tx, { libraryId, item: reservation.item })
    const reservationId = await insertReservation(tx, {
      libraryId,
      externalId: reservation.id,
      patronId: patron.id,
      itemId: item.id,
      placedAt: reservation.placedAt,
      now,
    })
    if (reservationId === undefined) {
      // Another call wrote this id first: this one is a repeat, or an update, of it.
      const first = (await findReservation(tx, { libraryId, externalId: reservation.id, lock: true }))!
      return updatePlaced(tx, deps, { libraryId, stored: first, patronId: patron.id, reservation })
    }
    const placed = (await findReservation(tx, { libraryId, externalId: reservation.id }))!
    const { timeZone } = await findLibrary(tx, libraryId)
    const notice = await queueEventNotice(tx, deps.renderer, {
      libraryId,
      scenario: 'reservation.requested',
      draft: {
        patronId: patron.id,
        dedupeKey: `reservation.requested:${reservationId}`,
        context: { reservation: reservationContextOf(placed, timeZone) },
        reservationId,
      },
    })
    return ok({ result: 'created' as Change, record: reservationOf(placed), notice })
  })
}

async function updatePlaced(
  tx: Db,
  deps: Pick<CirculationDeps, 'clock'>,
  input: { libraryId: number; stored: ReservationRow; patronId: number; reservation: ReservationInput },
): Promise<Result<Fed<Reservation>, CirculationError>> {
  const { stored, reservation } = input
  if (stored.patronId !== input.patronId) {
    return err({
      code: 'id_conflict',
      resource: 'reservation',
      id: reservation.id,
      field: 'username',
      message: `Reservation "${reservation.id}" is already a reservation of patron "${stored.username}"; a new reservation needs a new id`,
    })
  }
  if (stored.item.id !== reservation.item.id) {
    return err({
      code: 'id_conflict',
      resource: 'reservation',
      id: reservation.id,
      field: 'item.id',
      message: `Reservation "${reservation.id}" is already a reservation of item "${stored.item.id}"; a new reservation needs a new id`,
    })
  }
  const placedAtChanged = stored.placedAt.getTime() !== reservation.placedAt.getTime()
  if (!placedAtChanged && !itemDiffers(stored.item, reservation.item)) return ok({ result: 'unchanged', record: reservationOf(stored), notice: null })
  await upsertItem(tx, { libraryId: input.libraryId, item: reservation.item })
  if (placedAtChanged) await updateReservation(tx, stored.reservationId, { placed_at: reservation.placedAt }, deps.clock.now())
  const updated = (await findReservation(tx, { libraryId: input.libraryId, externalId: reservation.id }))!
  return ok({ result: 'updated', record: reservationOf(updated), notice: null })
}
