import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { contactActions } from '../../src/bot/contacts/views.ts'
import { givenLibrary } from '../support/builders.ts'
import { blockActionBody, postToSlackEvents, type SlackTestService, slashCommandBody, startServiceWithSlack } from '../support/slack-request.ts'

let slack: SlackTestService
beforeAll(async () => (slack = await startServiceWithSlack()))
afterAll(async () => slack.stop())
beforeEach(() => slack.fake.clear())

async function libraryWithContact() {
  const lib = await givenLibrary(slack.service.deps)
  await lib.staff('USTAFF', 'staff')
  const pupil = await lib.patron({ username: 'asilva' })
  const contactId = await lib.contact(pupil, { address: 'maria@example.org' })
  const removeClick = (responseUrl: string) =>
    blockActionBody({
      teamId: lib.slackTeamId,
      userId: 'USTAFF',
      button: { action_id: contactActions.remove, value: JSON.stringify({ patronId: pupil.id, contactId }) },
      responseUrl,
    })
  return { lib, pupil, removeClick }
}

// Lets anything a request started in the background reach the fake before we look.
const settle = () => new Promise((resolve) => setTimeout(resolve, 100))

describe('requests to /slack/events', () => {
  test('a request with a wrong signature gets 401 and nothing runs', async () => {
    const { lib, pupil, removeClick } = await libraryWithContact()

    const response = await postToSlackEvents(slack.eventsUrl, removeClick(slack.fake.responseUrl()), { signingSecret: 'not-our-secret' })

    expect(response.status).toBe(401)
    await settle()
    expect(slack.fake.calls).toEqual([])
    expect(await lib.contactsOf(pupil)).toHaveLength(1)
    expect(await lib.auditActions()).toEqual([])
  })

  test('a request signed more than five minutes ago gets 401 and nothing runs', async () => {
    const { lib, pupil, removeClick } = await libraryWithContact()
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60

    const response = await postToSlackEvents(slack.eventsUrl, removeClick(slack.fake.responseUrl()), { timestampSeconds: sixMinutesAgo })

    expect(response.status).toBe(401)
    await settle()
    expect(slack.fake.calls).toEqual([])
    expect(await lib.contactsOf(pupil)).toHaveLength(1)
  })

  test('a request without signature headers gets 401', async () => {
    const body = slashCommandBody({ teamId: 'T1', userId: 'U1', command: '/contacts', text: '', responseUrl: slack.fake.responseUrl() })
    const response = await fetch(slack.eventsUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
    expect(response.status).toBe(401)
  })

  test('the same request, correctly signed, runs', async () => {
    const { lib, pupil, removeClick } = await libraryWithContact()
    const response = await postToSlackEvents(slack.eventsUrl, removeClick(slack.fake.responseUrl()))
    expect(response.status).toBe(200)
    await slack.fake.next('response_url')
    expect(await lib.contactsOf(pupil)).toEqual([])
  })

  test('Slack’s URL check is answered with its challenge', async () => {
    const body = JSON.stringify({ token: 'x', challenge: 'challenge-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' })
    const response = await postToSlackEvents(slack.eventsUrl, body, { contentType: 'application/json' })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ challenge: 'challenge-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' })
  })

  test('an event is acknowledged at once', async () => {
    const body = JSON.stringify({
      type: 'event_callback',
      team_id: 'T1',
      api_app_id: 'A1',
      event: { type: 'app_uninstalled' },
      event_id: 'Ev1',
      event_time: 1700000000,
    })
    const response = await postToSlackEvents(slack.eventsUrl, body, { contentType: 'application/json' })
    expect(response.status).toBe(200)
  })
})
