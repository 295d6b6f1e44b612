import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { noticeActions } from '../../src/bot/contacts/loan-views.ts'
import { contactActions } from '../../src/bot/contacts/views.ts'
import { type GivenLibrary, givenLibrary } from '../support/builders.ts'
import { buttonsIn, textOf } from '../support/fake-slack.ts'
import { type SlackTestService, slackUser, startServiceWithSlack } from '../support/slack-request.ts'

let slack: SlackTestService
beforeAll(async () => (slack = await startServiceWithSlack()))
afterAll(async () => slack.stop())
beforeEach(() => slack.fake.clear())

const userIn = (lib: Pick<GivenLibrary, 'slackTeamId'>, userId: string) =>
  slackUser({ eventsUrl: slack.eventsUrl, fake: slack.fake, teamId: lib.slackTeamId, userId })

/** A calendar date `days` from today in the library's time zone (the service runs on the real clock); negative: in the past. */
function dayFromToday(days: number): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Australia/Sydney' }).format(new Date())
  return new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

/** Ana, with a guardian, two overdue loans and one not yet due, in a library with a staff member and a viewer. */
async function libraryWithAna() {
  const lib = await givenLibrary(slack.service.deps)
  await lib.staff('USTAFF', 'staff')
  await lib.staff('UVIEWER', 'viewer')
  const ana = await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva' })
  await lib.contact(ana, { role: 'guardian', address: 'maria.silva@example.org', addressee: 'Mrs Silva' })
  const dune = await lib.loan(ana, { dueDate: dayFromToday(-20), title: 'Dune', barcode: 'B000102' })
  const hobbit = await lib.loan(ana, { dueDate: dayFromToday(-5), title: 'The Hobbit', barcode: 'B000101' })
  const matilda = await lib.loan(ana, { dueDate: dayFromToday(10), title: 'Matilda', barcode: 'B000230' })
  return { lib, ana, dune, hobbit, matilda }
}

async function cardOf(lib: GivenLibrary, userId: string, username = 'asilva') {
  await userIn(lib, userId).command('/contacts', username)
  return (await slack.fake.next('response_url')).args
}

const messagesOf = (lib: GivenLibrary) =>
  slack.service.deps.db
    .selectFrom('messages')
    .where('library_id', '=', lib.id)
    .select(['id', 'scenario', 'status', 'reason', 'requested_by as requestedBy', 'dedupe_key as dedupeKey'])
    .orderBy('id')
    .execute()

const ledgerOf = (lib: GivenLibrary) =>
  slack.service.deps.db.selectFrom('notice_sends').where('library_id', '=', lib.id).select(['scenario', 'loan_id as loanId']).execute()

