import { isDeepStrictEqual } from 'node:util'
import type { Db } from '../../db/database.ts'
import { dateIn, dateText } from '../calendar.ts'
import { type NewMessage, queueMessages } from '../notices/outbox.ts'
import { err, ok, type Result } from '../result.ts'
import type { ScenarioName } from '../scenarios/catalogue.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { NoticeContext } from '../templates/context.ts'
import type { Change, Fed, NoticeOutcome, OrderLine, PurchaseOrder } from './circulation-view.ts'
import type { CirculationError } from './errors.ts'
import { type CirculationDeps, isScenarioOn, outcomeOf } from './event-notices.ts'
import { findLibrary, findOrder, findSupplier, insertOrder, inTransaction, type OrderRow, type SupplierRow } from './queries.ts'

export type OrderInput = { id: string; supplierId: string; lines: OrderLine[] }

/**
 * Places a purchase order with a supplier: the order email goes to the supplier's address (seed
 * 001: acquisitions reach the supplier, no patron), queued in the same transaction. An order once
 * placed has been mailed: the same order again changes nothing, and other lines or another
 * supplier under its id are a conflict, never an update.
 */
export async function placeOrder(
  deps: CirculationDeps,
  input: { libraryId: number; order: OrderInput; actor: Actor },
): Promise<Result<Fed<PurchaseOrder>, CirculationError>> {
  const refused = checkPermission(input.actor, 'feedCirculation')
  if (refused) return err(refused)
  const { libraryId, order } = input

  return inTransaction<Fed<PurchaseOrder>, CirculationError>(deps.db, async (tx) => {
    const supplier = await findSupplier(tx, { libraryId, externalId: order.supplierId })
    if (!supplier) return err({ code: 'supplier_not_found', field: 'supplierId', supplierId: order.supplierId } as const)
    const stored = await findOrder(tx, { libraryId, externalId: order.id })
    if (stored) return sameOrder(stored, order)

    const now = deps.clock.now()
    const orderId = await insertOrder(tx, { libraryId, externalId: order.id, supplierId: supplier.supplierId, lines: order.lines, now })
    // Another call wrote this id first: this one is a repeat of it, or a conflict.
    if (orderId === undefined) return sameOrder((await findOrder(tx, { libraryId, externalId: order.id }))!, order)
    const placed = (await findOrder(tx, { libraryId, externalId: order.id }))!
    const notice = await queueOrderEmail(tx, deps, { libraryId, supplier, order: placed })
    return ok({ result: 'created' as Change, record: orderOf(placed), notice })
  })
}

function sameOrder(stored: OrderRow, order: OrderInput): Result<Fed<PurchaseOrder>, CirculationError> {
  const conflict = (field: 'supplierId' | 'lines', what: string) =>
    err({
      code: 'id_conflict',
      resource: 'order',
      id: order.id,
      field,
      message: `Order "${order.id}" was placed ${what}; a placed order cannot change: send a new order id`,
    } as const)
  if (stored.supplierId !== order.supplierId) return conflict('supplierId', `with supplier "${stored.supplierId}"`)
  if (!isDeepStrictEqual(stored.lines, order.lines)) return conflict('lines', 'with other lines')
  return ok({ result: 'unchanged', record: orderOf(stored), notice: null })
}

const orderOf = (row: OrderRow): PurchaseOrder => ({ id: row.id, supplierId: row.supplierId, placedAt: row.placedAt, lines: row.lines })

/** The order email, composed here: its one recipient is the supplier, not a patron's contact. */
async function queueOrderEmail(
  tx: Db,
  deps: Pick<CirculationDeps, 'renderer'>,
  input: { libraryId: number; supplier: SupplierRow; order: OrderRow },
): Promise<NoticeOutcome> {
  const scenario: ScenarioName = 'acquisitions.order'
  if (!(await isScenarioOn(tx, input.libraryId, scenario))) return { scenario, status: 'not_sent', reason: 'scenario_off' }
  const library = await findLibrary(tx, input.libraryId)
  const placedOn = dateIn(library.timeZone, input.order.placedAt)
  const context: NoticeContext = {
    library: { name: library.name },
    addressee: input.supplier.name,
    order: {
      number: input.order.id,
      placed_on: placedOn,
      placed_on_text: dateText(placedOn),
      supplier: { name: input.supplier.name },
      // The line's own fields last: an extra field never hides its title or quantity.
      lines: input.order.lines.map((line, index) => ({ ...line.details, line_no: index + 1, title: line.title, quantity: line.quantity })),
    },
  }
  const base = {
    libraryId: input.libraryId,
    scenario,
    dedupeKey: `${scenario}:${input.order.orderId}`,
    supplierId: input.supplier.supplierId,
    orderId: input.order.orderId,
    recipients: [{ kind: 'to' as const, address: input.supplier.email }],
  }
  let message: NewMessage
  try {
    const render = await deps.renderer(tx, input.libraryId)
    message = { ...base, ...render(scenario, context), status: 'queued' }
  } catch {
    message = { ...base, subject: '', html: '', text: '', status: 'skipped', reason: 'template_error' }
  }
  await queueMessages(tx, [message])
  return outcomeOf(message)
}
