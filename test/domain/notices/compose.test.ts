import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { composePatronNotices, type RenderNotice } from '../../../src/domain/notices/compose.ts'
import { queueMessages } from '../../../src/domain/notices/outbox.ts'
import type { ScenarioName } from '../../../src/domain/scenarios/catalogue.ts'
import { type GivenLibrary, type GivenPatron, givenLibrary, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

// The template stands in as one line that says who it greets and what it lists.
const render: RenderNotice = (scenario, context) => ({
  subject: `${scenario} for ${context.patron?.full_name}`,
  html: `<p>Dear ${context.addressee}</p>`,
  text: `Dear ${context.addressee}; ${(context.loans ?? []).map((loan) => loan.title).join(', ')}`,
})

async function composed(lib: GivenLibrary, scenario: ScenarioName, patrons: GivenPatron[]) {
  const drafts = patrons.map((patron) => ({ patronId: patron.id, dedupeKey: `${scenario}:${patron.id}`, context: {} }))
  return composePatronNotices(handle.db, { libraryId: lib.id, scenario, drafts, render })
}

/** Each message as `status reason: kind address, …`, in the order composed. */
const recipientsOf = (messages: Awaited<ReturnType<typeof composed>>['messages']) =>
  messages.map((m) => `${m.status}${m.reason ? ` ${m.reason}` : ''}: ${m.recipients.map((r) => `${r.kind} ${r.address}`).join(', ')}`)

describe('who a notice reaches', () => {
  test.each([
    ['usage any', { usage: 'any' as const }, 'queued: to c@example.org'],
    ['record keeping only (usage none)', { usage: 'none' as const }, 'skipped no_contact: '],
    ['custom, with this scenario', { usage: 'custom' as const, scenarios: ['circulation.overdue'] }, 'queued: to c@example.org'],
    ['custom, with other scenarios only', { usage: 'custom' as const, scenarios: ['circulation.recall'] }, 'skipped no_contact: '],
    ['a phone number', { type: 'phone' as const, address: '+61 2 9999 0000' }, 'skipped no_contact: '],
    ['BCC yes', { bcc: 'yes' as const }, 'queued: bcc c@example.org'],
    ['BCC no', { bcc: 'no' as const }, 'queued: to c@example.org'],
  ])('a contact with %s', async (_, fields, expected) => {
    const lib = await givenLibrary(testDeps(handle))
    const ana = await lib.patron({ username: 'ana' })
    await lib.contact(ana, { address: 'c@example.org', ...fields })

    expect(recipientsOf((await composed(lib, 'circulation.overdue', [ana])).messages)).toEqual([expected])
  })

  test("BCC 'school default' follows the library's setting", async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const ana = await lib.patron({ username: 'ana' })
    await lib.contact(ana, { address: 'c@example.org', bcc: 'default' })

    const before = recipientsOf((await composed(lib, 'circulation.overdue', [ana])).messages)
    await deps.db.updateTable('libraries').set({ bcc_by_default: true }).where('id', '=', lib.id).execute()
    const after = recipientsOf((await composed(lib, 'circulation.overdue', [ana])).messages)

    expect([before, after]).toEqual([['queued: to c@example.org'], ['queued: bcc c@example.org']])
  })

  test("the scenario's roles: a loan receipt reaches the patron and guardians, not teachers; a password reset the patron alone", async () => {
    const lib = await givenLibrary(testDeps(handle))
    const ana = await lib.patron({ username: 'ana' })
    await lib.contact(ana, { role: 'patron', address: 'ana@school.example', isPrimary: true })
    await lib.contact(ana, { role: 'guardian', address: 'mum@example.org' })
    await lib.contact(ana, { role: 'other', address: 'teacher@school.example' })

    expect(recipientsOf((await composed(lib, 'circulation.overdue', [ana])).messages)).toEqual([
      'queued: to ana@school.example, to mum@example.org, to teacher@school.example',
    ])
    expect(recipientsOf((await composed(lib, 'lending.loan_receipt', [ana])).messages)).toEqual(['queued: to ana@school.example, to mum@example.org'])
    expect(recipientsOf((await composed(lib, 'account.password_reset', [ana])).messages)).toEqual(['queued: to ana@school.example'])
  })

  test('a message whose recipients are all in Bcc is still queued', async () => {
    const lib = await givenLibrary(testDeps(handle))
    const ana = await lib.patron({ username: 'ana' })
    await lib.contact(ana, { address: 'mum@example.org', bcc: 'yes' })
    await lib.contact(ana, { address: 'dad@example.org', bcc: 'yes' })

    expect(recipientsOf((await composed(lib, 'circulation.overdue', [ana])).messages)).toEqual(['queued: bcc mum@example.org, bcc dad@example.org'])
  })
})

