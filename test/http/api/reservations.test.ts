import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { openTestDatabase } from '../../support/database.ts'
import { pointersOf, problemOf } from './given-api.ts'
import { type GivenFeed, givenFeed } from './given-circulation.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const reservation = (id: string, username = 'asilva', fields: { item?: string; title?: string; placedAt?: string } = {}) => ({
  id,
  username,
  item: { id: fields.item ?? `item-${id}`, title: fields.title ?? 'The Hobbit', author: 'J. R. R. Tolkien', barcode: 'B-77' },
  placedAt: fields.placedAt ?? '2026-03-10T08:30:00Z',
})

async function givenPupil(lib: GivenFeed, username = 'asilva') {
  const pupil = await lib.patron({ username })
  await lib.contact(pupil, { role: 'patron', address: `${username}@school.example` })
  await lib.contact(pupil, { role: 'guardian', address: `mum.${username}@example.org`, bcc: 'yes' })
  return pupil
}

const noticesOf = async (lib: GivenFeed) => (await lib.messages()).map((m) => [m.scenario, m.status, m.to.join(', '), m.text.split('\n')[1]])

describe('POST /api/v1/reservations', () => {
  test("a reservation placed queues its 'requested' notice; the same call again is unchanged and queues nothing", async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)

    const placed = await lib.send('POST', '/api/v1/reservations', reservation('R1'))
    const again = await lib.send('POST', '/api/v1/reservations', reservation('R1'))

    expect([placed.status, again.status]).toEqual([201, 200])
    expect(await placed.json()).toEqual({
      result: 'created',
      reservation: {
        id: 'R1',
        username: 'asilva',
        item: { id: 'item-R1', title: 'The Hobbit', author: 'J. R. R. Tolkien', barcode: 'B-77' },
        placedAt: '2026-03-10T08:30:00.000Z',
        status: 'placed',
        pickupBy: null,
        readyAt: null,
        closedAt: null,
      },
      notice: { scenario: 'reservation.requested', status: 'queued', reason: null },
    })
    expect(await again.json()).toMatchObject({ result: 'unchanged', notice: null })
    // Placed at 19:30 in Sydney: the 10th there.
    expect(await noticesOf(lib)).toEqual([
      ['reservation.requested', 'queued', 'to asilva@school.example, bcc mum.asilva@example.org', 'The Hobbit, placed 2026-03-10, pick up by -'],
    ])
  })

  test('a new placing time updates it without a second notice; another patron or item under its id is a 409', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib, 'asilva')
    await givenPupil(lib, 'bchen')
    await lib.send('POST', '/api/v1/reservations', reservation('R1'))

    const moved = await lib.send('POST', '/api/v1/reservations', reservation('R1', 'asilva', { placedAt: '2026-03-10T08:31:00+00:00' }))
    const otherPatron = await problemOf(await lib.send('POST', '/api/v1/reservations', reservation('R1', 'bchen')), 409)
    const otherItem = await problemOf(await lib.send('POST', '/api/v1/reservations', reservation('R1', 'asilva', { item: 'I9' })), 409)

    expect(await moved.json()).toMatchObject({ result: 'updated', reservation: { placedAt: '2026-03-10T08:31:00.000Z' }, notice: null })
    expect([pointersOf(otherPatron), pointersOf(otherItem)]).toEqual([['/username'], ['/item/id']])
    expect((await lib.messages()).length).toBe(1)
  })

  test('an unknown username is a 422 naming it; a placing time without offset is a 422 naming placedAt', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)

    const unknown = await problemOf(await lib.send('POST', '/api/v1/reservations', reservation('R1', 'nobody')), 422)
    const badTime = await problemOf(await lib.send('POST', '/api/v1/reservations', reservation('R1', 'asilva', { placedAt: '2026-03-10' })), 422)

    expect(unknown.errors).toEqual([{ pointer: '/username', detail: 'No patron with username "nobody" in this library' }])
    expect(pointersOf(badTime)).toEqual(['/placedAt'])
    expect(await lib.messages()).toEqual([])
  })
})

