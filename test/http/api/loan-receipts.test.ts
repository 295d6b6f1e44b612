import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { openTestDatabase } from '../../support/database.ts'
import { checkout, type GivenFeed, givenFeed } from './given-circulation.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

/** A pupil whose receipts reach their own address and a guardian's, but not their teacher's. */
async function givenPupil(lib: GivenFeed) {
  const pupil = await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva' })
  await lib.contact(pupil, { role: 'patron', address: 'ana@school.example', isPrimary: true })
  await lib.contact(pupil, { role: 'guardian', address: 'mum@example.org', addressee: 'Mrs Silva' })
  await lib.contact(pupil, { role: 'other', address: 'teacher@school.example' })
  return pupil
}

/** A checkout reported at `at` (UTC), as it happens at the desk. */
async function checkOutAt(lib: GivenFeed, at: string, id: string, title: string) {
  lib.clock.set(at)
  const answer = await lib.send('POST', '/api/v1/loans', checkout(id, 'asilva', { title, checkedOutAt: at }))
  return answer.json()
}

describe('one loan receipt for checkouts minutes apart', () => {
  test('three checkouts within five minutes give one receipt listing all three, sent when the window ends', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)

    const answers = [
      await checkOutAt(lib, '2026-03-10T09:00:00Z', 'L1', 'Matilda'),
      await checkOutAt(lib, '2026-03-10T09:02:00Z', 'L2', 'Holes'),
      await checkOutAt(lib, '2026-03-10T09:04:30Z', 'L3', 'Wonder'),
    ]

    expect(answers.map((answer) => answer.notice)).toEqual(Array(3).fill({ scenario: 'lending.loan_receipt', status: 'queued', reason: null }))
    expect(await lib.messages()).toEqual([
      expect.objectContaining({
        scenario: 'lending.loan_receipt',
        status: 'queued',
        to: ['to ana@school.example', 'to mum@example.org'],
        loans: ['L1', 'L2', 'L3'],
        text: [
          'Dear Mrs Silva',
          'Matilda by A. Author, due Tuesday 24 March 2026',
          'Holes by A. Author, due Tuesday 24 March 2026',
          'Wonder by A. Author, due Tuesday 24 March 2026',
        ].join('\n'),
        nextAttemptAt: new Date('2026-03-10T09:05:00Z'),
      }),
    ])
  })

  test('a checkout after the window gives a second receipt, listing it alone', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)

    await checkOutAt(lib, '2026-03-10T09:00:00Z', 'L1', 'Matilda')
    await checkOutAt(lib, '2026-03-10T09:04:59Z', 'L2', 'Holes')
    await checkOutAt(lib, '2026-03-10T09:05:00Z', 'L3', 'Wonder')

    expect((await lib.messages()).map((m) => [m.loans, m.nextAttemptAt.toISOString()])).toEqual([
      [['L1', 'L2'], '2026-03-10T09:05:00.000Z'],
      [['L3'], '2026-03-10T09:10:00.000Z'],
    ])
  })

  test('a receipt the dispatcher has already claimed is not added to: the next checkout starts another', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    await checkOutAt(lib, '2026-03-10T09:00:00Z', 'L1', 'Matilda')
    await handle.db.updateTable('messages').set({ status: 'sending', attempts: 1 }).where('library_id', '=', lib.id).execute()

    await checkOutAt(lib, '2026-03-10T09:01:00Z', 'L2', 'Holes')

    expect((await lib.messages()).map((m) => [m.status, m.loans])).toEqual([
      ['sending', ['L1']],
      ['queued', ['L2']],
    ])
  })

  test('checkouts of one patron at the same moment give one receipt listing them all', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)

    const answers = await Promise.all(['L1', 'L2', 'L3', 'L4'].map((id) => lib.send('POST', '/api/v1/loans', checkout(id, 'asilva'))))

    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201])
    expect((await lib.messages()).map((m) => m.loans)).toEqual([['L1', 'L2', 'L3', 'L4']])
  })

  test('each patron gets their own receipt', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    const ben = await lib.patron({ username: 'bchen' })
    await lib.contact(ben, { role: 'patron', address: 'ben@school.example' })

    await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva'))
    await lib.send('POST', '/api/v1/loans', checkout('L2', 'bchen'))

    expect((await lib.messages()).map((m) => [m.to, m.loans])).toEqual([
      [['to ana@school.example', 'to mum@example.org'], ['L1']],
      [['to ben@school.example'], ['L2']],
    ])
  })
})

describe('when a checkout gives no receipt', () => {
  test('with the loan receipt switched off, a checkout is recorded and queues nothing', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    await lib.switchScenario('lending.loan_receipt', false)

    const answer = await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva'))

    expect(await answer.json()).toMatchObject({ result: 'created', notice: { scenario: 'lending.loan_receipt', status: 'not_sent', reason: 'scenario_off' } })
    expect(await lib.messages()).toEqual([])
  })

  test('a checkout reported more than a day after it happened (a first load of open loans) gets no receipt', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)

    const old = await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva', { checkedOutAt: '2026-03-09T08:59:00Z' }))
    const recent = await lib.send('POST', '/api/v1/loans', checkout('L2', 'asilva', { checkedOutAt: '2026-03-09T09:00:00Z' }))

    expect((await old.json()).notice).toEqual({ scenario: 'lending.loan_receipt', status: 'not_sent', reason: 'late_report' })
    expect((await recent.json()).notice.status).toBe('queued')
    expect((await lib.messages()).map((m) => m.loans)).toEqual([['L2']])
  })

  test('a deactivated patron gets none; one with no contact gets one recorded as skipped, listing every loan', async () => {
    const lib = await givenFeed(handle)
    await lib.patron({ username: 'left', enabled: false })
    await lib.patron({ username: 'nocontact' })

    const left = await lib.send('POST', '/api/v1/loans', checkout('L1', 'left'))
    const skipped = await lib.send('POST', '/api/v1/loans', checkout('L2', 'nocontact'))
    await lib.send('POST', '/api/v1/loans', checkout('L3', 'nocontact'))

    expect((await left.json()).notice).toEqual({ scenario: 'lending.loan_receipt', status: 'not_sent', reason: 'inactive' })
    expect((await skipped.json()).notice).toEqual({ scenario: 'lending.loan_receipt', status: 'skipped', reason: 'no_contact' })
    expect((await lib.messages()).map((m) => [m.status, m.reason, m.loans])).toEqual([['skipped', 'no_contact', ['L2', 'L3']]])
  })
})
