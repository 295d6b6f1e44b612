import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest'
import { preferencesBlocks } from '../../src/bot/preferences/views.ts'
import { noticeGroups } from '../../src/domain/preferences/groups.ts'
import { contactScenarioNames } from '../../src/domain/scenarios/catalogue.ts'
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
  const ana = await lib.patron({ username: 'ana', level: 'Year 3', groups: ['Chess club'] })
  const ben = await lib.patron({ username: 'ben', level: 'Year 5' })
  await lib.contact(ana, { address: 'ana-mum@example.org', role: 'guardian' })
  await lib.contact(ben, { address: 'ben-mum@example.org', role: 'guardian' })
  await lib.contact(ana, { address: 'ana@example.org', role: 'patron' })
  return { lib, ana }
}

const preferencesOf = (lib: GivenLibrary) => lib.preferences()

const overdueScenarios: string[] = [...noticeGroups.find((group) => group.name === 'overdue')!.scenarios]
const optionsOf = (view: any, blockId: string): string[] =>
  view.blocks.find((block: any) => block.block_id === blockId).element.options.map((option: any) => option.value)

async function openWizard(lib: GivenLibrary, userId = 'UADMIN') {
  expect((await userIn(lib, userId).command('/preferences', '')).status).toBe(200)
  return (await slack.fake.next('views.open')).args.view
}

/** Submits a step as `userId`, with `changes` typed over it: Slack's answer to the submission. */
const submit = async (lib: GivenLibrary, view: any, changes: Record<string, string | string[] | null> = {}, userId = 'UADMIN') =>
  (await userIn(lib, userId).submit(view, changes)).json()

/** Steps 1 and 2 as an admin: the mode, and the filter; answers step 3. */
async function throughFilter(lib: GivenLibrary, filter: Record<string, string | string[]> = {}, mode = 'guardians') {
  const filterStep = await submit(lib, await openWizard(lib), { [preferencesBlocks.mode]: mode })
  return (await submit(lib, filterStep.view, filter)).view
}

test('an admin walks the wizard: guardians, of Year 3, overdue Off; the preview counts, Apply updates only those', async () => {
  const { lib } = await givenFamilies()
  const modeStep = await openWizard(lib)
  expect(modeStep.title.text).toBe('Contact preferences')
  expect(optionsOf(modeStep, preferencesBlocks.mode)).toEqual(['guardians', 'patrons', 'others'])

  const filterStep = await submit(lib, modeStep, { [preferencesBlocks.mode]: 'guardians' })
  expect(filterStep.response_action).toBe('push')
  expect(filterStep.view.title.text).toBe('Which contacts')
  expect(optionsOf(filterStep.view, preferencesBlocks.academicLevels)).toEqual(['Year 3', 'Year 5'])
  expect(optionsOf(filterStep.view, preferencesBlocks.groups)).toEqual(['Chess club'])

  const settingsStep = await submit(lib, filterStep.view, { [preferencesBlocks.academicLevels]: ['Year 3'] })
  expect(settingsStep.response_action).toBe('push')
  expect(settingsStep.view.title.text).toBe('What to change')
  expect(settingsStep.view.blocks.filter((block: any) => block.type === 'input').map((block: any) => block.label.text)).toEqual([
    'Overdue notices',
    'Recalls',
    'Reservation notices',
    'Loan receipts',
    "Recipients' own choices",
  ])

  const previewed = await submit(lib, settingsStep.view, { [preferencesBlocks.group('overdue')]: 'off' })
  expect(previewed.response_action).toBe('update')
  expect(textOf(previewed.view.blocks)).toContain('*1 contact* will change.')
  expect(textOf(previewed.view.blocks)).toContain('0 contacts are skipped: no usable email address.')
  expect((await preferencesOf(lib))['ana-mum@example.org'].usage).toBe('any')

  const applied = await submit(lib, previewed.view)

  expect(applied.response_action).toBe('update')
  expect(textOf(applied.view.blocks)).toContain('Updated the preferences of 1 contact; 0 skipped (no usable email address).')
  expect(await preferencesOf(lib)).toEqual({
    'ana-mum@example.org': { usage: 'custom', scenarios: contactScenarioNames.filter((s) => !overdueScenarios.includes(s)).sort() },
    'ben-mum@example.org': { usage: 'any', scenarios: [] },
    'ana@example.org': { usage: 'any', scenarios: [] },
  })
  expect((await lib.auditActions()).map((entry) => [entry.action, entry.actor])).toEqual([['preferences.batch_applied', 'slack:UADMIN']])
})

