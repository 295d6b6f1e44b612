import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { scenarioBlocks, settingsBlocks } from '../../src/bot/notices/modal-views.ts'
import { noticesActions } from '../../src/bot/notices/views.ts'
import { scenarioNames } from '../../src/domain/scenarios/catalogue.ts'
import { loadScenarioSettings } from '../../src/domain/scenarios/settings.ts'
import { type GivenLibrary, givenLibrary } from '../support/builders.ts'
import { buttonsIn, textOf } from '../support/fake-slack.ts'
import { givenLevelsAndGroups, givenMessages, givenNightlyRun } from '../support/notice-settings.ts'
import { type SlackTestService, slackUser, startServiceWithSlack } from '../support/slack-request.ts'

let slack: SlackTestService
beforeAll(async () => (slack = await startServiceWithSlack()))
afterAll(async () => slack.stop())
beforeEach(() => slack.fake.clear())

const userIn = (lib: Pick<GivenLibrary, 'slackTeamId'>, userId: string) =>
  slackUser({ eventsUrl: slack.eventsUrl, fake: slack.fake, teamId: lib.slackTeamId, userId })

async function givenStaffedLibrary() {
  const lib = await givenLibrary(slack.service.deps)
  await lib.staff('UADMIN', 'admin')
  await lib.staff('USTAFF', 'staff')
  await lib.staff('UVIEWER', 'viewer')
  return lib
}

/** Types /notices and returns what the user sees. */
async function notices(lib: GivenLibrary, userId: string, text = '') {
  const response = await userIn(lib, userId).command('/notices', text)
  expect(response.status).toBe(200)
  return (await slack.fake.next('response_url')).args
}

/** Clicks a button of the overview and returns the modal it opens. */
async function openModal(lib: GivenLibrary, userId: string, button: { action_id: string; value: string }) {
  await userIn(lib, userId).click(button)
  return (await slack.fake.next('views.open')).args.view
}

const editButton = (overview: { blocks?: unknown }, scenario: string) =>
  buttonsIn(overview.blocks, noticesActions.editScenario).find((b) => b.value === scenario)!
const blockOf = (view: { blocks: any[] }, blockId: string) => view.blocks.find((block) => block.block_id === blockId)
const settingsOf = async (lib: GivenLibrary, scenario: string) => (await loadScenarioSettings(slack.database.db, lib.id)).find((s) => s.scenario === scenario)!

