import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { editTemplateAction, templateActions, templateBlocks } from '../../src/bot/templates/views.ts'
import { defaultTemplates } from '../../src/domain/templates/defaults.ts'
import { type GivenLibrary, givenLibrary } from '../support/builders.ts'
import { buttonsIn, textOf } from '../support/fake-slack.ts'
import { type SlackTestService, slackUser, startServiceWithSlack } from '../support/slack-request.ts'

let slack: SlackTestService
beforeAll(async () => (slack = await startServiceWithSlack()))
afterAll(async () => slack.stop())
beforeEach(() => slack.fake.clear())

const userIn = (lib: Pick<GivenLibrary, 'slackTeamId'>, userId: string) =>
  slackUser({ eventsUrl: slack.eventsUrl, fake: slack.fake, teamId: lib.slackTeamId, userId })

async function libraryWithOverdueLoans() {
  const lib = await givenLibrary(slack.service.deps, { name: 'Riverside Library' })
  await lib.staff('UADMIN', 'admin')
  await lib.staff('USTAFF', 'staff')
  await lib.staff('UVIEWER', 'viewer')
  const ana = await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva' })
  await lib.contact(ana, { role: 'guardian', address: 'maria.silva@example.org', addressee: 'Mrs Silva', bcc: 'no' })
  await lib.loan(ana, { dueDate: '2020-02-20', title: 'The Hobbit', author: 'J. R. R. Tolkien' })
  return lib
}

/** Clicks the scenario's Edit template button (on the /notices view) and returns the modal that opens. */
async function openTemplate(lib: GivenLibrary, scenario = 'circulation.overdue', userId = 'UADMIN') {
  const response = await userIn(lib, userId).click({ action_id: editTemplateAction, value: scenario })
  expect(response.status).toBe(200)
  return (await slack.fake.next('views.open')).args.view
}

const button = (view: any, actionId: string) => buttonsIn(view.blocks, actionId)[0]

async function storedTemplates(lib: GivenLibrary) {
  return slack.database.db.selectFrom('templates').where('library_id', '=', lib.id).select(['scenario', 'subject', 'html', 'text']).execute()
}

async function queuedMessages(lib: GivenLibrary) {
  const messages = await slack.database.db.selectFrom('messages').where('library_id', '=', lib.id).select(['id', 'subject', 'status', 'requested_by']).execute()
  const recipients = await slack.database.db.selectFrom('message_recipients').select(['message_id', 'kind', 'address']).execute()
  return messages.map((m) => ({ ...m, recipients: recipients.filter((r) => r.message_id === m.id).map((r) => `${r.kind} ${r.address}`) }))
}

