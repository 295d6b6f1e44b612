import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { openTestDatabase } from '../../support/database.ts'
import { pointersOf, problemOf } from './given-api.ts'
import { checkout, type GivenFeed, givenFeed } from './given-circulation.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

async function loansOf(lib: GivenFeed) {
  return handle.db
    .selectFrom('loans')
    .innerJoin('items', 'items.id', 'loans.item_id')
    .where('loans.library_id', '=', lib.id)
    .select(['loans.external_id as id', 'items.title', 'loans.due_date as dueDate', 'loans.status'])
    .orderBy('loans.external_id')
    .execute()
}

/** A pupil with their own address and a guardian's, who may receive every circulation notice. */
async function givenPupil(lib: GivenFeed, username = 'asilva') {
  const pupil = await lib.patron({ username, firstName: 'Ana', lastName: 'Silva' })
  await lib.contact(pupil, { role: 'patron', address: `${username}@school.example`, isPrimary: true })
  await lib.contact(pupil, { role: 'guardian', address: `mum.${username}@example.org`, addressee: 'Mrs Silva' })
  return pupil
}

describe('POST /api/v1/loans', () => {
  test('a checkout is created (201); the same call again is unchanged (200) and queues nothing; a new due date updates it', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)

    const created = await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva', { title: 'Matilda' }))
    const again = await lib.send('POST', '/api/v1/loans', checkout('L1', 'ASILVA', { title: 'Matilda' }))
    const updated = await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva', { title: 'Matilda', dueDate: '2026-03-31' }))

    expect([created.status, again.status, updated.status]).toEqual([201, 200, 200])
    expect(await created.json()).toEqual({
      result: 'created',
      loan: {
        id: 'L1',
        username: 'asilva',
        academicLevel: null,
        item: { id: 'item-L1', title: 'Matilda', author: 'A. Author', barcode: 'B-L1' },
        checkedOutAt: '2026-03-10T08:55:00.000Z',
        dueDate: '2026-03-24',
        status: 'open',
        recalledAt: null,
        closedAt: null,
      },
      notice: { scenario: 'lending.loan_receipt', status: 'queued', reason: null },
    })
    expect(await again.json()).toMatchObject({ result: 'unchanged', notice: null })
    expect(await updated.json()).toMatchObject({ result: 'updated', loan: { dueDate: '2026-03-31' }, notice: null })
    expect(await loansOf(lib)).toEqual([{ id: 'L1', title: 'Matilda', dueDate: '2026-03-31', status: 'open' }])
    expect((await lib.messages()).map((m) => [m.scenario, m.loans])).toEqual([['lending.loan_receipt', ['L1']]])
  })

  test("a new title for the item updates it; an author left out keeps the item's", async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva', { title: 'Matilda' }))
    const { author, ...item } = checkout('L1', 'asilva', { title: 'Matilda (2nd ed.)' }).item

    const answer = await lib.send('POST', '/api/v1/loans', { ...checkout('L1', 'asilva'), item })

    expect(await answer.json()).toMatchObject({ result: 'updated', loan: { item: { title: 'Matilda (2nd ed.)', author: 'A. Author' } } })
  })

  test('an id sent as a number is the same id as the string', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)

    const first = await lib.send('POST', '/api/v1/loans', { ...checkout('1', 'asilva'), id: 1001, item: { id: 77, title: 'Holes' } })
    const again = await lib.send('POST', '/api/v1/loans', { ...checkout('1', 'asilva'), id: '1001', item: { id: '77', title: 'Holes' } })

    expect([first.status, (await again.json()).result]).toEqual([201, 'unchanged'])
  })

  test('the same loan id for another patron or another item is a 409 naming the field, and changes nothing', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib, 'asilva')
    await givenPupil(lib, 'bchen')
    await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva', { item: 'I1' }))

    const otherPatron = await problemOf(await lib.send('POST', '/api/v1/loans', checkout('L1', 'bchen', { item: 'I1', dueDate: '2026-04-01' })), 409)
    const otherItem = await problemOf(await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva', { item: 'I2', title: 'Other' })), 409)

    expect(otherPatron).toMatchObject({ type: 'urn:library-comms:problem:id-conflict' })
    expect(otherPatron.errors).toEqual([
      { pointer: '/username', detail: 'Loan "L1" is already the loan of patron "asilva"; a new checkout needs a new loan id' },
    ])
    expect(pointersOf(otherItem)).toEqual(['/item/id'])
    expect(await loansOf(lib)).toEqual([{ id: 'L1', title: 'Book L1', dueDate: '2026-03-24', status: 'open' }])
    const items = await handle.db.selectFrom('items').where('library_id', '=', lib.id).select('external_id').execute()
    expect(items).toEqual([{ external_id: 'I1' }])
  })

  test('an unknown username is a 422 naming it, and nothing is recorded', async () => {
    const lib = await givenFeed(handle)

    const problem = await problemOf(await lib.send('POST', '/api/v1/loans', checkout('L1', 'nobody')), 422)

    expect(problem).toMatchObject({ type: 'urn:library-comms:problem:unknown-patron' })
    expect(problem.errors).toEqual([{ pointer: '/username', detail: 'No patron with username "nobody" in this library' }])
    expect(await loansOf(lib)).toEqual([])
    expect(await handle.db.selectFrom('items').where('library_id', '=', lib.id).select('id').execute()).toEqual([])
  })

  test.each([
    ['a due date that is no date', { dueDate: '2026-02-30' }, '/dueDate', 'Give dueDate as a date such as 2026-03-24'],
    ['a due date in another format', { dueDate: '24/03/2026' }, '/dueDate', 'Give dueDate as a date such as 2026-03-24'],
    [
      'a checkout time without its offset',
      { checkedOutAt: '2026-03-10T19:55:00' },
      '/checkedOutAt',
      'Give checkedOutAt as an instant with its offset, such as 2026-03-10T09:15:00+11:00',
    ],
  ])('%s is a 422 naming the field', async (_, fields, pointer, detail) => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)

    const problem = await problemOf(await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva', fields)), 422)

    expect(problem.errors).toEqual([{ pointer, detail }])
    expect(await loansOf(lib)).toEqual([])
  })

  test("a due date before the checkout's day in the library's time zone is a 422 on dueDate", async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    // 14:00 UTC on the 9th is 01:00 on the 10th in Sydney: the 9th is before the checkout there.
    const early = checkout('L1', 'asilva', { checkedOutAt: '2026-03-09T14:00:00Z', dueDate: '2026-03-09' })

    const problem = await problemOf(await lib.send('POST', '/api/v1/loans', early), 422)
    const sameDay = await lib.send('POST', '/api/v1/loans', { ...early, dueDate: '2026-03-10' })

    expect(problem.errors).toEqual([
      { pointer: '/dueDate', detail: "The due date 2026-03-09 is before the checkout, on 2026-03-10 in the library's time zone (Australia/Sydney)" },
    ])
    expect(sameDay.status).toBe(201)
  })

  test('an unknown field, or a missing one, is a 422 naming it', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    const { dueDate, ...withoutDueDate } = checkout('L1', 'asilva')

    const problem = await problemOf(await lib.send('POST', '/api/v1/loans', { ...withoutDueDate, due: '2026-03-24' }), 422)

    expect(pointersOf(problem).sort()).toEqual(['/due', '/dueDate'])
  })
})

