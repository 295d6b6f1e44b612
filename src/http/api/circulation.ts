import { type Context, Hono } from 'hono'
import type { z } from 'zod'
import { cancelReservation } from '../../domain/circulation/cancel-reservation.ts'
import { checkOutLoan } from '../../domain/circulation/check-out-loan.ts'
import type { Fed, Loan, PurchaseOrder, Reservation, Supplier } from '../../domain/circulation/circulation-view.ts'
import { collectReservation } from '../../domain/circulation/collect-reservation.ts'
import type { CirculationError } from '../../domain/circulation/errors.ts'
import { getLoan } from '../../domain/circulation/get-loan.ts'
import { markLoanLost } from '../../domain/circulation/mark-loan-lost.ts'
import { markReservationReady } from '../../domain/circulation/mark-reservation-ready.ts'
import { placeOrder } from '../../domain/circulation/place-order.ts'
import { placeReservation } from '../../domain/circulation/place-reservation.ts'
import { recallLoan } from '../../domain/circulation/recall-loan.ts'
import { renewLoan } from '../../domain/circulation/renew-loan.ts'
import { requestPasswordReset } from '../../domain/circulation/request-password-reset.ts'
import { returnLoan } from '../../domain/circulation/return-loan.ts'
import { upsertSupplier } from '../../domain/circulation/upsert-supplier.ts'
import type { AppDeps } from '../../domain/deps.ts'
import { err, ok, type Result } from '../../domain/result.ts'
import { loadNoticeRenderer, type NoticeRenderer } from '../../domain/templates/render.ts'
import type { ApiEnv } from './authenticate.ts'
import { circulationProblem } from './circulation-problems.ts'
import {
  checkoutSchema,
  type LoanAnswer,
  noFieldsSchema,
  type OrderAnswer,
  orderSchema,
  passwordResetSchema,
  type ReservationAnswer,
  readySchema,
  recallSchema,
  renewalSchema,
  reservationSchema,
  type SupplierAnswer,
  supplierSchema,
} from './circulation-schemas.ts'
import { invalidBody, problemResponse } from './problems.ts'
import { readBody } from './read-body.ts'
import type { Problem } from './schemas.ts'

export type CirculationRouteDeps = Pick<AppDeps, 'db' | 'clock'> & { noticeRenderer?: NoticeRenderer }

/**
 * What the library system feeds: loans, reservations, suppliers, purchase orders and
 * password resets. Each is idempotent by the library system's id: 201 `created`, 200 `updated`,
 * or 200 `unchanged` when the call repeats what is known (and then queues nothing).
 */
