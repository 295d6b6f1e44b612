import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { emailLogActions } from '../../src/bot/emaillog/views.ts'
import { secretMarker } from '../../src/domain/notices/outbox.ts'
import { type GivenLibrary, givenLibrary } from '../support/builders.ts'
import { buttonsIn, textOf } from '../support/fake-slack.ts'
import { givenQueuedMessage } from '../support/outbox.ts'
import { type SlackTestService, slackUser, startServiceWithSlack } from '../support/slack-request.ts'

let slack: SlackTestService
beforeAll(async () => (slack = await startServiceWithSlack()))
afterAll(async () => slack.stop())
beforeEach(() => slack.fake.clear())

const userIn = (lib: Pick<GivenLibrary, 'slackTeamId'>, userId: string) =>
  slackUser({ eventsUrl: slack.eventsUrl, fake: slack.fake, teamId: lib.slackTeamId, userId })

const db = () => slack.service.deps.db

/** When a message was planned (and sent, if it was). */
const at = (id: string, plannedAt: string, sentAt?: string) =>
  sql`update messages set planned_at = ${new Date(plannedAt)}, sent_at = ${sentAt ? new Date(sentAt) : null},
        status = case when ${sentAt ?? null}::text is null then status else 'sent' end where id = ${id}`.execute(db())

/** Ana's log in a Sydney library: an overdue notice sent, a recall waiting, a pre-overdue notice that could reach no one. */
async function libraryWithAnasLog() {
  const lib = await givenLibrary(slack.service.deps, { timeZone: 'Australia/Sydney' })
  await lib.staff('UVIEWER', 'viewer')
  const ana = await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva' })
  const dune = await lib.loan(ana, { dueDate: '2026-02-20', title: 'Dune' })
  const hobbit = await lib.loan(ana, { dueDate: '2026-02-27', title: 'The Hobbit' })
  const sent = await givenQueuedMessage(db(), lib, ana, {
    subject: 'Ana has 2 overdue loans',
    loanIds: [dune.id, hobbit.id],
    recipients: [
      { kind: 'to', address: 'maria.silva@example.org' },
      { kind: 'bcc', address: 'dad@example.org' },
    ],
  })
  await at(sent, '2026-03-01T15:00:00Z', '2026-03-01T15:00:04Z') // 02:00 on Monday 2 March in Sydney
  const recall = await givenQueuedMessage(db(), lib, ana, {
    scenario: 'circulation.recall',
    subject: 'Please return The Hobbit',
    loanIds: [hobbit.id],
    recipients: [{ kind: 'to', address: 'maria.silva@example.org' }],
    requestedBy: 'slack:USTAFF',
  })
  await at(recall, '2026-03-02T23:15:00Z')
  const skipped = await givenQueuedMessage(db(), lib, ana, { scenario: 'circulation.pre_overdue', status: 'skipped', reason: 'no_contact', recipients: [] })
  await at(skipped, '2026-03-03T15:00:00Z')
  const gone = await givenQueuedMessage(db(), lib, ana, { subject: 'Overdue', loanIds: [dune.id], recipients: [{ kind: 'to', address: 'x@example.org' }] })
  await db().updateTable('messages').set({ status: 'skipped', reason: 'condition_gone' }).where('id', '=', gone).execute()
  await at(gone, '2026-03-04T15:00:00Z')
  return { lib, ana }
}

async function emailLog(lib: GivenLibrary, userId: string, text: string) {
  const response = await userIn(lib, userId).command('/emaillog', text)
  expect(response.status).toBe(200)
  return (await slack.fake.next('response_url')).args
}