describe('the template modal', () => {
  test('opens with the scenario’s template in its three inputs and lists the placeholders the scenario offers', async () => {
    const lib = await libraryWithOverdueLoans()

    const modal = await openTemplate(lib)

    const inputs = Object.fromEntries(modal.blocks.filter((b: any) => b.type === 'input').map((b: any) => [b.block_id, b.element.initial_value]))
    expect(inputs).toMatchObject({
      [templateBlocks.subject(0)]: defaultTemplates['circulation.overdue'].subject,
      [templateBlocks.html(0)]: defaultTemplates['circulation.overdue'].html,
      [templateBlocks.text(0)]: defaultTemplates['circulation.overdue'].text,
    })
    const shown = textOf(modal.blocks)
    expect(shown).toContain('*Overdue notice*')
    expect(shown).toContain('This is the default template')
    expect(shown).toContain('`loan.due_date_text`  The due date written out: Monday 2 March 2026')
    expect(shown).toContain('`patron.first_name`')
    expect(shown).not.toContain('reset_link')
    expect(buttonsIn(modal.blocks, templateActions.preview)).toHaveLength(1)
    expect(buttonsIn(modal.blocks, templateActions.sendTest)).toHaveLength(1)
    expect(button(modal, templateActions.reset).confirm).toBeDefined()
  })

  test('opened from a modal (the /notices scenario view may be one), the form is stacked on it', async () => {
    const lib = await libraryWithOverdueLoans()
    const noticesView = { id: 'VNOTICES', blocks: [], private_metadata: '' }

    await userIn(lib, 'UADMIN').clickInModal(noticesView, { action_id: editTemplateAction, value: 'reservation.ready' })

    const pushed = (await slack.fake.next('views.push')).args.view
    expect(textOf(pushed.blocks)).toContain('*Reservation ready*')
    expect(textOf(pushed.blocks)).toContain('`reservation.pickup_by_text`')
  })

  test('Save with an unknown placeholder or a syntax error shows each on its input, with line and column, and saves nothing', async () => {
    const lib = await libraryWithOverdueLoans()
    const modal = await openTemplate(lib)

    const response = await userIn(lib, 'UADMIN').submit(modal, {
      [templateBlocks.html(0)]: '<p>Dear {{ addressee }},</p>\n<p>{{ patron.nickname }}</p>',
      [templateBlocks.text(0)]: 'Dear {{ addressee }},\n{% if loans.size > 1 %}',
    })

    expect(await response.json()).toEqual({
      response_action: 'errors',
      errors: {
        [templateBlocks.html(0)]: 'Line 2, column 7: “patron.nickname” is not a placeholder of this notice',
        [templateBlocks.text(0)]: 'Line 2, column 1: {% if loans.size > 1 %} is not closed: end it with {% endif %}',
      },
    })
    expect(await storedTemplates(lib)).toEqual([])
    expect(await lib.auditActions()).toEqual([])
  })

  test('Save keeps the library’s own template, audited, and the modal says so', async () => {
    const lib = await libraryWithOverdueLoans()
    const modal = await openTemplate(lib)

    const response = await userIn(lib, 'UADMIN').submit(modal, { [templateBlocks.subject(0)]: 'Books to bring back, {{ patron.first_name }}' })

    const answer = await response.json()
    expect(answer.response_action).toBe('update')
    expect(textOf(answer.view.blocks)).toContain('*Overdue notice* now sends the library’s own template.')
    expect(await storedTemplates(lib)).toEqual([
      { scenario: 'circulation.overdue', ...defaultTemplates['circulation.overdue'], subject: 'Books to bring back, {{ patron.first_name }}' },
    ])
    expect((await lib.auditActions()).map((entry) => [entry.action, entry.actor])).toEqual([['template.saved', 'slack:UADMIN']])

    const reopened = await openTemplate(lib)
    expect(textOf(reopened.blocks)).toContain('This is the library’s own template.')
  })

  test('Preview shows the form as typed, rendered with a real patron’s data, on top of the form', async () => {
    const lib = await libraryWithOverdueLoans()
    const modal = await openTemplate(lib)

    await userIn(lib, 'UADMIN').clickInModal(modal, button(modal, templateActions.preview), {
      [templateBlocks.subject(0)]: 'Still out: {{ loans.first.title }}',
      [templateBlocks.patron(0)]: 'ASilva',
    })

    const pushed = (await slack.fake.next('views.push')).args.view
    const shown = textOf(pushed.blocks)
    expect(shown).toContain('With the data of *Ana Silva* (`asilva`).')
    expect(shown).toContain('To: maria.silva@example.org')
    expect(shown).toContain('*Subject:* Still out: The Hobbit')
    expect(shown).toContain('Dear Mrs Silva,')
    // The service runs on the real clock: the loan is overdue by however long ago that is.
    expect(shown).toMatch(/- The Hobbit, by J\. R\. R\. Tolkien: was due back Thursday 20 February 2020 \(\d+ days overdue\)/)
    expect(await storedTemplates(lib)).toEqual([])
  })

  test('Preview of a library with no data says it is made-up example data; an unknown patron is said to be unknown', async () => {
    const lib = await givenLibrary(slack.service.deps)
    await lib.staff('UADMIN', 'admin')
    const modal = await openTemplate(lib, 'reservation.ready')

    await userIn(lib, 'UADMIN').clickInModal(modal, button(modal, templateActions.preview))
    expect(textOf((await slack.fake.next('views.push')).args.view.blocks)).toContain('*Example data*: the library has nothing for this notice yet')

    await userIn(lib, 'UADMIN').clickInModal(modal, button(modal, templateActions.preview), { [templateBlocks.patron(0)]: 'nobody' })
    expect(textOf((await slack.fake.next('views.push')).args.view.blocks)).toContain('There is no patron with the username `nobody`')
  })

  test('Send test queues one email to the member’s own address, as their Slack profile gives it', async () => {
    const lib = await libraryWithOverdueLoans()
    slack.fake.profile('UADMIN', { email: 'librarian@school.example' })
    const modal = await openTemplate(lib)

    await userIn(lib, 'UADMIN').clickInModal(modal, button(modal, templateActions.sendTest))

    expect((await slack.fake.next('users.info')).args.user).toBe('UADMIN')
    const told = textOf((await slack.fake.next('views.push')).args.view.blocks)
    expect(told).toContain('“[Test] Overdue library book for Ana” is on its way to *librarian@school.example*, and to no one else.')
    expect(await queuedMessages(lib)).toEqual([
      expect.objectContaining({
        subject: '[Test] Overdue library book for Ana',
        status: 'queued',
        requested_by: 'slack:UADMIN',
        recipients: ['to librarian@school.example'],
      }),
    ])
  })

  test('Send test is refused, clearly, when Slack gives no email address for the member', async () => {
    const lib = await libraryWithOverdueLoans()
    const modal = await openTemplate(lib)

    await userIn(lib, 'UADMIN').clickInModal(modal, button(modal, templateActions.sendTest))
    expect(textOf((await slack.fake.next('views.push')).args.view.blocks)).toContain('Slack has no email address for you')

    slack.fake.refuseNext('users.info', 'missing_scope')
    await userIn(lib, 'UADMIN').clickInModal(modal, button(modal, templateActions.sendTest))
    expect(textOf((await slack.fake.next('views.push')).args.view.blocks)).toContain('add the `users:read.email` scope')

    expect(await queuedMessages(lib)).toEqual([])
  })

  test('Reset to default deletes the library’s own template and shows the default in the form again', async () => {
    const lib = await libraryWithOverdueLoans()
    const first = await openTemplate(lib)
    await userIn(lib, 'UADMIN').submit(first, { [templateBlocks.subject(0)]: 'Mine' })
    const modal = await openTemplate(lib)
    expect(modal.blocks.find((b: any) => b.block_id === templateBlocks.subject(0)).element.initial_value).toBe('Mine')

    await userIn(lib, 'UADMIN').clickInModal(modal, button(modal, templateActions.reset))

    const updated = (await slack.fake.next('views.update')).args
    expect(updated.view_id).toBe('V1')
    // New block ids: Slack would otherwise keep what the inputs held before.
    expect(updated.view.blocks.find((b: any) => b.block_id === templateBlocks.subject(1)).element.initial_value).toBe(
      defaultTemplates['circulation.overdue'].subject,
    )
    expect(textOf(updated.view.blocks)).toContain('Reset: this notice sends the default template again.')
    expect(await storedTemplates(lib)).toEqual([])
    expect((await lib.auditActions()).map((entry) => entry.action)).toEqual(['template.saved', 'template.reset'])

    const saved = await userIn(lib, 'UADMIN').submit(updated.view, { [templateBlocks.subject(1)]: 'Mine again' })
    expect((await saved.json()).response_action).toBe('update')
    expect((await storedTemplates(lib)).map((t) => t.subject)).toEqual(['Mine again'])
  })
})