describe('the patron card, for staff who send notices', () => {
  test('staff see the open loans, "Send overdue notice now" and Recall beside each; a viewer sees neither', async () => {
    const { lib } = await libraryWithAna()

    const staffCard = await cardOf(lib, 'USTAFF')
    const viewerCard = await cardOf(lib, 'UVIEWER')

    expect(textOf(staffCard.blocks)).toContain('*Open loans* (3)')
    expect(textOf(staffCard.blocks)).toMatch(/Dune · `B000102` · due .* · \*20 days overdue\*/)
    expect(buttonsIn(staffCard.blocks, noticeActions.sendOverdue)).toHaveLength(1)
    expect(buttonsIn(staffCard.blocks, noticeActions.recall).map((b) => b.text.text)).toEqual(['Recall “Dune”', 'Recall “The Hobbit”', 'Recall “Matilda”'])
    expect(textOf(viewerCard.blocks)).toContain('maria.silva@example.org')
    expect(textOf(viewerCard.blocks)).not.toContain('Open loans')
    expect(buttonsIn(viewerCard.blocks, noticeActions.sendOverdue)).toEqual([])
    expect(buttonsIn(viewerCard.blocks, noticeActions.recall)).toEqual([])
  })

  test('"Send overdue notice now" queues the overdue notice for the overdue loans, says to whom, audits it, and leaves the nightly schedule alone', async () => {
    const { lib, dune, hobbit } = await libraryWithAna()
    const card = await cardOf(lib, 'USTAFF')
    const [send] = buttonsIn(card.blocks, noticeActions.sendOverdue)
    expect(send.confirm.title.text).toBe('Send the overdue notice now?')

    await userIn(lib, 'USTAFF').click(send)
    const answer = (await slack.fake.next('response_url')).args
    await userIn(lib, 'USTAFF').click(send)
    await slack.fake.next('response_url')

    expect(answer.replace_original).toBe(true)
    expect(textOf(answer.blocks)).toContain('Queued Ana Silva’s overdue notice (2 overdue loans: Dune, The Hobbit) to maria.silva@example.org')
    const messages = await messagesOf(lib)
    // Each request is a notice of its own: asked twice, sent twice.
    expect(messages).toEqual([
      expect.objectContaining({ scenario: 'circulation.overdue', status: 'queued', requestedBy: 'slack:USTAFF' }),
      expect.objectContaining({ scenario: 'circulation.overdue', status: 'queued', requestedBy: 'slack:USTAFF' }),
    ])
    expect(messages[0].dedupeKey).not.toBe(messages[1].dedupeKey)
    const loans = await slack.service.deps.db
      .selectFrom('message_loans')
      .where('message_id', '=', messages[0].id)
      .select('loan_id')
      .orderBy('loan_id')
      .execute()
    expect(loans.map((row) => row.loan_id)).toEqual([dune.id, hobbit.id])
    const recipients = await slack.service.deps.db
      .selectFrom('message_recipients')
      .where('message_id', '=', messages[0].id)
      .select(['kind', 'address'])
      .execute()
    expect(recipients).toEqual([{ kind: 'to', address: 'maria.silva@example.org' }])
    expect(await ledgerOf(lib)).toEqual([])
    const audit = await lib.auditActions()
    expect(audit[0]).toMatchObject({
      action: 'notice.sent_by_hand',
      actor: 'slack:USTAFF',
      details: { scenario: 'circulation.overdue', status: 'queued', loans: ['B000102', 'B000101'] },
    })
  })

  test('a patron with nothing overdue is told so, and nothing is queued', async () => {
    const lib = await givenLibrary(slack.service.deps)
    await lib.staff('USTAFF', 'staff')
    const ben = await lib.patron({ username: 'bchen', firstName: 'Ben', lastName: 'Chen' })
    await lib.contact(ben, { address: 'chen.family@example.org' })
    await lib.loan(ben, { dueDate: dayFromToday(10), title: 'Matilda' })
    // The card offers no Send when nothing is overdue; the button of an older card still can be clicked.
    const card = await cardOf(lib, 'USTAFF', 'bchen')
    expect(buttonsIn(card.blocks, noticeActions.sendOverdue)).toEqual([])

    await userIn(lib, 'USTAFF').click({ action_id: noticeActions.sendOverdue, value: JSON.stringify({ patronId: ben.id }) })
    const answer = (await slack.fake.next('response_url')).args

    expect(answer).toMatchObject({ response_type: 'ephemeral', replace_original: false })
    expect(textOf(answer.blocks)).toContain('Nothing is overdue for `bchen`: no overdue notice was sent.')
    expect(await messagesOf(lib)).toEqual([])
  })

  test('a patron no contact of whom can receive it: the notice is recorded as skipped, and staff are told why', async () => {
    const lib = await givenLibrary(slack.service.deps)
    await lib.staff('USTAFF', 'staff')
    const cara = await lib.patron({ username: 'cjones', firstName: 'Cara', lastName: 'Jones' })
    await lib.contact(cara, { address: 'jones@example.org', usage: 'none' })
    await lib.loan(cara, { dueDate: dayFromToday(-3), title: 'Holes' })
    const card = await cardOf(lib, 'USTAFF', 'cjones')

    await userIn(lib, 'USTAFF').click(buttonsIn(card.blocks, noticeActions.sendOverdue)[0])
    const answer = (await slack.fake.next('response_url')).args

    expect(textOf(answer.blocks)).toContain('Cara Jones’s overdue notice (1 overdue loan: Holes) was not sent: no contact can receive this notice.')
    expect(await messagesOf(lib)).toEqual([expect.objectContaining({ status: 'skipped', reason: 'no_contact' })])
  })

  test('Recall marks the loan recalled, queues the recall notice, and the card no longer offers it', async () => {
    const { lib, hobbit } = await libraryWithAna()
    const card = await cardOf(lib, 'USTAFF')
    const recall = buttonsIn(card.blocks, noticeActions.recall).find((b) => b.text.text === 'Recall “The Hobbit”')!

    await userIn(lib, 'USTAFF').click(recall)
    const answer = (await slack.fake.next('response_url')).args

    expect(textOf(answer.blocks)).toContain('Recalled “The Hobbit”, and queued the recall notice. It goes out within a minute.')
    expect(textOf(answer.blocks)).toMatch(/The Hobbit · `B000101` · due .* · recalled/)
    expect(buttonsIn(answer.blocks, noticeActions.recall).map((b) => b.text.text)).toEqual(['Recall “Dune”', 'Recall “Matilda”'])
    const loan = await slack.service.deps.db.selectFrom('loans').where('id', '=', hobbit.id).select('recalled_at').executeTakeFirstOrThrow()
    expect(loan.recalled_at).not.toBeNull()
    expect(await messagesOf(lib)).toEqual([expect.objectContaining({ scenario: 'circulation.recall', status: 'queued', requestedBy: 'slack:USTAFF' })])
    expect((await lib.auditActions()).map((entry) => [entry.action, entry.actor])).toEqual([['loan.recalled', 'slack:USTAFF']])

    // A second click, from the old card: the loan is recalled once.
    await userIn(lib, 'USTAFF').click(recall)
    const again = (await slack.fake.next('response_url')).args
    expect(textOf(again.blocks)).toContain('“The Hobbit” was already recalled; no second notice was sent.')
    expect(await messagesOf(lib)).toHaveLength(1)
  })

  test('a loan returned since the card was shown is not recalled, and the card is shown afresh', async () => {
    const { lib, dune } = await libraryWithAna()
    const card = await cardOf(lib, 'USTAFF')
    await slack.service.deps.db.updateTable('loans').set({ status: 'returned' }).where('id', '=', dune.id).execute()

    await userIn(lib, 'USTAFF').click(buttonsIn(card.blocks, noticeActions.recall)[0])
    const answer = (await slack.fake.next('response_url')).args

    expect(textOf(answer.blocks)).toContain('This loan was returned meanwhile: there is nothing to recall.')
    expect(textOf(answer.blocks)).toContain('*Open loans* (2)')
    expect(await messagesOf(lib)).toEqual([])
  })

  test('a viewer who clicks a button of a staff member’s card is refused, and nothing is sent or recalled', async () => {
    const { lib, ana, dune } = await libraryWithAna()

    await userIn(lib, 'UVIEWER').click({ action_id: noticeActions.sendOverdue, value: JSON.stringify({ patronId: ana.id }) })
    const send = (await slack.fake.next('response_url')).args
    await userIn(lib, 'UVIEWER').click({ action_id: noticeActions.recall, value: JSON.stringify({ patronId: ana.id, loanId: dune.id }) })
    const recall = (await slack.fake.next('response_url')).args

    for (const answer of [send, recall]) {
      expect(textOf(answer.blocks)).toContain('Sorry, you can’t send notices or recall loans: that needs the *staff* role, and you have the *viewer* role')
    }
    expect(await messagesOf(lib)).toEqual([])
    const loan = await slack.service.deps.db.selectFrom('loans').where('id', '=', dune.id).select('recalled_at').executeTakeFirstOrThrow()
    expect(loan.recalled_at).toBeNull()
  })

  test('a full page of contacts still fits the loans under Slack’s 50 blocks', async () => {
    const { lib, ana } = await libraryWithAna()
    for (let n = 0; n < 25; n += 1) await lib.contact(ana, { address: `relative${n}@example.org` })

    const card = await cardOf(lib, 'USTAFF')

    expect(card.blocks.length).toBeLessThanOrEqual(50)
    expect(buttonsIn(card.blocks, contactActions.page)).toHaveLength(1)
    expect(buttonsIn(card.blocks, noticeActions.sendOverdue)).toHaveLength(1)
  })
})