describe('/emaillog', () => {
  test('a viewer reads a patron’s latest messages: when, which notice, sent or skipped and why in plain words, to whom, the subject', async () => {
    const { lib } = await libraryWithAnasLog()

    const reply = await emailLog(lib, 'UVIEWER', 'asilva')

    expect(reply.response_type).toBe('ephemeral')
    const entries = reply.blocks.slice(2).map((block: any) => block.text.text)
    expect(entries).toEqual([
      '*Overdue notice* · Thu 5 Mar 2026, 02:00 · :no_entry_sign: skipped: the loans were returned before it was sent\nTo x@example.org\n“Overdue”\n_About: Dune_',
      '*Pre-overdue notice* · Wed 4 Mar 2026, 02:00 · :no_entry_sign: skipped: no contact can receive this notice\n_no recipients_\n“Overdue 3”',
      '*Recall* · Tue 3 Mar 2026, 10:15 · :hourglass_flowing_sand: waiting to be sent\nTo maria.silva@example.org\n“Please return The Hobbit”\n_About: The Hobbit · sent by hand by <@USTAFF>_',
      '*Overdue notice* · Mon 2 Mar 2026, 02:00 · :white_check_mark: sent\nTo maria.silva@example.org, Bcc dad@example.org\n“Ana has 2 overdue loans”\n_About: Dune, The Hobbit_',
    ])
    expect(textOf(reply.blocks)).toContain('times in Australia/Sydney')
    expect(buttonsIn(reply.blocks, emailLogActions.page)).toEqual([])
  })

  test('an address finds what was sent to it, in To, Cc or Bcc, in any case', async () => {
    const { lib } = await libraryWithAnasLog()

    const reply = await emailLog(lib, 'UVIEWER', 'DAD@example.org')

    expect(reply.blocks.slice(2).map((block: any) => block.text.text.split('\n')[0])).toEqual([
      '*Overdue notice* · Mon 2 Mar 2026, 02:00 · :white_check_mark: sent',
    ])
  })

  test('a long log is paged: Older shows the next ten, Newer goes back', async () => {
    const lib = await givenLibrary(slack.service.deps)
    await lib.staff('UVIEWER', 'viewer')
    const ben = await lib.patron({ username: 'bchen' })
    for (let n = 1; n <= 12; n += 1) {
      const id = await givenQueuedMessage(db(), lib, ben, { subject: `Notice ${n}` })
      await at(id, `2026-03-${String(n).padStart(2, '0')}T00:00:00Z`)
    }
    const subjects = (blocks: any[]) => blocks.filter((b) => b.type === 'section').flatMap((b) => b.text.text.match(/“(Notice \d+)”/)?.[1] ?? [])

    const first = await emailLog(lib, 'UVIEWER', 'bchen')
    const [older] = buttonsIn(first.blocks, emailLogActions.page)
    await userIn(lib, 'UVIEWER').click(older)
    const second = (await slack.fake.next('response_url')).args
    await userIn(lib, 'UVIEWER').click(buttonsIn(second.blocks, emailLogActions.page)[0])
    const back = (await slack.fake.next('response_url')).args

    expect(subjects(first.blocks)).toEqual([
      'Notice 12',
      'Notice 11',
      'Notice 10',
      'Notice 9',
      'Notice 8',
      'Notice 7',
      'Notice 6',
      'Notice 5',
      'Notice 4',
      'Notice 3',
    ])
    expect(older.text.text).toBe('Older')
    expect(second.replace_original).toBe(true)
    expect(subjects(second.blocks)).toEqual(['Notice 2', 'Notice 1'])
    expect(textOf(second.blocks)).toContain('page 2')
    expect(buttonsIn(second.blocks, emailLogActions.page).map((b) => b.text.text)).toEqual(['Newer'])
    expect(subjects(back.blocks)).toEqual(subjects(first.blocks))
  })

  test('a password-reset link never shows in Slack', async () => {
    const lib = await givenLibrary(slack.service.deps)
    await lib.staff('UVIEWER', 'viewer')
    const ana = await lib.patron({ username: 'asilva' })
    await givenQueuedMessage(db(), lib, ana, {
      scenario: 'account.password_reset',
      subject: 'Reset your password',
      text: `Reset: ${secretMarker}`,
      secret: 'https://opac.school.example/reset?token=6f1c0ffee',
    })

    const reply = await emailLog(lib, 'UVIEWER', 'asilva')

    expect(textOf(reply.blocks)).toContain('*Password reset*')
    expect(JSON.stringify(reply)).not.toContain('6f1c0ffee')
  })

  test('each recipient shows what became of it: delivered, bounced with the reason, or skipped as blacklisted', async () => {
    const lib = await givenLibrary(slack.service.deps, { timeZone: 'Australia/Sydney' })
    await lib.staff('UVIEWER', 'viewer')
    const ben = await lib.patron({ username: 'bjones' })
    const id = await givenQueuedMessage(db(), lib, ben, {
      subject: 'Ben has an overdue loan',
      recipients: [
        { kind: 'to', address: 'mum@example.org' },
        { kind: 'to', address: 'dad@example.org' },
        { kind: 'bcc', address: 'gone@example.org' },
      ],
    })
    await at(id, '2026-03-01T15:00:00Z', '2026-03-01T15:00:04Z')
    const deliver = (address: string, delivery: string, detail: string | null) =>
      sql`update message_recipients set delivery = ${delivery}, delivery_detail = ${detail} where message_id = ${id} and address = ${address}`.execute(db())
    await deliver('mum@example.org', 'delivered', null)
    await deliver('dad@example.org', 'bounced', 'Permanent (General): 550 5.1.1 user unknown')
    await deliver('gone@example.org', 'skipped', 'blacklisted')

    const reply = await emailLog(lib, 'UVIEWER', 'bjones')

    expect(textOf(reply.blocks)).toContain(
      'mum@example.org: :white_check_mark: delivered · dad@example.org: :warning: bounced (Permanent (General): 550 5.1.1 user unknown) · gone@example.org: :no_entry_sign: skipped: blacklisted',
    )
  })

  test('messages about a deactivated patron say so on each, found by username or by address', async () => {
    const { lib } = await libraryWithAnasLog()
    await db().updateTable('patrons').set({ is_enabled: false }).where('library_id', '=', lib.id).execute()

    const byUsername = await emailLog(lib, 'UVIEWER', 'asilva')
    const byAddress = await emailLog(lib, 'UVIEWER', 'dad@example.org')

    const heads = byUsername.blocks.slice(2).map((block: any) => block.text.text.split('\n')[0])
    expect(heads).toHaveLength(4)
    for (const head of heads) expect(head).toMatch(/ · `asilva` :no_entry_sign: Deactivated$/)
    expect(textOf(byAddress.blocks)).toContain(
      '*Overdue notice* · Mon 2 Mar 2026, 02:00 · :white_check_mark: sent · `asilva` :no_entry_sign: Deactivated\nTo maria.silva@example.org, Bcc dad@example.org',
    )
  })

  test('an address a purge removed reads as removed, beside the addresses kept', async () => {
    const lib = await givenLibrary(slack.service.deps, { timeZone: 'Australia/Sydney' })
    await lib.staff('UVIEWER', 'viewer')
    const ben = await lib.patron({ username: 'bjones' })
    const id = await givenQueuedMessage(db(), lib, ben, {
      subject: 'Ben has an overdue loan',
      recipients: [
        { kind: 'to', address: 'mum@example.org' },
        { kind: 'bcc', address: 'gone@example.org' },
      ],
    })
    await at(id, '2026-03-01T15:00:00Z', '2026-03-01T15:00:04Z')
    await sql`update message_recipients set delivery = 'delivered' where message_id = ${id}`.execute(db())
    await sql`update message_recipients set address = null where message_id = ${id} and kind = 'bcc'`.execute(db())

    const reply = await emailLog(lib, 'UVIEWER', 'bjones')

    const shown = textOf(reply.blocks)
    expect(shown).toContain('To mum@example.org, Bcc address removed (patron purged)')
    expect(shown).toContain('mum@example.org: :white_check_mark: delivered · address removed (patron purged): :white_check_mark: delivered')
    expect(shown).not.toContain('Deactivated')
  })

  test('an unknown username, nothing logged yet, and no text each get a clear answer', async () => {
    const { lib } = await libraryWithAnasLog()
    await lib.patron({ username: 'newpupil' })

    expect(textOf((await emailLog(lib, 'UVIEWER', 'nobody')).blocks)).toContain('No patron with username "nobody" in this library. Give a username')
    expect(textOf((await emailLog(lib, 'UVIEWER', 'newpupil')).blocks)).toBe('No messages about or to `newpupil` yet.')
    expect(textOf((await emailLog(lib, 'UVIEWER', '')).blocks)).toContain('`/emaillog mum@example.org`')
  })

  test('someone who is not on staff is refused, and sees nothing of the log', async () => {
    const { lib } = await libraryWithAnasLog()

    const reply = await emailLog(lib, 'USTRANGER', 'asilva')

    expect(textOf(reply.blocks)).toContain('Sorry, you can’t read the email log: you are not on the staff of')
    expect(textOf(reply.blocks)).not.toContain('maria.silva@example.org')
  })
})
