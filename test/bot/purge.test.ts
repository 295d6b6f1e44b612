import { webApi } from '@slack/bolt'
import pino from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { progressUpdater } from '../../src/bot/progress-message.ts'
import { purgeBlocks } from '../../src/bot/purge/modal-views.ts'
import { purgeActions } from '../../src/bot/purge/views.ts'
import { runPurgeSweep } from '../../src/jobs/purge-sweep.ts'
import { type GivenLibrary, givenLibrary } from '../support/builders.ts'
import { buttonsIn, textOf } from '../support/fake-slack.ts'
import { type SlackTestService, slackUser, startServiceWithSlack } from '../support/slack-request.ts'
import { followUpdates, importingUser } from './imports/import-flow.ts'

let slack: SlackTestService
beforeAll(async () => (slack = await startServiceWithSlack()))
afterAll(async () => slack.stop())
beforeEach(() => slack.fake.clear())

const reportChannel = 'CREPORTS'

async function givenSchool() {
  const lib = await givenLibrary(slack.service.deps)
  await lib.staff('UADMIN', 'admin')
  await lib.staff('UADMIN2', 'admin')
  await lib.staff('USTAFF', 'staff')
  await lib.staff('UVIEWER', 'viewer')
  await slack.service.deps.db.updateTable('libraries').set({ slack_channel: reportChannel }).where('id', '=', lib.id).execute()
  return lib
}

const patronsOf = async (lib: GivenLibrary) =>
  (await slack.service.deps.db.selectFrom('patrons').where('library_id', '=', lib.id).select('username').orderBy('username').execute()).map((p) => p.username)

/** A staff member at the purge: /purge, the modal's buttons, the request message's buttons. */
function purger(lib: GivenLibrary, userId: string) {
  const user = slackUser({ eventsUrl: slack.eventsUrl, fake: slack.fake, teamId: lib.slackTeamId, userId })
  return {
    ...user,
    async open(): Promise<any> {
      expect((await user.command('/purge', '')).status).toBe(200)
      return (await slack.fake.next('views.open')).args.view
    },
    /** A button of the request message, which the app posted in the report channel. */
    clickMessage: (button: { action_id: string; value: string }, message: { channel: string; ts: string }) =>
      importingUser(slack, lib, userId).click(button, message),
  }
}

const optionsIn = (view: any): string[] =>
  view.blocks.filter((b: any) => b.block_id?.startsWith(purgeBlocks.pickPrefix)).flatMap((b: any) => b.element.options.map((o: any) => o.value))
const labelsIn = (view: any): string[] =>
  view.blocks.filter((b: any) => b.block_id?.startsWith(purgeBlocks.pickPrefix)).flatMap((b: any) => b.element.options.map((o: any) => o.text.text))

/** Ticks `usernames` in the modal and presses Ask for approval; returns the request message posted. */
async function askFor(lib: GivenLibrary, userId: string, view: any, usernames: string[]) {
  const ticks: Record<string, string[]> = {}
  for (const block of view.blocks.filter((b: any) => b.block_id?.startsWith(purgeBlocks.pickPrefix))) {
    ticks[block.block_id] = block.element.options.map((o: any) => o.value).filter((u: string) => usernames.includes(u))
  }
  expect((await purger(lib, userId).submit(view, ticks)).status).toBe(200)
  const posted = await slack.fake.next('chat.postMessage')
  return { args: posted.args, ref: await storedMessage(lib) }
}

