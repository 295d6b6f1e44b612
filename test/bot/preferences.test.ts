import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { preferencesBlocks } from '../../src/bot/preferences/views.ts'
import { type GivenLibrary, givenLibrary } from '../support/builders.ts'
import { textOf } from '../support/fake-slack.ts'
import { type SlackTestService, slackUser, startServiceWithSlack } from '../support/slack-request.ts'

let slack: SlackTestService
beforeAll(async () => (slack = await startServiceWithSlack()))
afterAll(async () => slack.stop())
beforeEach(() => slack.fake.clear())

const userIn = (lib: Pick<GivenLibrary, 'slackTeamId'>, userId: string) =>
  slackUser({ eventsUrl: slack.eventsUrl, fake: slack.fake, teamId: lib.slackTeamId, userId })

async function givenFamilies() {
  const lib = await givenLibrary(slack.service.deps)
  await lib.staff('UADMIN', 'admin')
  await lib.staff('USTAFF', 'staff')
  const ana = await lib.patron({ username: 'ana', level: 'Year 3' })
  const ben = await lib.patron({ username: 'ben', level: 'Year 5' })
  await lib.contact(ana, { address: 'ana-mum@example.org', role: 'guardian' })
  await lib.contact(ben, { address: 'ben-mum@example.org', role: 'guardian' })
  return { lib, ana }
}

const usageOf = async (lib: GivenLibrary, address: string) =>
  (await slack.database.db.selectFrom('contacts').where('library_id', '=', lib.id).where('address', '=', address).select('usage').executeTakeFirstOrThrow())
    .usage

async function openWizard(lib: GivenLibrary, userId = 'UADMIN') {
  expect((await userIn(lib, userId).command('/preferences', '')).status).toBe(200)
  return (await slack.fake.next('views.open')).args.view
}

test('an admin picks guardians of Year 3, overdue Off, previews the count, applies, and is told how many were updated', async () => {
  const { lib } = await givenFamilies()
  const wizard = await openWizard(lib)

  const previewed = await (
    await userIn(lib, 'UADMIN').submit(wizard, { [preferencesBlocks.academicLevels]: 'Year 3', [preferencesBlocks.group('overdue')]: 'off' })
  ).json()
  expect(previewed.response_action).toBe('update')
  expect(textOf(previewed.view.blocks)).toContain('*1 contact* will change.')
  expect(textOf(previewed.view.blocks)).toContain('0 contacts are skipped: no usable email address.')
  expect(await usageOf(lib, 'ana-mum@example.org')).toBe('any')

  const applied = await (await userIn(lib, 'UADMIN').submit(previewed.view)).json()

  expect(textOf(applied.view.blocks)).toContain('Updated the preferences of 1 contact')
  expect(await usageOf(lib, 'ana-mum@example.org')).toBe('custom')
  expect(await usageOf(lib, 'ben-mum@example.org')).toBe('any')
  expect((await lib.auditActions()).map((entry) => [entry.action, entry.actor])).toEqual([['preferences.batch_applied', 'slack:UADMIN']])
})

test('Apply after the contacts changed says so, and changes nothing', async () => {
  const { lib, ana } = await givenFamilies()
  const wizard = await openWizard(lib)
  const previewed = await (await userIn(lib, 'UADMIN').submit(wizard, { [preferencesBlocks.group('recalls')]: 'off' })).json()
  await lib.contact(ana, { address: 'ana-dad@example.org', role: 'guardian' })

  const applied = await (await userIn(lib, 'UADMIN').submit(previewed.view)).json()

  expect(textOf(applied.view.blocks)).toContain('contacts changed since the preview, which would now change 3')
  expect(await usageOf(lib, 'ana-mum@example.org')).toBe('any')
})

test('an unknown username is named on its field', async () => {
  const { lib } = await givenFamilies()
  const wizard = await openWizard(lib)
  const answer = await (await userIn(lib, 'UADMIN').submit(wizard, { [preferencesBlocks.usernames]: 'ana\nzed' })).json()
  expect(answer).toEqual({ response_action: 'errors', errors: { [preferencesBlocks.usernames]: 'No patron has the username "zed"' } })
})

test('staff are refused: the wizard does not open', async () => {
  const { lib } = await givenFamilies()
  await userIn(lib, 'USTAFF').command('/preferences', '')
  const refusal = (await slack.fake.next('response_url')).args
  expect(textOf(refusal.blocks)).toContain('admin')
  expect(slack.fake.calls.some((call) => call.method === 'views.open')).toBe(false)
})