describe('who gets no notice at all', () => {
  test('deactivated patrons, and patrons in an excluded academic level or library group', async () => {
    const lib = await givenLibrary(testDeps(handle))
    const kept = await lib.patron({ username: 'kept', level: 'Year 7', groups: ['Chess'] })
    const left = await lib.patron({ username: 'left', enabled: false })
    const year12 = await lib.patron({ username: 'senior', level: 'Year 12' })
    const staffRoom = await lib.patron({ username: 'teacher', groups: ['Staff'] })
    for (const patron of [kept, left, year12, staffRoom]) await lib.contact(patron)
    await lib.exclude('circulation.overdue', { levels: ['Year 12'], groups: ['Staff'] })

    const result = await composed(lib, 'circulation.overdue', [kept, left, year12, staffRoom])
    // Another scenario excludes no one.
    const recall = await composed(lib, 'circulation.recall', [year12, staffRoom])

    expect(result.messages.map((m) => m.patronId)).toEqual([kept.id])
    expect(result.notComposed).toEqual([
      { patronId: left.id, reason: 'inactive' },
      { patronId: year12.id, reason: 'excluded' },
      { patronId: staffRoom.id, reason: 'excluded' },
    ])
    expect(recall.messages.map((m) => m.patronId)).toEqual([year12.id, staffRoom.id])
  })
})

describe('how it greets', () => {
  test("its To recipients' addressees; else the patron's first name", async () => {
    const lib = await givenLibrary(testDeps(handle))
    const ana = await lib.patron({ username: 'ana', firstName: 'Ana', lastName: 'Silva' })
    await lib.contact(ana, { address: 'mum@example.org', addressee: 'Mrs Silva' })
    await lib.contact(ana, { address: 'dad@example.org', addressee: 'Mr Silva' })
    await lib.contact(ana, { address: 'gran@example.org', addressee: 'Mrs Costa', bcc: 'yes' })
    const ben = await lib.patron({ username: 'ben', firstName: 'Ben' })
    await lib.contact(ben, { address: 'ben@school.example', role: 'patron' })

    const { messages } = await composed(lib, 'circulation.overdue', [ana, ben])

    expect(messages.map((m) => m.text)).toEqual(['Dear Mrs Silva and Mr Silva; ', 'Dear Ben; '])
    expect(messages[0].subject).toBe('circulation.overdue for Ana Silva')
  })
})

describe('queueing', () => {
  test('writes each message once: the same keys again leave everything as it was', async () => {
    const lib = await givenLibrary(testDeps(handle))
    const ana = await lib.patron({ username: 'ana' })
    await lib.contact(ana, { address: 'mum@example.org' })
    const loan = await lib.loan(ana, { dueDate: '2026-03-01' })
    const drafts = [
      {
        patronId: ana.id,
        dedupeKey: 'overdue:2026-03-09',
        context: {},
        loanIds: [loan.id],
        ledger: [{ scenario: 'circulation.overdue' as const, loanId: loan.id, period: '2026-03-09' }],
      },
    ]
    const first = await composePatronNotices(handle.db, { libraryId: lib.id, scenario: 'circulation.overdue', drafts, render })

    const queued = await queueMessages(handle.db, first.messages)
    const again = await queueMessages(handle.db, first.messages)

    expect([queued.queued, again.queued, again.duplicates]).toEqual([1, 0, 1])
    const ledger = await handle.db.selectFrom('notice_sends').select(['scenario', 'loan_id', 'period']).where('library_id', '=', lib.id).execute()
    expect(ledger).toEqual([{ scenario: 'circulation.overdue', loan_id: loan.id, period: '2026-03-09' }])
    const recipients = await handle.db
      .selectFrom('message_recipients')
      .innerJoin('messages', 'messages.id', 'message_recipients.message_id')
      .select(['address', 'kind'])
      .where('messages.library_id', '=', lib.id)
      .execute()
    expect(recipients).toEqual([{ address: 'mum@example.org', kind: 'to' }])
  })

  test('a skipped message is recorded, and counts for nothing in the ledger: it is due again', async () => {
    const lib = await givenLibrary(testDeps(handle))
    const ana = await lib.patron({ username: 'ana' })
    const loan = await lib.loan(ana, { dueDate: '2026-03-01' })
    const drafts = [{ patronId: ana.id, dedupeKey: 'k', context: {}, ledger: [{ scenario: 'circulation.overdue' as const, loanId: loan.id, period: '' }] }]
    const { messages } = await composePatronNotices(handle.db, { libraryId: lib.id, scenario: 'circulation.overdue', drafts, render })

    expect(await queueMessages(handle.db, messages)).toMatchObject({ queued: 0, skipped: 1 })
    expect(await handle.db.selectFrom('notice_sends').select('id').where('library_id', '=', lib.id).execute()).toEqual([])
    const logged = await handle.db.selectFrom('messages').select(['status', 'reason']).where('library_id', '=', lib.id).execute()
    expect(logged).toEqual([{ status: 'skipped', reason: 'no_contact' }])
  })
})
