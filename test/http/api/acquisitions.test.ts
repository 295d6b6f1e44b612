import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { openTestDatabase } from '../../support/database.ts'
import { pointersOf, problemOf } from './given-api.ts'
import { type GivenFeed, givenFeed } from './given-circulation.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const supplier = { id: 'S1', name: 'Booktopia Education', email: 'orders@booktopia.example' }

const order = {
  id: 'PO-2026-014',
  supplierId: 'S1',
  lines: [
    { title: 'Matilda', quantity: 3, author: 'Roald Dahl', isbn: '9780142410370', price: 12.99 },
    { title: 'Holes', quantity: 1 },
  ],
}

async function givenSupplier(lib: GivenFeed) {
  expect((await lib.send('POST', '/api/v1/suppliers', supplier)).status).toBe(201)
}

describe('POST /api/v1/suppliers', () => {
  test('a supplier is created, the same again is unchanged, a new address updates it', async () => {
    const lib = await givenFeed(handle)

    const created = await lib.send('POST', '/api/v1/suppliers', supplier)
    const again = await lib.send('POST', '/api/v1/suppliers', supplier)
    const moved = await lib.send('POST', '/api/v1/suppliers', { ...supplier, email: 'po@booktopia.example' })

    expect([created.status, again.status, moved.status]).toEqual([201, 200, 200])
    expect(await created.json()).toEqual({ result: 'created', supplier, notice: null })
    expect((await again.json()).result).toBe('unchanged')
    expect(await moved.json()).toEqual({ result: 'updated', supplier: { ...supplier, email: 'po@booktopia.example' }, notice: null })
  })

  test('an address that is not one, or a missing name, is a 422 naming the field', async () => {
    const lib = await givenFeed(handle)

    const problem = await problemOf(await lib.send('POST', '/api/v1/suppliers', { id: 'S1', email: 'orders at booktopia' }), 422)

    expect(problem.errors).toEqual([
      { pointer: '/name', detail: 'Required' },
      { pointer: '/email', detail: 'Give an email address' },
    ])
  })
})

describe('POST /api/v1/orders', () => {
  test("a purchase order is mailed to the supplier's address, listing its lines with their other fields", async () => {
    const lib = await givenFeed(handle)
    await givenSupplier(lib)

    const placed = await lib.send('POST', '/api/v1/orders', order)

    expect(placed.status).toBe(201)
    expect(await placed.json()).toEqual({
      result: 'created',
      order: { ...order, placedAt: '2026-03-10T09:00:00.000Z' },
      notice: { scenario: 'acquisitions.order', status: 'queued', reason: null },
    })
    expect(await lib.messages()).toEqual([
      expect.objectContaining({
        scenario: 'acquisitions.order',
        status: 'queued',
        to: ['to orders@booktopia.example'],
        subject: 'acquisitions.order for Booktopia Education',
        text: [
          'Dear Booktopia Education',
          'Order PO-2026-014 of Tuesday 10 March 2026 for Booktopia Education',
          '1. 3 x Matilda (ISBN 9780142410370)',
          '2. 1 x Holes',
        ].join('\n'),
      }),
    ])
    const logged = await handle.db
      .selectFrom('messages')
      .where('library_id', '=', lib.id)
      .select(['patron_id', 'supplier_id', 'order_id'])
      .executeTakeFirstOrThrow()
    expect(logged).toMatchObject({ patron_id: null, supplier_id: expect.any(Number), order_id: expect.any(Number) })
  })

  test('the same order again is unchanged and mails nothing; other lines or another supplier under its id are a 409', async () => {
    const lib = await givenFeed(handle)
    await givenSupplier(lib)
    await lib.send('POST', '/api/v1/suppliers', { ...supplier, id: 'S2' })
    await lib.send('POST', '/api/v1/orders', order)

    const again = await lib.send('POST', '/api/v1/orders', order)
    const otherLines = await problemOf(await lib.send('POST', '/api/v1/orders', { ...order, lines: [{ title: 'Matilda', quantity: 4 }] }), 409)
    const otherSupplier = await problemOf(await lib.send('POST', '/api/v1/orders', { ...order, supplierId: 'S2' }), 409)

    expect(await again.json()).toMatchObject({ result: 'unchanged', notice: null })
    expect(otherLines.errors).toEqual([
      { pointer: '/lines', detail: 'Order "PO-2026-014" was placed with other lines; a placed order cannot change: send a new order id' },
    ])
    expect(pointersOf(otherSupplier)).toEqual(['/supplierId'])
    expect((await lib.messages()).length).toBe(1)
  })

  test('an unknown supplier is a 422 naming supplierId, and nothing is placed', async () => {
    const lib = await givenFeed(handle)

    const problem = await problemOf(await lib.send('POST', '/api/v1/orders', order), 422)

    expect(problem).toMatchObject({ type: 'urn:library-comms:problem:unknown-supplier' })
    expect(problem.errors).toEqual([{ pointer: '/supplierId', detail: 'No supplier "S1" in this library' }])
    expect(await handle.db.selectFrom('purchase_orders').where('library_id', '=', lib.id).select('id').execute()).toEqual([])
  })

  test('a line without quantity, with a field a template cannot name, or an order without lines, is a 422 naming it', async () => {
    const lib = await givenFeed(handle)
    await givenSupplier(lib)

    const badLines = await problemOf(
      await lib.send('POST', '/api/v1/orders', {
        ...order,
        lines: [
          { title: 'Matilda', quantity: 0 },
          { title: 'Holes', 'unit price': 3, quantity: 1 },
        ],
      }),
      422,
    )
    const noLines = await problemOf(await lib.send('POST', '/api/v1/orders', { ...order, lines: [] }), 422)

    expect(pointersOf(badLines)).toEqual(['/lines/0/quantity', '/lines/1/unit price'])
    expect(pointersOf(noLines)).toEqual(['/lines'])
  })

  test('with purchase orders switched off, the order is placed and nothing is mailed', async () => {
    const lib = await givenFeed(handle)
    await givenSupplier(lib)
    await lib.switchScenario('acquisitions.order', false)

    const placed = await lib.send('POST', '/api/v1/orders', order)

    expect(await placed.json()).toMatchObject({ result: 'created', notice: { scenario: 'acquisitions.order', status: 'not_sent', reason: 'scenario_off' } })
    expect(await lib.messages()).toEqual([])
  })

  test('a template that fails to render is recorded as skipped, never silently dropped', async () => {
    const lib = await givenFeed(handle, {
      noticeRenderer: async () => () => {
        throw new Error('unknown filter')
      },
    })
    await givenSupplier(lib)

    const placed = await lib.send('POST', '/api/v1/orders', order)

    expect((await placed.json()).notice).toEqual({ scenario: 'acquisitions.order', status: 'skipped', reason: 'template_error' })
    expect((await lib.messages()).map((m) => [m.status, m.reason, m.to])).toEqual([['skipped', 'template_error', ['to orders@booktopia.example']]])
  })
})