describe('renewals, returns and lost loans', () => {
  test('a renewal sets the new due date; the same again is unchanged; a returned loan cannot be renewed (409)', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva'))

    const renewed = await lib.send('POST', '/api/v1/loans/L1/renew', { dueDate: '2026-04-07' })
    const again = await lib.send('POST', '/api/v1/loans/L1/renew', { dueDate: '2026-04-07' })
    await lib.send('POST', '/api/v1/loans/L1/return')
    const afterReturn = await problemOf(await lib.send('POST', '/api/v1/loans/L1/renew', { dueDate: '2026-04-14' }), 409)

    expect([renewed.status, again.status]).toEqual([200, 200])
    expect(await renewed.json()).toMatchObject({ result: 'updated', loan: { dueDate: '2026-04-07' }, notice: null })
    expect((await again.json()).result).toBe('unchanged')
    expect(afterReturn).toMatchObject({
      type: 'urn:library-comms:problem:state-conflict',
      detail: 'Loan "L1" is returned: it cannot be renewed. Nothing was changed',
    })
    expect(await loansOf(lib)).toEqual([{ id: 'L1', title: 'Book L1', dueDate: '2026-04-07', status: 'returned' }])
  })

  test('a renewal without a due date, or with a bad one, is a 422 naming dueDate; an unknown loan is a 404', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva'))

    const missing = await problemOf(await lib.send('POST', '/api/v1/loans/L1/renew'), 422)
    const bad = await problemOf(await lib.send('POST', '/api/v1/loans/L1/renew', { dueDate: 'next week' }), 422)
    const beforeCheckout = await problemOf(await lib.send('POST', '/api/v1/loans/L1/renew', { dueDate: '2026-03-01' }), 422)
    const unknown = await problemOf(await lib.send('POST', '/api/v1/loans/L404/renew', { dueDate: '2026-04-07' }), 404)

    expect([missing, bad, beforeCheckout].map(pointersOf)).toEqual([['/dueDate'], ['/dueDate'], ['/dueDate']])
    expect(missing.errors?.[0].detail).toBe('Give dueDate as a date such as 2026-03-24')
    expect(unknown).toMatchObject({ type: 'urn:library-comms:problem:loan-not-found', detail: 'No loan "L404" in this library' })
  })

  test('a return closes the loan; returning it again is unchanged; a lost loan found and returned is returned', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva'))
    await lib.send('POST', '/api/v1/loans', checkout('L2', 'asilva'))

    const returned = await lib.send('POST', '/api/v1/loans/L1/return', {})
    // Some clients say JSON and send nothing.
    const again = await lib.send('POST', '/api/v1/loans/L1/return', undefined, { 'content-type': 'application/json' })
    const lost = await lib.send('POST', '/api/v1/loans/L2/lost')
    const found = await lib.send('POST', '/api/v1/loans/L2/return')

    expect(await returned.json()).toMatchObject({ result: 'updated', loan: { status: 'returned', closedAt: '2026-03-10T09:00:00.000Z' } })
    expect([again.status, (await again.json()).result]).toEqual([200, 'unchanged'])
    expect((await lost.json()).loan.status).toBe('lost')
    expect(await found.json()).toMatchObject({ result: 'updated', loan: { status: 'returned' } })
  })

  test('marking a loan lost again is unchanged; a returned loan cannot be lost (409); a body with a field is a 422', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva'))
    await lib.send('POST', '/api/v1/loans', checkout('L2', 'asilva'))
    await lib.send('POST', '/api/v1/loans/L2/return')

    const lost = await lib.send('POST', '/api/v1/loans/L1/lost')
    const again = await lib.send('POST', '/api/v1/loans/L1/lost')
    const returnedLost = await problemOf(await lib.send('POST', '/api/v1/loans/L2/lost'), 409)
    const withField = await problemOf(await lib.send('POST', '/api/v1/loans/L1/lost', { at: 'now' }), 422)
    const unknown = await problemOf(await lib.send('POST', '/api/v1/loans/L404/lost'), 404)

    expect([(await lost.json()).result, (await again.json()).result]).toEqual(['updated', 'unchanged'])
    expect(returnedLost.detail).toBe('Loan "L2" is returned: it cannot be marked lost. Nothing was changed')
    expect(pointersOf(withField)).toEqual(['/at'])
    expect(unknown.detail).toBe('No loan "L404" in this library')
  })
})