export function circulationRoutes(deps: CirculationRouteDeps): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>()
  const feed = { db: deps.db, clock: deps.clock, renderer: deps.noticeRenderer ?? loadNoticeRenderer }

  routes.post('/loans', async (c) => {
    const body = await readBody(c, checkoutSchema)
    if (!body.ok) return problemResponse(body.error)
    const { libraryId, actor } = c.get('caller')
    return answer(c, await checkOutLoan(feed, { libraryId, loan: body.value, actor }), (fed) => ({ ...fedOf(fed), loan: renderLoan(fed.record) }))
  })

  routes.get('/loans/:id', async (c) => {
    const { libraryId, actor } = c.get('caller')
    const loan = await getLoan(deps, { libraryId, loanId: c.req.param('id'), actor })
    return loan.ok ? c.json(renderLoan(loan.value)) : problemResponse(circulationProblem(loan.error))
  })

  const loanAction = (
    path: string,
    act: (
      libraryId: number,
      loanId: string,
      body: Record<string, string | undefined>,
      caller: ApiEnv['Variables']['caller'],
    ) => Promise<Result<Fed<Loan>, CirculationError>>,
    schema: z.ZodType<Record<string, string | undefined>> = noFieldsSchema,
  ) =>
    routes.post(`/loans/:id/${path}`, async (c) => {
      const body = await readActionBody(c, schema)
      if (!body.ok) return problemResponse(body.error)
      const caller = c.get('caller')
      return answer(c, await act(caller.libraryId, c.req.param('id'), body.value, caller), (fed) => ({ ...fedOf(fed), loan: renderLoan(fed.record) }))
    })
  loanAction('renew', (libraryId, loanId, body, { actor }) => renewLoan(feed, { libraryId, loanId, dueDate: body.dueDate!, actor }), renewalSchema)
  loanAction('return', (libraryId, loanId, _, { actor }) => returnLoan(feed, { libraryId, loanId, actor }))
  loanAction('lost', (libraryId, loanId, _, { actor }) => markLoanLost(feed, { libraryId, loanId, actor }))
  loanAction(
    'recall',
    (libraryId, loanId, body, { actor }) => recallLoan(feed, { libraryId, loan: { externalId: loanId }, dueDate: body.dueDate, actor }),
    recallSchema,
  )

  routes.post('/reservations', async (c) => {
    const body = await readBody(c, reservationSchema)
    if (!body.ok) return problemResponse(body.error)
    const { libraryId, actor } = c.get('caller')
    return answer(c, await placeReservation(feed, { libraryId, reservation: body.value, actor }), (fed) => ({
      ...fedOf(fed),
      reservation: renderReservation(fed.record),
    }))
  })

  const reservationAction = (
    path: string,
    act: (
      libraryId: number,
      reservationId: string,
      body: Record<string, string | undefined>,
      caller: ApiEnv['Variables']['caller'],
    ) => Promise<Result<Fed<Reservation>, CirculationError>>,
    schema: z.ZodType<Record<string, string | undefined>> = noFieldsSchema,
  ) =>
    routes.post(`/reservations/:id/${path}`, async (c) => {
      const body = await readActionBody(c, schema)
      if (!body.ok) return problemResponse(body.error)
      const caller = c.get('caller')
      return answer(c, await act(caller.libraryId, c.req.param('id'), body.value, caller), (fed) => ({
        ...fedOf(fed),
        reservation: renderReservation(fed.record),
      }))
    })
  reservationAction(
    'ready',
    (libraryId, reservationId, body, { actor }) => markReservationReady(feed, { libraryId, reservationId, pickupBy: body.pickupBy!, actor }),
    readySchema,
  )
  reservationAction('cancel', (libraryId, reservationId, _, { actor }) => cancelReservation(feed, { libraryId, reservationId, actor }))
  reservationAction('collect', (libraryId, reservationId, _, { actor }) => collectReservation(feed, { libraryId, reservationId, actor }))

  routes.post('/suppliers', async (c) => {
    const body = await readBody(c, supplierSchema)
    if (!body.ok) return problemResponse(body.error)
    const { libraryId, actor } = c.get('caller')
    return answer(c, await upsertSupplier(feed, { libraryId, supplier: body.value, actor }), (fed) => ({ ...fedOf(fed), supplier: renderSupplier(fed.record) }))
  })

  routes.post('/orders', async (c) => {
    const body = await readBody(c, orderSchema)
    if (!body.ok) return problemResponse(body.error)
    const { libraryId, actor } = c.get('caller')
    const lines = body.value.lines.map(({ title, quantity, ...details }) => ({ title, quantity, details }))
    return answer(c, await placeOrder(feed, { libraryId, order: { ...body.value, lines }, actor }), (fed) => ({
      ...fedOf(fed),
      order: renderOrder(fed.record),
    }))
  })

  routes.post('/password-resets', async (c) => {
    const body = await readBody(c, passwordResetSchema)
    if (!body.ok) return problemResponse(body.error)
    const { libraryId, actor } = c.get('caller')
    return answer(c, await requestPasswordReset(feed, { libraryId, ...body.value, actor }), (fed) => fed)
  })

  return routes
}

/** 201 for a new id, 200 otherwise; a refusal as its problem. */
function answer<T extends { result: string }, Body>(c: Context<ApiEnv>, result: Result<T, CirculationError>, render: (value: T) => Body): Response {
  if (!result.ok) return problemResponse(circulationProblem(result.error))
  return c.json(render(result.value) as object, result.value.result === 'created' ? 201 : 200)
}

/**
 * The body of a state change (return, cancel…): it carries no field, or an optional one (a
 * recall's due date), so it may be left out, whatever Content-Type the client sets anyway; one
 * sent is read as JSON.
 */
async function readActionBody<Schema extends z.ZodType>(c: Context, schema: Schema): Promise<Result<z.output<Schema>, Problem>> {
  if ((await c.req.text()).trim() === '') return readBodyOf(schema, {})
  return readBody(c, schema)
}

function readBodyOf<Schema extends z.ZodType>(schema: Schema, value: unknown): Result<z.output<Schema>, Problem> {
  // An empty body is `{}`: it fails only where a field is required, as readBody words it.
  const parsed = schema.safeParse(value, { error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'Required' : undefined) })
  return parsed.success ? ok(parsed.data) : err(invalidBody(parsed.error.issues))
}

const fedOf = (fed: Fed<unknown>) => ({ result: fed.result, notice: fed.notice })

const iso = (instant: Date | null) => (instant === null ? null : instant.toISOString())

export function renderLoan(loan: Loan): LoanAnswer['loan'] {
  return { ...loan, checkedOutAt: loan.checkedOutAt.toISOString(), recalledAt: iso(loan.recalledAt), closedAt: iso(loan.closedAt) }
}

export function renderReservation(reservation: Reservation): ReservationAnswer['reservation'] {
  return { ...reservation, placedAt: reservation.placedAt.toISOString(), readyAt: iso(reservation.readyAt), closedAt: iso(reservation.closedAt) }
}

const renderSupplier = (supplier: Supplier): SupplierAnswer['supplier'] => ({ id: supplier.id, name: supplier.name, email: supplier.email })

function renderOrder(order: PurchaseOrder): OrderAnswer['order'] {
  return {
    id: order.id,
    supplierId: order.supplierId,
    placedAt: order.placedAt.toISOString(),
    lines: order.lines.map((line) => ({ ...line.details, title: line.title, quantity: line.quantity })),
  }
}