/** Where the app said the request was posted (recorded just after the post). */
async function storedMessage(lib: GivenLibrary): Promise<{ channel: string; ts: string }> {
  for (let tries = 0; tries < 100; tries++) {
    const row = await slack.service.deps.db
      .selectFrom('batches')
      .where('library_id', '=', lib.id)
      .where('kind', '=', 'purge')
      .select('report_message')
      .orderBy('id', 'desc')
      .executeTakeFirst()
    if (row?.report_message) return row.report_message as { channel: string; ts: string }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error('the request message was never recorded')
}

describe('/purge', () => {
  test('an admin ticks leavers, the request goes to the report channel, the asker cannot approve it, a second admin does', async () => {
    const lib = await givenSchool()
    await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva' })
    const leaver1 = await lib.patron({ username: 'leaver1', firstName: 'Lee', lastName: 'Ver', level: 'Year 12', enabled: false })
    await lib.contact(leaver1)
    await lib.contact(leaver1)
    await lib.patron({ username: 'leaver2', firstName: 'Leah', lastName: 'Vane', enabled: false })
    const borrower = await lib.patron({ username: 'borrower', firstName: 'Bo', lastName: 'Rower', enabled: false })
    await lib.loan(borrower, { dueDate: '2026-02-01' })
    const admin = purger(lib, 'UADMIN')

    const view = await admin.open()
    expect(labelsIn(view)).toContain('Lee Ver · Year 12 · 2 contacts')
    expect(optionsIn(view).sort()).toEqual(['leaver1', 'leaver2'])
    expect(textOf(view.blocks)).toContain('Bo Rower · 0 contacts · *1 item on loan*')
    expect(buttonsIn(view.blocks, purgeActions.markLost).map((b) => b.value)).toEqual(['borrower'])

    const request = await askFor(lib, 'UADMIN', view, ['leaver1', 'leaver2'])
    expect(request.args.channel).toBe(reportChannel)
    const shown = textOf(request.args.blocks)
    expect(shown).toContain('*2 patrons* removed, with their *2 contacts*')
    expect(shown).toContain('Asked by <@UADMIN>')
    expect(shown).toContain('Lee Ver (leaver1) · Year 12')
    expect(shown).toMatch(/until <!date\^\d+\^/)
    const [approve] = buttonsIn(request.args.blocks, purgeActions.approve)
    expect(approve.confirm.text.text).toContain('This cannot be undone.')
    expect(approve).toMatchObject({ style: 'danger' })

    await admin.clickMessage(approve, request.ref)
    const told = (await slack.fake.next('response_url')).args
    expect(told.response_type).toBe('ephemeral')
    expect(told.text).toContain('another admin* must approve it')
    expect(await patronsOf(lib)).toEqual(['asilva', 'borrower', 'leaver1', 'leaver2'])

    await admin.clickMessage(buttonsIn(request.args.blocks, purgeActions.listEveryone)[0], request.ref)
    const everyone = (await slack.fake.next('views.open')).args.view
    expect(textOf(everyone.blocks)).toContain('Leah Vane (leaver2)')

    await purger(lib, 'UADMIN2').clickMessage(approve, request.ref)
    const done = await followUpdates(slack)
    const final = textOf(done.last.blocks)
    expect(final).toContain('2 patrons removed, with 2 contacts')
    expect(final).toContain('Asked by <@UADMIN>, approved by <@UADMIN2>.')
    expect(done.ref).toEqual(request.ref)
    expect(await patronsOf(lib)).toEqual(['asilva', 'borrower'])

    // Opened again once they are gone, the list says so rather than "0 patrons to remove".
    await admin.clickMessage(buttonsIn(request.args.blocks, purgeActions.listEveryone)[0], request.ref)
    const after = textOf((await slack.fake.next('views.open')).args.view.blocks)
    expect(after).toContain('Nobody left to remove: these patrons have been purged.')
    expect(after).not.toContain('0 patrons to remove')
  })

  test('Mark as lost and purge: the loans dialog marks them lost, and the patron can be ticked back on the list', async () => {
    const lib = await givenSchool()
    const borrower = await lib.patron({ username: 'borrower', firstName: 'Bo', lastName: 'Rower', enabled: false })
    await lib.loan(borrower, { dueDate: '2026-02-01', title: 'The Hobbit', barcode: 'B-HOBBIT' })
    await lib.loan(borrower, { dueDate: '2026-02-03' })
    await lib.loan(borrower, { dueDate: '2026-02-05' })
    const admin = purger(lib, 'UADMIN')
    const view = await admin.open()
    expect(textOf(view.blocks)).toContain('*3 items on loan*')
    expect(optionsIn(view)).toEqual([])

    await admin.clickInModal(view, buttonsIn(view.blocks, purgeActions.markLost)[0])
    const dialog = (await slack.fake.next('views.push')).args.view
    const listed = textOf(dialog.blocks)
    expect(listed).toContain('*Bo Rower* has *3 items on loan*')
    expect(listed).toContain('*The Hobbit* · barcode B-HOBBIT · due 2026-02-01')
    expect(dialog.close.text).toBe('Back')

    expect((await admin.submit(dialog)).status).toBe(200)
    const back = (await slack.fake.next('views.update')).args
    expect(back.view_id).toBe('V1')
    expect(optionsIn(back.view)).toEqual(['borrower'])
    expect(textOf(back.view.blocks)).toContain('3 items on loan to *borrower* marked lost')
    const loans = await slack.service.deps.db.selectFrom('loans').where('library_id', '=', lib.id).select('status').execute()
    expect(loans.map((l) => l.status)).toEqual(['lost', 'lost', 'lost'])
  })

  test('Reject: the message says who rejected it, and nothing is removed', async () => {
    const lib = await givenSchool()
    await lib.patron({ username: 'leaver1', enabled: false })
    const request = await askFor(lib, 'UADMIN', await purger(lib, 'UADMIN').open(), ['leaver1'])

    await purger(lib, 'UADMIN2').clickMessage(buttonsIn(request.args.blocks, purgeActions.reject)[0], request.ref)
    const update = (await slack.fake.next('chat.update')).args

    expect(update.text).toContain('rejected by <@UADMIN2>, nothing was removed')
    expect(update.ts).toBe(request.ref.ts)
    expect(await patronsOf(lib)).toEqual(['leaver1'])
  })

  test('staff and viewers are refused /purge, and the request’s buttons, privately', async () => {
    const lib = await givenSchool()
    await lib.patron({ username: 'leaver1', enabled: false })
    const request = await askFor(lib, 'UADMIN', await purger(lib, 'UADMIN').open(), ['leaver1'])
    slack.fake.clear()

    for (const [userId, role] of [
      ['USTAFF', 'staff'],
      ['UVIEWER', 'viewer'],
    ] as const) {
      const user = purger(lib, userId)
      await user.command('/purge', '')
      const refusal = (await slack.fake.next('response_url')).args
      expect(refusal.text).toContain(`Sorry, you can’t purge patrons: that needs the *admin* role, and you have the *${role}* role`)
      for (const action of [purgeActions.approve, purgeActions.reject]) {
        await user.clickMessage(buttonsIn(request.args.blocks, action)[0], request.ref)
        const refused = (await slack.fake.next('response_url')).args
        expect(refused).toMatchObject({ response_type: 'ephemeral', replace_original: false })
        expect(refused.text).toContain('Sorry, you can’t purge patrons')
        expect(refused.text).toContain('Nothing was changed.')
      }
    }
    expect(slack.fake.calls.filter((call) => call.method === 'views.open' || call.method === 'chat.update')).toEqual([])
    expect(await patronsOf(lib)).toEqual(['leaver1'])
  })

  test('a page of 20 in boxes of ten, Next shows the rest, and Tick the whole page asks for that page', async () => {
    const lib = await givenSchool()
    for (let n = 1; n <= 25; n++)
      await lib.patron({ username: `leaver${String(n).padStart(2, '0')}`, lastName: `Leaver${String(n).padStart(2, '0')}`, enabled: false })
    const admin = purger(lib, 'UADMIN')

    const view = await admin.open()
    const boxes = view.blocks.filter((b: any) => b.block_id?.startsWith(purgeBlocks.pickPrefix))
    expect(boxes.map((b: any) => b.element.options.length)).toEqual([10, 10])
    expect(textOf(view.blocks)).toContain('Page 1 of 2')
    expect(buttonsIn(view.blocks, `${purgeActions.page}_previous`)).toEqual([])

    await admin.clickInModal(view, buttonsIn(view.blocks, `${purgeActions.page}_next`)[0])
    const next = (await slack.fake.next('views.update')).args.view
    expect(optionsIn(next)).toEqual(['leaver21', 'leaver22', 'leaver23', 'leaver24', 'leaver25'])
    expect(textOf(next.blocks)).toContain('Page 2 of 2')

    expect((await admin.submit(next, { [purgeBlocks.wholePage]: ['whole_page'] })).status).toBe(200)
    const posted = (await slack.fake.next('chat.postMessage')).args
    expect(textOf(posted.blocks)).toContain('*5 patrons* removed')
  })

  test('the level and group filters list only their patrons, from the first page', async () => {
    const lib = await givenSchool()
    await lib.patron({ username: 'y7a', level: 'Year 7', groups: ['Chess'], enabled: false })
    await lib.patron({ username: 'y7b', level: 'Year 7', enabled: false })
    await lib.patron({ username: 'y12', level: 'Year 12', groups: ['Chess'], enabled: false })
    const admin = purger(lib, 'UADMIN')
    const view = await admin.open()
    expect(optionsIn(view).sort()).toEqual(['y12', 'y7a', 'y7b'])

    await admin.clickInModal(view, buttonsIn(view.blocks, purgeActions.show)[0], { [purgeBlocks.level]: 'Year 7' })
    const year7 = (await slack.fake.next('views.update')).args.view
    await admin.clickInModal(year7, buttonsIn(year7.blocks, purgeActions.show)[0], { [purgeBlocks.level]: 'Year 7', [purgeBlocks.group]: 'Chess' })
    const chess7 = (await slack.fake.next('views.update')).args.view

    expect(optionsIn(year7).sort()).toEqual(['y7a', 'y7b'])
    expect(optionsIn(chess7)).toEqual(['y7a'])
    expect(JSON.parse(chess7.private_metadata)).toMatchObject({ page: 1, filter: { academicLevel: 'Year 7', group: 'Chess' } })
  })

  test('nothing ticked: the form says so on the page, and nothing is asked', async () => {
    const lib = await givenSchool()
    await lib.patron({ username: 'leaver1', enabled: false })
    const answer = await purger(lib, 'UADMIN').submit(await purger(lib, 'UADMIN').open())
    expect(await answer.json()).toEqual({ response_action: 'errors', errors: { [purgeBlocks.wholePage]: 'Tick at least one patron, or the whole page' } })
    expect(slack.fake.calls.filter((call) => call.method === 'chat.postMessage')).toEqual([])
  })
})

describe('/purge, pressed late or twice', () => {
  test('Approve pressed again once another admin approved it names that admin, not the one who pressed last (here the asker)', async () => {
    const lib = await givenSchool()
    await lib.patron({ username: 'leaver1', enabled: false })
    const request = await askFor(lib, 'UADMIN', await purger(lib, 'UADMIN').open(), ['leaver1'])
    // UADMIN2 approved; the purge is still to run (its runner died, or is a second ahead).
    await slack.service.deps.db
      .updateTable('batches')
      .set({ status: 'approved', confirmed_by: 'slack:UADMIN2', heartbeat_at: new Date(Date.now() - 61_000) })
      .where('library_id', '=', lib.id)
      .where('kind', '=', 'purge')
      .execute()

    await purger(lib, 'UADMIN').clickMessage(buttonsIn(request.args.blocks, purgeActions.approve)[0], request.ref)
    const done = await followUpdates(slack)

    expect(textOf(done.last.blocks)).toContain('Asked by <@UADMIN>, approved by <@UADMIN2>.')
    expect(done.last.text).not.toContain('approved by <@UADMIN>.')
  })

  test('Approve after Reject, after the purge, and on an expired request: each says so in words, and nothing more is removed', async () => {
    const lib = await givenSchool()
    await lib.patron({ username: 'leaver1', enabled: false })
    await lib.patron({ username: 'leaver2', enabled: false })
    const rejected = await askFor(lib, 'UADMIN', await purger(lib, 'UADMIN').open(), ['leaver1'])
    await purger(lib, 'UADMIN2').clickMessage(buttonsIn(rejected.args.blocks, purgeActions.reject)[0], rejected.ref)
    await slack.fake.next('chat.update')

    await purger(lib, 'UADMIN2').clickMessage(buttonsIn(rejected.args.blocks, purgeActions.approve)[0], rejected.ref)
    expect((await slack.fake.next('response_url')).args.text).toBe('This purge request was rejected already. Nothing more was done.')

    const purged = await askFor(lib, 'UADMIN', await purger(lib, 'UADMIN').open(), ['leaver2'])
    await purger(lib, 'UADMIN2').clickMessage(buttonsIn(purged.args.blocks, purgeActions.approve)[0], purged.ref)
    await followUpdates(slack)
    await purger(lib, 'UADMIN2').clickMessage(buttonsIn(purged.args.blocks, purgeActions.approve)[0], purged.ref)
    expect((await slack.fake.next('response_url')).args.text).toBe('This purge request was approved and carried out already. Nothing more was done.')

    const expired = await askFor(lib, 'UADMIN', await purger(lib, 'UADMIN').open(), ['leaver1'])
    await slack.service.deps.db
      .updateTable('batches')
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where('library_id', '=', lib.id)
      .where('status', '=', 'staged')
      .execute()
    await purger(lib, 'UADMIN2').clickMessage(buttonsIn(expired.args.blocks, purgeActions.approve)[0], expired.ref)
    expect((await slack.fake.next('chat.update')).args.text).toContain('Expired: nobody approved it within a week; nothing was removed.')
    expect((await slack.fake.next('response_url')).args.text).toBe('This purge request expired: nobody approved it within a week. Nothing more was done.')
    expect(await patronsOf(lib)).toEqual(['leaver1'])
  })
})

describe('/purge, Reject late', () => {
  test('Reject on a request past its week: its message says it expired (no buttons left), and the clicker is told nothing was done', async () => {
    const lib = await givenSchool()
    await lib.patron({ username: 'leaver1', enabled: false })
    const request = await askFor(lib, 'UADMIN', await purger(lib, 'UADMIN').open(), ['leaver1'])
    await slack.service.deps.db
      .updateTable('batches')
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where('library_id', '=', lib.id)
      .where('kind', '=', 'purge')
      .execute()

    await purger(lib, 'UADMIN2').clickMessage(buttonsIn(request.args.blocks, purgeActions.reject)[0], request.ref)

    const update = (await slack.fake.next('chat.update')).args
    expect(update).toMatchObject({ channel: request.ref.channel, ts: request.ref.ts })
    expect(update.text).toContain('Expired: nobody approved it within a week; nothing was removed.')
    expect(buttonsIn(update.blocks, purgeActions.approve)).toEqual([])
    expect((await slack.fake.next('response_url')).args.text).toContain('Nothing more was done.')
    expect(await patronsOf(lib)).toEqual(['leaver1'])
  })
})

describe('/purge in a library with many groups', () => {
  test('more groups than a select lists: the group is typed, Show lists its patrons, and a name the library lacks is said so', async () => {
    const lib = await givenSchool()
    await slack.service.deps.db
      .insertInto('library_groups')
      .values(Array.from({ length: 120 }, (_, i) => ({ library_id: lib.id, name: `Club ${i}` })))
      .execute()
    await lib.patron({ username: 'in110', groups: ['Club 110'], enabled: false })
    await lib.patron({ username: 'other', groups: ['Club 1'], enabled: false })
    const admin = purger(lib, 'UADMIN')
    const view = await admin.open()
    const group = view.blocks.find((b: any) => b.block_id === purgeBlocks.group)
    expect(group.element.type).toBe('plain_text_input')

    await admin.clickInModal(view, buttonsIn(view.blocks, purgeActions.show)[0], { [purgeBlocks.group]: ' Club 110 ' })
    const club = (await slack.fake.next('views.update')).args.view
    expect(optionsIn(club)).toEqual(['in110'])
    expect(club.blocks.find((b: any) => b.block_id === purgeBlocks.group).element.initial_value).toBe('Club 110')

    await admin.clickInModal(club, buttonsIn(club.blocks, purgeActions.show)[0], { [purgeBlocks.group]: 'Club 999' })
    const told = (await slack.fake.next('views.push')).args.view
    expect(textOf(told.blocks)).toContain('The library has no group “Club 999”')

    await admin.clickInModal(club, buttonsIn(club.blocks, purgeActions.show)[0], { [purgeBlocks.group]: '' })
    expect(optionsIn((await slack.fake.next('views.update')).args.view).sort()).toEqual(['in110', 'other'])
  })
})

describe('/purge with very long names', () => {
  test('the request message and List everyone keep each text within Slack’s 3,000 characters, and still count everyone', async () => {
    const lib = await givenSchool()
    // 200-character names of `&` (five characters once escaped), 100-character usernames and levels.
    for (let n = 0; n < 12; n++) {
      await lib.patron({
        username: `${String(n).padStart(2, '0')}${'u'.repeat(98)}`,
        firstName: '&'.repeat(200),
        lastName: `Núñez ${'<@U1>'.repeat(39)}`,
        level: 'L'.repeat(100),
        enabled: false,
      })
    }
    const view = await purger(lib, 'UADMIN').open()
    const request = await askFor(lib, 'UADMIN', view, optionsIn(view))
    const texts = (blocks: any[]) => blocks.map((b: any) => b.text?.text ?? '')

    for (const text of texts(request.args.blocks)) expect(text.length).toBeLessThanOrEqual(3000)
    const who = texts(request.args.blocks).find((t: string) => t.startsWith('*Who:*'))
    expect(who).toMatch(/, and \d+ more$/)
    expect(who).toContain('&amp;')
    expect(who).not.toContain('<@U1>')

    await purger(lib, 'UADMIN2').clickMessage(buttonsIn(request.args.blocks, purgeActions.listEveryone)[0], request.ref)
    const everyone = (await slack.fake.next('views.open')).args.view
    for (const text of texts(everyone.blocks)) expect(text.length).toBeLessThanOrEqual(3000)
    expect(everyone.blocks.length).toBeLessThanOrEqual(100)
    expect(textOf(everyone.blocks).match(/\(\d\du+…?\)/g)).toHaveLength(12)
  })
})

describe('the purge sweep', () => {
  test('a request nobody approved within a week: its message says it expired, and nothing was removed', async () => {
    const lib = await givenSchool()
    await lib.patron({ username: 'leaver1', enabled: false })
    const request = await askFor(lib, 'UADMIN', await purger(lib, 'UADMIN').open(), ['leaver1'])
    const { deps } = slack.service
    await deps.db
      .updateTable('batches')
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where('library_id', '=', lib.id)
      .where('kind', '=', 'purge')
      .execute()
    const client = new webApi.WebClient('xoxb-test', { slackApiUrl: slack.fake.apiUrl })
    const logger = pino({ level: 'silent' })

    const swept = await runPurgeSweep(deps, { updater: (ref) => progressUpdater({ client, logger, clock: deps.clock }, ref) })

    expect(swept).not.toBe('busy')
    const update = (await slack.fake.next('chat.update')).args
    expect(update).toMatchObject({ channel: request.ref.channel, ts: request.ref.ts })
    expect(update.text).toContain('Expired: nobody approved it within a week; nothing was removed.')
    expect(await patronsOf(lib)).toEqual(['leaver1'])
  })

  test('an approved purge a restart cut short is carried on, and its message ends with the counts', async () => {
    const lib = await givenSchool()
    await lib.patron({ username: 'leaver1', enabled: false })
    await lib.patron({ username: 'stays' })
    const request = await askFor(lib, 'UADMIN', await purger(lib, 'UADMIN').open(), ['leaver1'])
    const { deps } = slack.service
    // As a process that died just after the approval leaves it: approved, no page done, silent for a minute.
    await deps.db
      .updateTable('batches')
      .set({ status: 'approved', confirmed_by: 'slack:UADMIN2', heartbeat_at: new Date(Date.now() - 61_000) })
      .where('library_id', '=', lib.id)
      .where('kind', '=', 'purge')
      .execute()
    const client = new webApi.WebClient('xoxb-test', { slackApiUrl: slack.fake.apiUrl })
    const logger = pino({ level: 'silent' })

    await runPurgeSweep(deps, { updater: (ref) => progressUpdater({ client, logger, clock: deps.clock }, ref) })
    const done = await followUpdates(slack)

    expect(done.ref).toEqual(request.ref)
    expect(textOf(done.last.blocks)).toContain('Asked by <@UADMIN>, approved by <@UADMIN2>.')
    expect(textOf(done.last.blocks)).toContain('1 patron removed')
    expect(await patronsOf(lib)).toEqual(['stays'])
  })
})