describe('a reservation ready, cancelled, collected', () => {
  test('ready for pickup queues its notice with the pickup-by date; the same date again is unchanged; a new date sends a new notice', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    await lib.send('POST', '/api/v1/reservations', reservation('R1'))

    const ready = await lib.send('POST', '/api/v1/reservations/R1/ready', { pickupBy: '2026-03-17' })
    const again = await lib.send('POST', '/api/v1/reservations/R1/ready', { pickupBy: '2026-03-17' })
    const extended = await lib.send('POST', '/api/v1/reservations/R1/ready', { pickupBy: '2026-03-20' })

    expect(await ready.json()).toMatchObject({
      result: 'updated',
      reservation: { status: 'ready', pickupBy: '2026-03-17', readyAt: '2026-03-10T09:00:00.000Z' },
      notice: { scenario: 'reservation.ready', status: 'queued', reason: null },
    })
    expect(await again.json()).toMatchObject({ result: 'unchanged', notice: null })
    expect(await extended.json()).toMatchObject({ result: 'updated', reservation: { pickupBy: '2026-03-20', readyAt: '2026-03-10T09:00:00.000Z' } })
    expect((await noticesOf(lib)).map(([scenario, , , line]) => [scenario, line])).toEqual([
      ['reservation.requested', 'The Hobbit, placed 2026-03-10, pick up by -'],
      ['reservation.ready', 'The Hobbit, placed 2026-03-10, pick up by 2026-03-17'],
      ['reservation.ready', 'The Hobbit, placed 2026-03-10, pick up by 2026-03-20'],
    ])
  })

  test("a pickup-by date that has passed in the library's time zone, or is no date, is a 422 naming pickupBy", async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    await lib.send('POST', '/api/v1/reservations', reservation('R1'))

    // 20:00 on the 10th in Sydney (09:00 UTC): the 9th has passed there.
    const passed = await problemOf(await lib.send('POST', '/api/v1/reservations/R1/ready', { pickupBy: '2026-03-09' }), 422)
    const noDate = await problemOf(await lib.send('POST', '/api/v1/reservations/R1/ready', { pickupBy: 'Friday' }), 422)
    const missing = await problemOf(await lib.send('POST', '/api/v1/reservations/R1/ready', {}), 422)

    expect(passed.errors).toEqual([
      { pointer: '/pickupBy', detail: "The pickup-by date 2026-03-09 has passed: today is 2026-03-10 in the library's time zone (Australia/Sydney)" },
    ])
    expect([pointersOf(noDate), pointersOf(missing)]).toEqual([['/pickupBy'], ['/pickupBy']])
    expect((await lib.messages()).map((m) => m.scenario)).toEqual(['reservation.requested'])
  })

  test('a cancellation queues its notice; cancelling again is unchanged; a cancelled reservation cannot be ready or collected (409)', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    await lib.send('POST', '/api/v1/reservations', reservation('R1'))

    const cancelled = await lib.send('POST', '/api/v1/reservations/R1/cancel')
    const again = await lib.send('POST', '/api/v1/reservations/R1/cancel', {})
    const ready = await problemOf(await lib.send('POST', '/api/v1/reservations/R1/ready', { pickupBy: '2026-03-17' }), 409)
    const collected = await problemOf(await lib.send('POST', '/api/v1/reservations/R1/collect'), 409)

    expect(await cancelled.json()).toMatchObject({
      result: 'updated',
      reservation: { status: 'cancelled', closedAt: '2026-03-10T09:00:00.000Z' },
      notice: { scenario: 'reservation.cancelled', status: 'queued' },
    })
    expect(await again.json()).toMatchObject({ result: 'unchanged', notice: null })
    expect(ready.detail).toBe('Reservation "R1" is cancelled: it cannot be made ready for pickup. Nothing was changed')
    expect(collected.detail).toBe('Reservation "R1" is cancelled: it cannot be collected. Nothing was changed')
    expect((await lib.messages()).map((m) => m.scenario)).toEqual(['reservation.requested', 'reservation.cancelled'])
  })

  test('a collected reservation sends nothing; collecting again is unchanged; it cannot be cancelled (409)', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    await lib.send('POST', '/api/v1/reservations', reservation('R1'))
    await lib.send('POST', '/api/v1/reservations/R1/ready', { pickupBy: '2026-03-17' })

    const collected = await lib.send('POST', '/api/v1/reservations/R1/collect')
    const again = await lib.send('POST', '/api/v1/reservations/R1/collect')
    const cancel = await problemOf(await lib.send('POST', '/api/v1/reservations/R1/cancel'), 409)

    expect(await collected.json()).toMatchObject({ result: 'updated', reservation: { status: 'collected' }, notice: null })
    expect((await again.json()).result).toBe('unchanged')
    expect(cancel.type).toBe('urn:library-comms:problem:state-conflict')
    expect((await lib.messages()).map((m) => m.scenario)).toEqual(['reservation.requested', 'reservation.ready'])
  })

  test('an unknown reservation is a 404 naming it', async () => {
    const lib = await givenFeed(handle)

    for (const [path, body] of [
      ['ready', { pickupBy: '2026-03-17' }],
      ['cancel', undefined],
      ['collect', undefined],
    ] as const) {
      const problem = await problemOf(await lib.send('POST', `/api/v1/reservations/R404/${path}`, body), 404)
      expect(problem).toMatchObject({ type: 'urn:library-comms:problem:reservation-not-found', detail: 'No reservation "R404" in this library' })
    }
  })

  test('each reservation scenario switched off queues nothing, and the events are still recorded', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    for (const scenario of ['reservation.requested', 'reservation.ready', 'reservation.cancelled']) await lib.switchScenario(scenario, false)

    const answers = [
      await lib.send('POST', '/api/v1/reservations', reservation('R1')),
      await lib.send('POST', '/api/v1/reservations/R1/ready', { pickupBy: '2026-03-17' }),
      await lib.send('POST', '/api/v1/reservations/R1/cancel'),
    ]

    expect((await Promise.all(answers.map((answer) => answer.json()))).map((answer) => [answer.reservation.status, answer.notice.reason])).toEqual([
      ['placed', 'scenario_off'],
      ['ready', 'scenario_off'],
      ['cancelled', 'scenario_off'],
    ])
    expect(await lib.messages()).toEqual([])
  })

  test('a patron in a library group the scenario excludes gets no notice', async () => {
    const lib = await givenFeed(handle)
    const pupil = await lib.patron({ username: 'asilva', groups: ['Staff'] })
    await lib.contact(pupil, { role: 'patron', address: 'a@school.example' })
    await lib.exclude('reservation.requested', { groups: ['Staff'] })

    const placed = await lib.send('POST', '/api/v1/reservations', reservation('R1'))

    expect((await placed.json()).notice).toEqual({ scenario: 'reservation.requested', status: 'not_sent', reason: 'excluded' })
    expect(await lib.messages()).toEqual([])
  })
})