describe('who may edit templates', () => {
  test.each([
    ['UVIEWER', 'viewer'],
    ['USTAFF', 'staff'],
  ])('%s, a %s, is refused politely and no form opens', async (userId, role) => {
    const lib = await libraryWithOverdueLoans()

    await userIn(lib, userId).click({ action_id: editTemplateAction, value: 'circulation.overdue' })

    const reply = (await slack.fake.next('response_url')).args
    expect(reply.response_type).toBe('ephemeral')
    expect(textOf(reply.blocks)).toContain(`Sorry, you can’t edit templates: that needs the *admin* role, and you have the *${role}* role`)
    expect(slack.fake.calls.map((call) => call.method)).not.toContain('views.open')
  })

  test('a form kept open by someone whose role was lowered saves nothing', async () => {
    const lib = await libraryWithOverdueLoans()
    const modal = await openTemplate(lib)
    await slack.database.db.updateTable('staff').set({ role: 'staff' }).where('library_id', '=', lib.id).where('slack_user_id', '=', 'UADMIN').execute()

    const response = await userIn(lib, 'UADMIN').submit(modal, { [templateBlocks.subject(0)]: 'Mine' })

    const answer = await response.json()
    expect(textOf(answer.view.blocks)).toContain('Sorry, you can’t edit templates')
    expect(await storedTemplates(lib)).toEqual([])
  })
})