describe('POST /api/v1/loans/{id}/recall', () => {
  test('queues one recall notice at once, to every contact who may receive it, listing the loan; audited as the key', async () => {
    const lib = await givenFeed(handle)
    const pupil = await givenPupil(lib)
    await lib.contact(pupil, { role: 'other', address: 'teacher@school.example' })
    await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva', { title: 'Matilda' }))

    const recalled = await lib.send('POST', '/api/v1/loans/L1/recall', { dueDate: '2026-03-13' })

    expect(recalled.status).toBe(200)
    expect(await recalled.json()).toMatchObject({
      result: 'updated',
      loan: { dueDate: '2026-03-13', recalledAt: '2026-03-10T09:00:00.000Z' },
      notice: { scenario: 'circulation.recall', status: 'queued', reason: null },
    })
    const recalls = (await lib.messages()).filter((m) => m.scenario === 'circulation.recall')
    expect(recalls).toEqual([
      expect.objectContaining({
        status: 'queued',
        to: ['to asilva@school.example', 'to mum.asilva@example.org', 'to teacher@school.example'],
        loans: ['L1'],
        text: 'Dear Mrs Silva\nMatilda by A. Author, due Friday 13 March 2026',
        requestedBy: lib.actor,
      }),
    ])
    const audit = (await lib.auditActions()).filter((entry) => entry.action.startsWith('loan.'))
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'loan.recalled',
        actor: lib.actor,
        before: { dueDate: '2026-03-24', recalledAt: null },
        after: { dueDate: '2026-03-13', recalledAt: '2026-03-10T09:00:00.000Z' },
      }),
    ])
  })

  test('a second recall is unchanged and queues nothing; after a renewal ends the recall, a new recall sends a new notice', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva'))

    await lib.send('POST', '/api/v1/loans/L1/recall')
    const again = await lib.send('POST', '/api/v1/loans/L1/recall')
    const otherDate = await problemOf(await lib.send('POST', '/api/v1/loans/L1/recall', { dueDate: '2026-03-12' }), 409)
    await lib.send('POST', '/api/v1/loans/L1/renew', { dueDate: '2026-04-07' })
    lib.clock.set('2026-03-20T01:00:00Z')
    const later = await lib.send('POST', '/api/v1/loans/L1/recall')

    expect(await again.json()).toMatchObject({ result: 'unchanged', notice: null })
    expect(otherDate.detail).toBe('Loan "L1" is recalled: it cannot be recalled again to another due date (renew it first). Nothing was changed')
    expect((await later.json()).notice).toMatchObject({ status: 'queued' })
    expect((await lib.messages()).filter((m) => m.scenario === 'circulation.recall')).toHaveLength(2)
    expect((await lib.auditActions()).filter((entry) => entry.action === 'loan.recalled')).toHaveLength(2)
  })

  test('a returned loan cannot be recalled (409), an unknown loan is a 404, and neither queues anything', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva'))
    await lib.send('POST', '/api/v1/loans/L1/return')

    const returned = await problemOf(await lib.send('POST', '/api/v1/loans/L1/recall'), 409)
    await problemOf(await lib.send('POST', '/api/v1/loans/L404/recall'), 404)

    expect(returned.detail).toBe('Loan "L1" is returned: it cannot be recalled. Nothing was changed')
    expect((await lib.messages()).map((m) => m.scenario)).toEqual(['lending.loan_receipt'])
  })

  test('with the recall scenario switched off, the loan is recalled and no notice is queued', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva'))
    await lib.switchScenario('circulation.recall', false)

    const recalled = await lib.send('POST', '/api/v1/loans/L1/recall')

    expect(await recalled.json()).toMatchObject({ result: 'updated', notice: { scenario: 'circulation.recall', status: 'not_sent', reason: 'scenario_off' } })
    expect((await lib.messages()).map((m) => m.scenario)).toEqual(['lending.loan_receipt'])
  })
})

