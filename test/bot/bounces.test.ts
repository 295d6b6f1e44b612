import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { bounceActions } from '../../src/bot/bounces/views.ts'
import { contactBlocks } from '../../src/bot/contacts/modal-views.ts'
import { contactActions } from '../../src/bot/contacts/views.ts'
import { createSesSuppressionList } from '../../src/mail/ses-suppression.ts'
import { givenBlacklisted } from '../support/blacklist.ts'
import { type GivenLibrary, givenLibrary } from '../support/builders.ts'
import { type FakeSesSuppression, startFakeSesSuppression } from '../support/fake-ses-suppression.ts'
import { buttonsIn, textOf } from '../support/fake-slack.ts'
import { type SlackTestService, slackUser, startServiceWithSlack } from '../support/slack-request.ts'

let slack: SlackTestService
let ses: FakeSesSuppression
beforeAll(async () => {
  ses = await startFakeSesSuppression()
  slack = await startServiceWithSlack({ suppressionList: createSesSuppressionList(ses.client()) })
})
afterAll(async () => {
  await slack.stop()
  await ses.close()
})
beforeEach(async () => {
  slack.fake.clear()
  await slack.service.deps.db.deleteFrom('blacklist').execute()
})

const userIn = (lib: Pick<GivenLibrary, 'slackTeamId'>, userId: string) =>
  slackUser({ eventsUrl: slack.eventsUrl, fake: slack.fake, teamId: lib.slackTeamId, userId })
const db = () => slack.service.deps.db

/** Ana, whose mother's address bounced for good; staff and a viewer. */
async function libraryWithABounce() {
  const lib = await givenLibrary(slack.service.deps, { timeZone: 'Europe/London' })
  await lib.staff('USTAFF', 'staff')
  await lib.staff('UVIEWER', 'viewer')
  const ana = await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva' })
  const mum = await lib.contact(ana, { role: 'guardian', address: 'maria.silva@example.org' })
  await lib.contact(ana, { role: 'patron', address: 'ana@school.example' })
  await givenBlacklisted(db(), [
    { address: 'maria.silva@example.org', reason: 'bounce', detail: 'Permanent (General): 550 5.1.1 user unknown', source: 'ses', libraryId: lib.id },
  ])
  ses.suppress('maria.silva@example.org')
  return { lib, ana, mum }
}

async function reply(lib: GivenLibrary, userId: string, command: string, text: string) {
  const response = await userIn(lib, userId).command(command, text)
  expect(response.status).toBe(200)
  return (await slack.fake.next('response_url')).args
}

describe('/bounces', () => {
  test('staff see each blacklisted address with the patron whose contact it is, why, and Fix and Remove buttons', async () => {
    const { lib } = await libraryWithABounce()

    const list = await reply(lib, 'USTAFF', '/bounces', '')

    expect(list.response_type).toBe('ephemeral')
    const text = textOf(list.blocks)
    expect(text).toContain('*maria.silva@example.org*')
    expect(text).toContain('Bounced: Permanent (General): 550 5.1.1 user unknown')
    expect(text).toContain('Contact of Ana Silva (`asilva`, guardian)')
    expect(buttonsIn(list.blocks, contactActions.edit).map((b) => b.text.text)).toEqual(['Fix the address'])
    const [remove] = buttonsIn(list.blocks, bounceActions.remove)
    expect(remove.confirm.title.text).toBe('Remove from blacklist?')
  })

  test('a viewer sees the list without buttons', async () => {
    const { lib } = await libraryWithABounce()

    const list = await reply(lib, 'UVIEWER', '/bounces', 'since 2020-01-01')

    expect(textOf(list.blocks)).toContain('maria.silva@example.org')
    expect(buttonsIn(list.blocks, contactActions.edit)).toEqual([])
    expect(buttonsIn(list.blocks, bounceActions.remove)).toEqual([])
  })

  test('a since that is not a date is answered with how to type it', async () => {
    const { lib } = await libraryWithABounce()
    const answer = await reply(lib, 'USTAFF', '/bounces', 'since last tuesday')
    expect(answer.text).toBe('“last tuesday” is not a date. Type `/bounces` for the last 30 days, or `/bounces since 2026-03-01`.')
  })

  test('Fix the address opens the contact form; saving a new address shows the card without the warning', async () => {
    const { lib, ana } = await libraryWithABounce()
    const list = await reply(lib, 'USTAFF', '/bounces', '')

    await userIn(lib, 'USTAFF').click(buttonsIn(list.blocks, contactActions.edit)[0])
    const modal = (await slack.fake.next('views.open')).args.view
    await userIn(lib, 'USTAFF').submit(modal, { [contactBlocks.address]: 'maria@silva.example' })

    const card = (await slack.fake.next('response_url')).args
    expect(card.replace_original).toBe(true)
    expect(textOf(card.blocks)).toContain('Saved guardian contact maria@silva.example')
    expect(textOf(card.blocks)).not.toContain('Blacklisted')
    expect((await lib.contactsOf(ana)).map((c) => c.address)).toEqual(['maria@silva.example', 'ana@school.example'])
  })

  test('Remove from blacklist takes the address off ours and SES’s lists, says so, and is audited', async () => {
    const { lib } = await libraryWithABounce()
    const list = await reply(lib, 'USTAFF', '/bounces', '')

    await userIn(lib, 'USTAFF').click(buttonsIn(list.blocks, bounceActions.remove)[0])

    const after = (await slack.fake.next('response_url')).args
    expect(after.replace_original).toBe(true)
    expect(textOf(after.blocks)).toContain('Took maria.silva@example.org off the blacklist')
    expect(textOf(after.blocks)).toContain('No address of this library’s contacts was blacklisted since')
    expect(ses.isSuppressed('maria.silva@example.org')).toBe(false)
    expect(await lib.auditActions()).toEqual([expect.objectContaining({ action: 'blacklist.remove', actor: 'slack:USTAFF' })])
  })

  test('a viewer’s click on an old Remove button is refused', async () => {
    const { lib } = await libraryWithABounce()
    const list = await reply(lib, 'USTAFF', '/bounces', '')

    await userIn(lib, 'UVIEWER').click(buttonsIn(list.blocks, bounceActions.remove)[0])

    const refusal = (await slack.fake.next('response_url')).args
    expect(refusal.text).toContain('you can’t review bounced addresses')
    expect(await db().selectFrom('blacklist').select('address').execute()).toEqual([{ address: 'maria.silva@example.org' }])
  })
})

describe('/contacts', () => {
  test('a bounced contact shows with a warning and the reason', async () => {
    const { lib } = await libraryWithABounce()

    const card = await reply(lib, 'UVIEWER', '/contacts', 'asilva')

    const text = textOf(card.blocks)
    expect(text).toContain(
      'maria.silva@example.org\nBCC: school default · Usage: any scenario · Source: imported\n:warning: *Blacklisted: no notice is mailed to this address.* :no_entry: Bounced: Permanent (General): 550 5.1.1 user unknown',
    )
    expect(text.match(/Blacklisted/g)).toHaveLength(1)
  })
})
