import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest'
import { contactBlocks } from '../../src/bot/contacts/modal-views.ts'
import { contactActions } from '../../src/bot/contacts/views.ts'
import { givenLibrary } from '../support/builders.ts'
import { buttonsIn, textOf } from '../support/fake-slack.ts'
import { type SlackTestService, slackUser, startServiceWithSlack } from '../support/slack-request.ts'
import { capturedLog } from './captured-log.ts'

let slack: SlackTestService
const log = capturedLog()
beforeAll(async () => (slack = await startServiceWithSlack({ logger: log.logger })))
afterAll(async () => slack.stop())
beforeEach(() => (slack.fake.clear(), log.clear()))
afterEach(() => vi.restoreAllMocks())

const somethingWentWrong = 'Sorry, something went wrong on our side and your request could not be finished.'

async function libraryWithAna() {
  const lib = await givenLibrary(slack.service.deps)
  await lib.staff('USTAFF', 'staff')
  const ana = await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva' })
  await lib.contact(ana, { address: 'maria.silva@example.org' })
  const user = slackUser({ eventsUrl: slack.eventsUrl, fake: slack.fake, teamId: lib.slackTeamId, userId: 'USTAFF' })
  return { lib, ana, user }
}

/**
 * The database fails from now on when patrons are read, with a message that quotes the patron,
 * as PostgreSQL's `where` detail can.
 */
function patronsBecomeUnreadable() {
  const db = slack.service.deps.db
  const selectFrom = db.selectFrom.bind(db)
  vi.spyOn(db, 'selectFrom').mockImplementation(((table: string) => {
    if (String(table).startsWith('patrons')) throw Object.assign(new Error('connection lost while reading "asilva" (Ana Silva)'), { code: '08006' })
    return selectFrom(table as never)
  }) as typeof db.selectFrom)
}

/** What the IT admin finds in the log: one error line, with no patron in it. */
function expectOneErrorWithoutPersonalData(request: string) {
  const errors = log.lines().filter((line) => line.level >= 50)
  expect(errors).toEqual([
    expect.objectContaining({ msg: 'a Slack listener failed; the asker is told so', request, failure: expect.objectContaining({ code: '08006' }) }),
  ])
  expect(log.raw()).not.toContain('asilva')
  expect(log.raw()).not.toContain('Ana Silva')
}

describe('when something fails on our side after Slack was answered', () => {
  test('/contacts tells the asker, privately, that something went wrong, instead of leaving them with no reply', async () => {
    const { user } = await libraryWithAna()
    patronsBecomeUnreadable()

    expect((await user.command('/contacts', 'asilva')).status).toBe(200)
    const reply = (await slack.fake.next('response_url')).args

    expect(reply.response_type).toBe('ephemeral')
    expect(textOf(reply.blocks)).toContain(somethingWentWrong)
    expect(textOf(reply.blocks)).toContain('Nothing was left half-done')
    expectOneErrorWithoutPersonalData('/contacts')
  })

  test('a button on the card says so under the card, and leaves the card as it was', async () => {
    const { user } = await libraryWithAna()
    expect((await user.command('/contacts', 'asilva')).status).toBe(200)
    const card = (await slack.fake.next('response_url')).args
    patronsBecomeUnreadable()

    await user.click(buttonsIn(card.blocks, contactActions.edit)[0])
    const reply = (await slack.fake.next('response_url')).args

    expect(reply).toMatchObject({ response_type: 'ephemeral', replace_original: false })
    expect(textOf(reply.blocks)).toContain(somethingWentWrong)
    expect(slack.fake.calls.filter((call) => call.method === 'views.open')).toEqual([])
    expectOneErrorWithoutPersonalData(`block_actions ${contactActions.edit}`)
  })

  test('a form whose saving fails is told in the app’s direct message, and nothing is saved', async () => {
    const { lib, ana, user } = await libraryWithAna()
    expect((await user.command('/contacts', 'asilva')).status).toBe(200)
    const card = (await slack.fake.next('response_url')).args
    await user.click(buttonsIn(card.blocks, contactActions.add)[0])
    const modal = (await slack.fake.next('views.open')).args.view
    const db = slack.service.deps.db
    vi.spyOn(db, 'transaction').mockImplementation(() => {
      throw Object.assign(new Error('connection lost while adding dad@example.org for asilva'), { code: '08006' })
    })

    const response = await user.submit(modal, { [contactBlocks.address]: 'dad@example.org' })
    const told = (await slack.fake.next('chat.postMessage')).args

    // Slack shows its own error in the form; the message says what happened.
    expect(response.status).toBe(500)
    expect(told.channel).toBe('USTAFF')
    expect(textOf(told.blocks)).toContain(somethingWentWrong)
    vi.restoreAllMocks()
    expect(await lib.contactsOf(ana)).toHaveLength(1)
    expect(log.lines().filter((line) => line.level >= 50)).toEqual([expect.objectContaining({ request: 'view_submission contacts.modal' })])
    expect(log.raw()).not.toContain('dad@example.org')
    expect(log.raw()).not.toContain('asilva')
  })
})