describe('an event and its notice commit together', () => {
  // The database refuses this library's messages, after the event's own row is written.
  async function failingMessages(lib: GivenFeed) {
    await sql
      .raw(`
        create or replace function refuse_messages() returns trigger language plpgsql as $$
        begin
          if new.library_id = ${lib.id} then raise exception 'the outbox is full'; end if;
          return new;
        end $$`)
      .execute(handle.db)
    await sql.raw('create trigger refuse_messages before insert on messages for each row execute function refuse_messages()').execute(handle.db)
    return async () => {
      await sql.raw('drop trigger refuse_messages on messages').execute(handle.db)
      await sql.raw('drop function refuse_messages()').execute(handle.db)
    }
  }

  test('a checkout whose receipt cannot be queued is not recorded either (500)', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    const restore = await failingMessages(lib)
    try {
      const failed = await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva'))
      expect(failed.status).toBe(500)
    } finally {
      await restore()
    }
    expect(await loansOf(lib)).toEqual([])
    expect(await lib.messages()).toEqual([])

    // Sent again, it is a new checkout, with its receipt.
    expect((await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva'))).status).toBe(201)
    expect((await lib.messages()).map((m) => m.loans)).toEqual([['L1']])
  })

  test('a recall whose notice cannot be queued leaves the loan unrecalled and unaudited', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva'))
    const restore = await failingMessages(lib)
    try {
      expect((await lib.send('POST', '/api/v1/loans/L1/recall')).status).toBe(500)
    } finally {
      await restore()
    }

    const loan = await handle.db.selectFrom('loans').where('library_id', '=', lib.id).select(['recalled_at', 'due_date']).executeTakeFirstOrThrow()
    expect(loan).toEqual({ recalled_at: null, due_date: '2026-03-24' })
    expect((await lib.auditActions()).filter((entry) => entry.action === 'loan.recalled')).toEqual([])
    expect((await lib.messages()).map((m) => m.scenario)).toEqual(['lending.loan_receipt'])
  })
})