describe('/notices', () => {
  test("an admin sees the library's settings, then every scenario by family with its schedule in words, and an Edit and Edit template button for each", async () => {
    const lib = await givenStaffedLibrary()

    const overview = await notices(lib, 'UADMIN')

    expect(overview.response_type).toBe('ephemeral')
    expect(overview.blocks.length).toBeLessThanOrEqual(50)
    const shown = textOf(overview.blocks)
    for (const words of ['Time zone', 'Australia/Sydney', 'Nightly run', '02:00', 'BCC default', 'Sender', 'Reply-to', 'Report channel']) {
      expect(shown).toContain(words)
    }
    for (const group of ['Circulation', 'Reservations', 'Lending', 'Account', 'Acquisitions']) expect(shown).toContain(group)
    expect(shown).toContain('*Pre-overdue notice*  :large_green_circle: On · 2 days before the due date')
    expect(shown).toContain('*Overdue notice*  :large_green_circle: On · weekly on Monday')
    expect(shown).toContain('*Escalation #1*  :large_green_circle: On · 14 days overdue')
    expect(shown).toContain('*Reservation expiring*  :large_green_circle: On · 2 days before the pickup-by date')
    expect(shown).toContain('Excludes no one · Default template · No nightly run yet')
    expect(shown).toContain('Default template · Last 24 hours: nothing')
    expect(buttonsIn(overview.blocks, noticesActions.editScenario).map((b) => b.value)).toEqual(scenarioNames)
    expect(buttonsIn(overview.blocks, noticesActions.editTemplate).map((b) => b.value)).toEqual(scenarioNames)
    expect(buttonsIn(overview.blocks, noticesActions.editSettings)).toHaveLength(1)
  })

  test('a viewer sees the same overview without any button', async () => {
    const lib = await givenStaffedLibrary()

    const overview = await notices(lib, 'UVIEWER')

    expect(textOf(overview.blocks)).toContain('weekly on Monday')
    expect(JSON.stringify(overview.blocks)).not.toContain('"type":"button"')
    expect(overview.blocks.some((block: { type: string }) => block.type === 'actions')).toBe(false)
  })

  test('each scenario says what it sent: nightly ones in the latest run, events in the last 24 hours; and whether its template is custom', async () => {
    const lib = await givenStaffedLibrary()
    const db = slack.database.db
    const yesterday = new Date(Date.now() - 60 * 60 * 1000).toISOString()
    await givenNightlyRun(db, { libraryId: lib.id, asOf: '2026-03-10', startedAt: yesterday })
    await givenMessages(db, { libraryId: lib.id, scenario: 'circulation.overdue', status: 'sent', count: 3, asOf: '2026-03-10' })
    await givenMessages(db, { libraryId: lib.id, scenario: 'circulation.overdue', status: 'skipped', count: 2, asOf: '2026-03-10' })
    await givenMessages(db, { libraryId: lib.id, scenario: 'reservation.ready', status: 'queued', plannedAt: yesterday })
    await db
      .insertInto('templates')
      .values({ library_id: lib.id, scenario: 'circulation.overdue', subject: 'Overdue', html: '<p>x</p>', text: 'x', updated_by: 'slack:UADMIN' })
      .execute()

    const shown = textOf((await notices(lib, 'UVIEWER')).blocks)

    expect(shown).toContain('Latest nightly run: for 2026-03-10, finished.')
    expect(shown).toContain('weekly on Monday\nExcludes no one · Custom template · Last run: 3 sent, 2 skipped')
    expect(shown).toContain('Default template · Last run: nothing')
    expect(shown).toContain('Last 24 hours: 1 waiting to go')
  })

  test('help lists what /notices does, the preview of a night included, and an unknown word gets that help', async () => {
    const lib = await givenStaffedLibrary()

    const help = textOf((await notices(lib, 'UVIEWER', 'help')).blocks)
    const unknown = textOf((await notices(lib, 'UVIEWER', 'frobnicate')).blocks)

    expect(help).toContain('`/notices preview 2026-03-10`')
    expect(unknown).toContain('“frobnicate” is not something /notices does.')
    expect(unknown).toContain('`/notices help`')
  })

  test('preview <date> answers through Slack with what that night would send, rendered with the real templates, and sends nothing', async () => {
    const lib = await givenStaffedLibrary()
    const ana = await lib.patron({ username: 'ana' })
    await lib.contact(ana, { address: 'mum@example.org' })
    await lib.loan(ana, { dueDate: '2026-02-16', title: 'Dracula' })

    const shown = textOf((await notices(lib, 'UVIEWER', 'preview 2026-03-02')).blocks)

    expect(shown).toContain('Preview of the night of Monday 2 March 2026')
    expect(shown).toContain('would send 1 notice')
    expect(shown).toMatch(/Escalation #1 for \*ana\* → mum@example\.org: “[^”]+” — Dracula/)
    const messages = await slack.database.db.selectFrom('messages').select('id').where('library_id', '=', lib.id).execute()
    expect(messages).toEqual([])
  })

  test('someone who is not on the staff is refused politely', async () => {
    const lib = await givenStaffedLibrary()
    const reply = await notices(lib, 'USTRANGER')
    expect(textOf(reply.blocks)).toContain('you are not on the staff of')
    expect(textOf(reply.blocks)).not.toContain('Overdue notice')
  })
})

describe('an admin edits a scenario in its modal', () => {
  test('pre-overdue offers 1 to 7 days with the advice that 1 to 3 work best; saving 3 days and an exclusion updates the overview', async () => {
    const lib = await givenStaffedLibrary()
    await givenLevelsAndGroups(slack.database.db, lib.id, { levels: ['Year 8', 'Year 7'], groups: ['Staff'] })
    const responseUrl = slack.fake.responseUrl()
    await userIn(lib, 'UADMIN').command('/notices', '', responseUrl)
    const overview = (await slack.fake.next('response_url')).args

    await userIn(lib, 'UADMIN').click(editButton(overview, 'circulation.pre_overdue'), responseUrl)
    const modal = (await slack.fake.next('views.open')).args.view

    expect(textOf(modal.blocks)).toContain('A low number of days, from 1 to 3, works best.')
    expect(blockOf(modal, scenarioBlocks.daysBefore).element.options).toHaveLength(7)
    expect(blockOf(modal, scenarioBlocks.daysBefore).element.initial_option.value).toBe('2')
    expect(blockOf(modal, scenarioBlocks.excludeAcademicLevels).element.options.map((o: { value: string }) => o.value)).toEqual(['Year 7', 'Year 8'])
    expect(blockOf(modal, scenarioBlocks.frequency)).toBeUndefined()
    expect(blockOf(modal, scenarioBlocks.daysOverdue)).toBeUndefined()

    const response = await userIn(lib, 'UADMIN').submit(modal, { [scenarioBlocks.daysBefore]: '3', [scenarioBlocks.excludeAcademicLevels]: ['Year 7'] })

    expect(response.status).toBe(200)
    expect(await response.text()).toBe('')
    const refreshed = (await slack.fake.next('response_url')).args
    expect(refreshed.url).toBe(new URL(responseUrl).pathname)
    expect(refreshed.replace_original).toBe(true)
    expect(textOf(refreshed.blocks)).toContain(':white_check_mark: Saved *Pre-overdue notice*.')
    expect(textOf(refreshed.blocks)).toContain('3 days before the due date\nExcludes levels Year 7 · Default template')
    expect(await settingsOf(lib, 'circulation.pre_overdue')).toMatchObject({ daysBefore: 3, excludeAcademicLevels: ['Year 7'], excludeGroups: [] })
    expect((await lib.auditActions()).map((entry) => [entry.action, entry.actor])).toEqual([['scenario.updated', 'slack:UADMIN']])
  })

  test('the overdue notice goes monthly on the last day, or off', async () => {
    const lib = await givenStaffedLibrary()
    const modal = await openModal(lib, 'UADMIN', editButton(await notices(lib, 'UADMIN'), 'circulation.overdue'))
    expect(blockOf(modal, scenarioBlocks.monthDay).element.options.at(-1).text.text).toBe('The last day of the month')

    await userIn(lib, 'UADMIN').submit(modal, { [scenarioBlocks.frequency]: 'month', [scenarioBlocks.monthDay]: '31' })
    expect(textOf((await slack.fake.next('response_url')).args.blocks)).toContain('monthly on the last day of the month')

    await userIn(lib, 'UADMIN').submit(modal, { [scenarioBlocks.enabled]: 'off' })
    expect(textOf((await slack.fake.next('response_url')).args.blocks)).toContain('*Overdue notice*  :white_circle: Off · weekly on Monday')
    expect(await settingsOf(lib, 'circulation.overdue')).toMatchObject({ enabled: false, frequency: { every: 'week', weekday: 1 } })
  })

  test('an escalation out of order, or not a number, is answered on its field, and nothing is saved', async () => {
    const lib = await givenStaffedLibrary()
    const modal = await openModal(lib, 'UADMIN', editButton(await notices(lib, 'UADMIN'), 'circulation.escalation_2'))
    expect(textOf(modal.blocks)).toContain('Now #1 at 14, #2 at 28, #3 at 42 days.')

    const outOfOrder = await userIn(lib, 'UADMIN').submit(modal, { [scenarioBlocks.daysOverdue]: '10' })
    const notANumber = await userIn(lib, 'UADMIN').submit(modal, { [scenarioBlocks.daysOverdue]: 'two weeks' })

    expect(await outOfOrder.json()).toEqual({
      response_action: 'errors',
      errors: { [scenarioBlocks.daysOverdue]: 'Escalation #2 comes after escalation #1, which is at 14 days overdue: give more than 14 days' },
    })
    expect(await notANumber.json()).toEqual({
      response_action: 'errors',
      errors: { [scenarioBlocks.daysOverdue]: 'Enter a whole number of days, such as 21' },
    })
    expect((await settingsOf(lib, 'circulation.escalation_2')).daysOverdue).toBe(28)
    expect(await lib.auditActions()).toEqual([])
  })

  test('a scenario that sends at once has only on/off and its exclusions; purchase orders only on/off', async () => {
    const lib = await givenStaffedLibrary()
    const overview = await notices(lib, 'UADMIN')

    const recall = await openModal(lib, 'UADMIN', editButton(overview, 'circulation.recall'))
    const order = await openModal(lib, 'UADMIN', editButton(overview, 'acquisitions.order'))

    expect(recall.blocks.filter((b: { type: string }) => b.type === 'input').map((b: { block_id: string }) => b.block_id)).toEqual([scenarioBlocks.enabled])
    expect(textOf(recall.blocks)).toContain('No academic levels yet')
    expect(order.blocks.filter((b: { type: string }) => b.type === 'input').map((b: { block_id: string }) => b.block_id)).toEqual([scenarioBlocks.enabled])
    expect(textOf(order.blocks)).not.toContain('No academic levels yet')
  })

  test('a school with more groups than a Slack menu holds gets them in groups of 100, and any can be excluded', async () => {
    const lib = await givenStaffedLibrary()
    const groups = Array.from({ length: 150 }, (_, i) => `Class ${String(i + 1).padStart(3, '0')}`)
    await givenLevelsAndGroups(slack.database.db, lib.id, { groups })
    const modal = await openModal(lib, 'UADMIN', editButton(await notices(lib, 'UADMIN'), 'reservation.ready'))

    const element = blockOf(modal, scenarioBlocks.excludeGroups).element
    expect(element.options).toBeUndefined()
    expect(element.option_groups.map((group: { options: unknown[] }) => group.options.length)).toEqual([100, 50])
    await userIn(lib, 'UADMIN').submit(modal, { [scenarioBlocks.excludeGroups]: ['Class 140'] })

    expect(textOf((await slack.fake.next('response_url')).args.blocks)).toContain('Excludes groups Class 140')
  })

  test('staff may not open the form, and a form saved after the role was lowered is refused', async () => {
    const lib = await givenStaffedLibrary()
    const overview = await notices(lib, 'UADMIN')

    await userIn(lib, 'USTAFF').click(editButton(overview, 'circulation.overdue'))
    const refusal = (await slack.fake.next('response_url')).args
    const modal = await openModal(lib, 'UADMIN', editButton(overview, 'circulation.overdue'))
    const saved = await userIn(lib, 'USTAFF').submit(modal, { [scenarioBlocks.enabled]: 'off' })

    expect(textOf(refusal.blocks)).toContain('Sorry, you can’t change how notices go out: that needs the *admin* role')
    expect(refusal.replace_original).toBe(false)
    const answer = await saved.json()
    expect(answer.response_action).toBe('update')
    expect(textOf(answer.view.blocks)).toContain('you can’t change how notices go out')
    expect((await settingsOf(lib, 'circulation.overdue')).enabled).toBe(true)
  })
})

describe("an admin edits the library's settings", () => {
  test('bad values are answered on their fields, and nothing is saved', async () => {
    const lib = await givenStaffedLibrary()
    const modal = await openModal(lib, 'UADMIN', buttonsIn((await notices(lib, 'UADMIN')).blocks, noticesActions.editSettings)[0])
    expect(blockOf(modal, settingsBlocks.runAt).element.initial_value).toBe('02:00')

    const response = await userIn(lib, 'UADMIN').submit(modal, {
      [settingsBlocks.timeZone]: 'Sydney',
      [settingsBlocks.runAt]: '25:00',
      [settingsBlocks.replyTo]: 'library desk',
    })

    expect(await response.json()).toEqual({
      response_action: 'errors',
      errors: {
        [settingsBlocks.timeZone]: '"Sydney" is not a time zone: give one such as Australia/Sydney or Europe/London',
        [settingsBlocks.runAt]: '"25:00" is not a time: give hours and minutes on a 24-hour clock, such as 02:00',
        [settingsBlocks.replyTo]: '"library desk" is not an email address',
      },
    })
    expect(await lib.auditActions()).toEqual([])
  })

  test('saved settings show at the top of the overview', async () => {
    const lib = await givenStaffedLibrary()
    const modal = await openModal(lib, 'UADMIN', buttonsIn((await notices(lib, 'UADMIN')).blocks, noticesActions.editSettings)[0])

    await userIn(lib, 'UADMIN').submit(modal, {
      [settingsBlocks.timeZone]: 'Europe/London',
      [settingsBlocks.runAt]: '01:30',
      [settingsBlocks.bccDefault]: 'bcc',
      [settingsBlocks.senderName]: 'Riverside Library',
      [settingsBlocks.replyTo]: 'library@riverside.example',
      [settingsBlocks.slackChannel]: 'C0REPORTS',
    })

    const shown = textOf((await slack.fake.next('response_url')).args.blocks)
    expect(shown).toContain(':white_check_mark: Saved the notice settings.')
    for (const words of [
      'Europe/London',
      '01:30, local time',
      'Bcc: recipients do not see each other',
      'Riverside Library',
      'library@riverside.example',
      '<#C0REPORTS>',
    ]) {
      expect(shown).toContain(words)
    }
    const reopened = await openModal(lib, 'UADMIN', buttonsIn((await notices(lib, 'UADMIN')).blocks, noticesActions.editSettings)[0])
    expect(blockOf(reopened, settingsBlocks.slackChannel).element.initial_conversation).toBe('C0REPORTS')
    expect((await lib.auditActions()).map((entry) => entry.action)).toEqual(['library.settings_updated'])
  })

  test("keeping purged patrons' loans is ticked until an admin unticks it; the overview says what happens to them", async () => {
    const lib = await givenStaffedLibrary()
    const overview = await notices(lib, 'UADMIN')
    expect(textOf(overview.blocks)).toContain('Kept, anonymised, for statistics')
    const modal = await openModal(lib, 'UADMIN', buttonsIn(overview.blocks, noticesActions.editSettings)[0])
    const box = blockOf(modal, settingsBlocks.retainDeletedPatronLoans)
    expect(box.hint.text).toContain('the item, the dates and the academic level are kept')
    expect(box.element.initial_options.map((option: { value: string }) => option.value)).toEqual(['retain'])

    await userIn(lib, 'UADMIN').submit(modal, { [settingsBlocks.retainDeletedPatronLoans]: [] })

    const shown = textOf((await slack.fake.next('response_url')).args.blocks)
    expect(shown).toContain('Deleted with the patrons')
    const reopened = await openModal(lib, 'UADMIN', buttonsIn((await notices(lib, 'UADMIN')).blocks, noticesActions.editSettings)[0])
    expect(blockOf(reopened, settingsBlocks.retainDeletedPatronLoans).element.initial_options).toBeUndefined()
    expect((await lib.auditActions()).at(-1)).toMatchObject({
      action: 'library.settings_updated',
      after: expect.objectContaining({ retainDeletedPatronLoans: false }),
    })
  })

  test('a viewer who gets hold of the Settings button is refused', async () => {
    const lib = await givenStaffedLibrary()
    const settingsButton = buttonsIn((await notices(lib, 'UADMIN')).blocks, noticesActions.editSettings)[0]

    await userIn(lib, 'UVIEWER').click(settingsButton)

    expect(textOf((await slack.fake.next('response_url')).args.blocks)).toContain('that needs the *admin* role, and you have the *viewer* role')
    expect(slack.fake.calls.some((call) => call.method === 'views.open')).toBe(false)
  })
})