test('pasted usernames and a group carry to the preview: the patrons themselves of the Chess club', async () => {
  const { lib } = await givenFamilies()
  const settingsStep = await throughFilter(lib, { [preferencesBlocks.usernames]: 'ana,\nben\n', [preferencesBlocks.groups]: ['Chess club'] }, 'patrons')

  const previewed = await submit(lib, settingsStep, { [preferencesBlocks.group('loan_receipts')]: 'off' })
  await submit(lib, previewed.view)

  expect((await preferencesOf(lib))['ana@example.org'].usage).toBe('custom')
  expect((await preferencesOf(lib))['ana-mum@example.org'].usage).toBe('any')
})

test('Apply after the contacts changed says so, and changes nothing', async () => {
  const { lib, ana } = await givenFamilies()
  const previewed = await submit(lib, await throughFilter(lib), { [preferencesBlocks.group('recalls')]: 'off' })
  await lib.contact(ana, { address: 'ana-dad@example.org', role: 'guardian' })

  const applied = await submit(lib, previewed.view)

  expect(textOf(applied.view.blocks)).toContain('contacts changed since the preview, which would now change 3')
  expect((await preferencesOf(lib))['ana-mum@example.org'].usage).toBe('any')
})

test('an unknown username is named on its field at the filter step', async () => {
  const { lib } = await givenFamilies()
  const filterStep = await submit(lib, await openWizard(lib), {})
  const answer = await submit(lib, filterStep.view, { [preferencesBlocks.usernames]: 'ana\nzed' })
  expect(answer).toEqual({ response_action: 'errors', errors: { [preferencesBlocks.usernames]: 'No patron has the username "zed"' } })
})

test('more usernames than a step can carry are refused on their field, pointing to the API', async () => {
  const { lib } = await givenFamilies()
  const filterStep = await submit(lib, await openWizard(lib), {})
  const pasted = Array.from({ length: 301 }, (_, i) => `pupil${i}`).join('\n')
  const answer = await submit(lib, filterStep.view, { [preferencesBlocks.usernames]: pasted })
  expect(answer.errors[preferencesBlocks.usernames]).toContain('Paste at most 300 usernames at once (these are 301), or use the API')
})

test('every group left at No change is refused at the last step: nothing to preview', async () => {
  const { lib } = await givenFamilies()
  const answer = await submit(lib, await throughFilter(lib))
  expect(answer).toEqual({
    response_action: 'errors',
    errors: { [preferencesBlocks.group('overdue')]: 'Choose On or Off for at least one group: every group is No change.' },
  })
})

test('staff are refused: the wizard does not open', async () => {
  const { lib } = await givenFamilies()
  await userIn(lib, 'USTAFF').command('/preferences', '')
  const refusal = (await slack.fake.next('response_url')).args
  expect(textOf(refusal.blocks)).toContain('admin')
  expect(slack.fake.calls.some((call) => call.method === 'views.open')).toBe(false)
})

test('staff who submit a step of the wizard are refused there, and nothing changes', async () => {
  const { lib } = await givenFamilies()
  const modeStep = await openWizard(lib)
  const settingsStep = await throughFilter(lib)

  const atMode = await submit(lib, modeStep, {}, 'USTAFF')
  const atSettings = await submit(lib, settingsStep, { [preferencesBlocks.group('overdue')]: 'off' }, 'USTAFF')

  for (const answer of [atMode, atSettings]) {
    expect(answer.response_action).toBe('update')
    expect(textOf(answer.view.blocks)).toContain('that needs the *admin* role')
  }
  expect((await preferencesOf(lib))['ana-mum@example.org'].usage).toBe('any')
})

test('a library with more than 100 groups is asked for their names, and the names filter as a list would', async () => {
  const { lib } = await givenFamilies()
  await slack.database.db
    .insertInto('library_groups')
    .values(Array.from({ length: 100 }, (_, i) => ({ library_id: lib.id, name: `Club ${i}` })))
    .execute()
  const filterStep = await submit(lib, await openWizard(lib), {})
  const groups = filterStep.view.blocks.find((block: any) => block.block_id === preferencesBlocks.groups)
  expect(groups.element.type).toBe('plain_text_input')

  const settingsStep = await submit(lib, filterStep.view, { [preferencesBlocks.groups]: 'Chess club, Club 7' })
  const previewed = await submit(lib, settingsStep.view, { [preferencesBlocks.group('recalls')]: 'off' })

  expect(textOf(previewed.view.blocks)).toContain('*1 contact* will change.')
})

