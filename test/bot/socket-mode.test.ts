import { afterAll, beforeAll, expect, test } from 'vitest'
import { givenLibrary } from '../support/builders.ts'
import { textOf } from '../support/fake-slack.ts'
import { type SlackTestService, slashCommandBody, startServiceWithSlack } from '../support/slack-request.ts'

let slack: SlackTestService
beforeAll(async () => (slack = await startServiceWithSlack({ socketMode: true })))
afterAll(async () => slack.stop())

test('in Socket Mode the same /contacts answers through the socket', async () => {
  const lib = await givenLibrary(slack.service.deps)
  await lib.staff('USTAFF', 'staff')
  const pupil = await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva' })
  await lib.contact(pupil, { address: 'maria.silva@example.org' })
  const command = slashCommandBody({ teamId: lib.slackTeamId, userId: 'USTAFF', command: '/contacts', text: 'asilva', responseUrl: slack.fake.responseUrl() })

  const acknowledged = await slack.fake.sendEnvelope('slash_commands', Object.fromEntries(new URLSearchParams(command)))

  expect(acknowledged.envelope_id).toBe('envelope-1')
  expect(textOf((await slack.fake.next('response_url')).args.blocks)).toContain('maria.silva@example.org')
})