describe('GET /api/v1/loans/{id}', () => {
  test("the library system reads a loan back with its patron's username and academic level", async () => {
    const lib = await givenFeed(handle)
    const pupil = await lib.patron({ username: 'asilva', level: 'Year 9' })
    await lib.loan(pupil, { externalId: 'L7', dueDate: '2026-03-24', title: 'Holes', barcode: 'B-7' })

    const response = await lib.send('GET', '/api/v1/loans/L7')

    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ id: 'L7', username: 'asilva', academicLevel: 'Year 9', status: 'open', item: { title: 'Holes' } })
    expect((await problemOf(await lib.send('GET', '/api/v1/loans/nope'), 404)).detail).toContain('"nope"')
  })

  test('a loan kept anonymised after its patron was purged has no username, and keeps its academic level, item and dates', async () => {
    const lib = await givenFeed(handle)
    const pupil = await lib.patron({ username: 'gone', level: 'Year 12' })
    const kept = await lib.loan(pupil, { externalId: 'L8', dueDate: '2026-02-02', checkedOutAt: '2026-01-19T09:00:00Z', title: 'Dune', status: 'returned' })
    const { level } = await handle.db.selectFrom('patrons').where('id', '=', pupil.id).select('academic_level_id as level').executeTakeFirstOrThrow()
    // As a purge that retains loans leaves them: no patron, the level kept on the loan.
    await handle.db.updateTable('loans').set({ patron_id: null, academic_level_id: level, anonymised_at: new Date() }).where('id', '=', kept.id).execute()
    await handle.db.deleteFrom('patrons').where('id', '=', pupil.id).execute()
    await lib.patron({ username: 'asilva' })

    const response = await lib.send('GET', '/api/v1/loans/L8')

    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      id: 'L8',
      username: null,
      academicLevel: 'Year 12',
      item: expect.objectContaining({ title: 'Dune' }),
      checkedOutAt: '2026-01-19T09:00:00.000Z',
      dueDate: '2026-02-02',
      status: 'returned',
      recalledAt: null,
      closedAt: null,
    })
    const reused = await problemOf(await lib.send('POST', '/api/v1/loans', checkout('L8', 'asilva', { title: 'Dune' })), 409)
    expect(reused.errors?.[0].detail).toContain('already the loan of a purged patron')
  })
})