test('Apply a second time says the preview was applied already', async () => {
  const { lib } = await givenFamilies()
  const previewed = await submit(lib, await throughFilter(lib), { [preferencesBlocks.group('recalls')]: 'off' })
  await submit(lib, previewed.view)

  const again = await submit(lib, previewed.view)

  expect(textOf(again.view.blocks)).toContain('This preview was applied already.')
})

test('a group chosen at the filter step and gone by the preview refuses it, rather than take every contact', async () => {
  const { lib } = await givenFamilies()
  const settingsStep = await throughFilter(lib, { [preferencesBlocks.groups]: ['Chess club'] })
  await slack.database.db.deleteFrom('library_groups').where('library_id', '=', lib.id).where('name', '=', 'Chess club').execute()

  const answer = await submit(lib, settingsStep, { [preferencesBlocks.group('overdue')]: 'off' })

  expect(textOf(answer.view.blocks)).toContain('Nothing was previewed: a level, group or patron of the filter is gone since you chose it.')
  expect((await preferencesOf(lib))['ben-mum@example.org'].usage).toBe('any')
})

test('a preview and Apply of thousands of contacts write the counts with thousands separators', async () => {
  const { lib } = await givenFamilies()
  const { db } = slack.database
  const patrons = await db
    .insertInto('patrons')
    .values(
      Array.from({ length: 1234 }, (_, i) => ({ library_id: lib.id, username: `many${i}`, first_name: 'Many', last_name: `${i}`, type: 'student' as const })),
    )
    .returning('id')
    .execute()
  await db
    .insertInto('contacts')
    .values(
      patrons.map((p, i) => ({
        library_id: lib.id,
        patron_id: p.id,
        role: 'guardian' as const,
        type: 'email' as const,
        is_primary: false,
        addressee: '',
        address: `parent${i}@example.org`,
        address_key: `parent${i}@example.org`,
        bcc: 'default' as const,
        usage: 'any' as const,
        source: 'import' as const,
      })),
    )
    .execute()

  const previewed = await submit(lib, await throughFilter(lib), { [preferencesBlocks.group('recalls')]: 'off' })
  expect(textOf(previewed.view.blocks)).toContain('*1,236 contacts* will change.')
  const applied = await submit(lib, previewed.view)
  expect(textOf(applied.view.blocks)).toContain('Updated the preferences of 1,236 contacts; 0 skipped (no usable email address).')
})

test('a step whose carried answers name another library’s filter or preview is refused, and nothing changes', async () => {
  const { lib } = await givenFamilies()
  const other = await givenFamilies()
  const otherAna = await slack.database.db
    .selectFrom('patrons')
    .where('library_id', '=', other.lib.id)
    .where('username', '=', 'ana')
    .select('id')
    .executeTakeFirstOrThrow()
  const settingsStep = await throughFilter(lib)
  const forged = {
    ...settingsStep,
    private_metadata: JSON.stringify({ mode: 'guardians', filter: { academicLevelIds: [], groupIds: [], patronIds: [otherAna.id] } }),
  }
  const refused = await submit(lib, forged, { [preferencesBlocks.group('overdue')]: 'off' })
  expect(textOf(refused.view.blocks)).toContain('Nothing was previewed')

  const otherPreview = await submit(other.lib, await throughFilter(other.lib), { [preferencesBlocks.group('overdue')]: 'off' })
  const applied = await submit(lib, otherPreview.view)
  expect(textOf(applied.view.blocks)).toContain('Nothing was changed')
  for (const garbage of ['', '{"batchId":"1; drop table"}', 'null']) {
    const answer = await submit(lib, { ...otherPreview.view, private_metadata: garbage })
    expect(textOf(answer.view.blocks)).toContain('This preview is out of date. Run `/preferences` again.')
  }
  expect((await preferencesOf(other.lib))['ana-mum@example.org'].usage).toBe('any')
  expect((await preferencesOf(lib))['ana-mum@example.org'].usage).toBe('any')
})
