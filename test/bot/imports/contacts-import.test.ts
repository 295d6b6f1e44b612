import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { importBlocks } from '../../../src/bot/imports/modal-views.ts'
import { importActions } from '../../../src/bot/imports/views.ts'
import { type GivenLibrary, type GivenPatron, givenLibrary } from '../../support/builders.ts'
import { buttonsIn, textOf } from '../../support/fake-slack.ts'
import { type SlackTestService, startServiceWithSlack } from '../../support/slack-request.ts'
import { capturedLog } from '../captured-log.ts'
import { followUpdates, importingUser } from './import-flow.ts'

let slack: SlackTestService
const log = capturedLog()
beforeAll(async () => (slack = await startServiceWithSlack({ logger: log.logger })))
afterAll(async () => slack.stop())
beforeEach(() => (slack.fake.clear(), log.clear()))

/** Ana (Year 7) has an imported contact and one staff added; Ben (Year 8) none; Cai (Year 8) is in no file. */
async function givenSchool() {
  const lib = await givenLibrary(slack.service.deps)
  await lib.staff('UADMIN', 'admin')
  await lib.staff('USTAFF', 'staff')
  const ana = await lib.patron({ username: 'asilva', level: 'Year 7' })
  const ben = await lib.patron({ username: 'bjones', level: 'Year 8' })
  const cai = await lib.patron({ username: 'cnguyen', level: 'Year 8' })
  await lib.contact(ana, { address: 'old.ana@example.org', source: 'import' })
  await lib.contact(ana, { address: 'dad@example.org', source: 'staff' })
  await lib.contact(cai, { address: 'cai.mum@example.org', source: 'import' })
  return { lib, ana, ben, cai }
}

const file = {
  name: 'contacts.csv',
  content: 'username,role,address,notes\r\nasilva,guardian,maria.silva@example.org,\r\nasilva,guardian,dad@example.org,\r\nbjones,patron,ben@example.org,x\r\n',
}

const addresses = async (lib: GivenLibrary, pupil: GivenPatron) => (await lib.contactsOf(pupil)).map((c) => `${c.address} (${c.source})`).sort()

/** Opens the form as `userId`, submits the file with these choices, and follows the message to the dry run. */
async function dryRun(lib: GivenLibrary, userId: string, choices: Parameters<ReturnType<typeof importingUser>['submit']>[1]) {
  const user = importingUser(slack, lib, userId)
  const form = await user.openForm()
  const response = await user.submit(form, choices)
  expect(response.status).toBe(200)
  expect(await response.text()).toBe('')
  const posted = (await slack.fake.next('chat.postMessage')).args
  return { user, posted, ...(await followUpdates(slack)) }
}

describe('/import for contacts', () => {
  test('/import opens the form with the kind, the file, the four modes, the library’s levels and keep custom contacts', async () => {
    const { lib } = await givenSchool()
    await lib.patron({ level: 'Year 10' })

    const form = await importingUser(slack, lib, 'USTAFF').openForm()

    const block = (id: string) => form.blocks.find((b: any) => b.block_id === id)
    expect(block(importBlocks.kind).element.options.map((o: any) => o.value)).toEqual(['contacts', 'patrons'])
    expect(block(importBlocks.file).element).toMatchObject({ type: 'file_input', filetypes: ['csv'], max_files: 1 })
    expect(block(importBlocks.mode).element.options.map((o: any) => o.value)).toEqual(['add', 'replace-patrons', 'replace-levels', 'replace-all'])
    expect(block(importBlocks.levels).element.options.map((o: any) => o.value)).toEqual(['Year 7', 'Year 8', 'Year 10'])
    expect(textOf(block(importBlocks.keepCustom))).toContain('Keep custom contacts')
  })

  test('an admin’s replace-all dry run shows what will happen, and Confirm replaces the contacts and shows the counts', async () => {
    const { lib, ana, ben, cai } = await givenSchool()

    const run = await dryRun(lib, 'UADMIN', { file, choices: { [importBlocks.mode]: 'replace-all' } })

    expect(run.posted.channel).toBe('C0LIBRARY')
    expect(textOf(run.posted.blocks)).toContain('Reading the file')
    expect(textOf(run.progress[0].blocks)).toMatch(/read 3 rows/)
    // Each phase shows, however soon it follows the last update.
    expect(textOf(run.progress[run.progress.length - 1].blocks)).toContain('read 3 rows. Checking them against the library')
    const shown = textOf(run.last.blocks)
    expect(shown).toContain('Nothing has changed yet')
    expect(shown).toContain('Replace all, keeping custom contacts')
    expect(shown).toMatch(/\*Patrons in the file\*\n2/)
    expect(shown).toMatch(/\*Patrons whose contacts change\*\n3/)
    expect(shown).toMatch(/\*Contacts to add\*\n2/)
    expect(shown).toMatch(/\*Contacts to update\*\n0/)
    expect(shown).toMatch(/\*Contacts to delete\*\n2/)
    expect(shown).toMatch(/\*Contacts unchanged\*\n0/)
    expect(shown).toMatch(/\*Custom contacts kept\*\n1/)
    expect(shown).toMatch(/\*Rows skipped: a contact kept has that address\*\n1/)
    expect(shown).toContain('line 1, column notes: unknown column "notes" is ignored')
    const [confirm] = buttonsIn(run.last.blocks, importActions.confirmContacts)
    expect(confirm.confirm.text.text).toContain('This cannot be undone')
    expect(buttonsIn(run.last.blocks, importActions.cancel)).toHaveLength(1)
    expect(await addresses(lib, cai)).toEqual(['cai.mum@example.org (import)'])

    await run.user.click(confirm, run.ref)
    const applied = await followUpdates(slack)

    expect(textOf(applied.progress[0].blocks)).toContain('confirmed by <@UADMIN>: applying 3 rows')
    expect(textOf(applied.last.blocks)).toContain('Added 2, updated 0 and deleted 2 contacts; 0 unchanged.')
    expect(buttonsIn(applied.last.blocks, importActions.confirmContacts)).toEqual([])
    expect(await addresses(lib, ana)).toEqual(['dad@example.org (staff)', 'maria.silva@example.org (import)'])
    expect(await addresses(lib, ben)).toEqual(['ben@example.org (import)'])
    expect(await addresses(lib, cai)).toEqual([])
    const audit = await slack.service.deps.db
      .selectFrom('audit_log')
      .where('library_id', '=', lib.id)
      .where('action', '=', 'contacts.imported')
      .select(['actor', 'approver', 'details'])
      .execute()
    expect(audit).toEqual([
      expect.objectContaining({
        actor: 'slack:UADMIN',
        approver: 'slack:UADMIN',
        details: expect.objectContaining({ fileName: 'contacts.csv', mode: 'replace-all', deleted: 2, added: 2 }),
      }),
    ])
  })

  test('Cancel says the import was cancelled and leaves the contacts as they were', async () => {
    const { lib, ana, cai } = await givenSchool()
    const run = await dryRun(lib, 'USTAFF', { file, choices: { [importBlocks.mode]: 'add' } })

    await run.user.click(buttonsIn(run.last.blocks, importActions.cancel)[0], run.ref)
    const cancelled = (await slack.fake.next('chat.update')).args

    expect(textOf(cancelled.blocks)).toContain('was cancelled by <@USTAFF>. Nothing was changed.')
    expect(await addresses(lib, ana)).toEqual(['dad@example.org (staff)', 'old.ana@example.org (import)'])
    expect(await addresses(lib, cai)).toEqual(['cai.mum@example.org (import)'])
  })

  test('a file with a bad email shows “line 2, column address” and nothing changes', async () => {
    const { lib, ana } = await givenSchool()
    const bad = { name: 'contacts.csv', content: 'username,role,address\nasilva,guardian,maria.silva-at-example.org\nbjones,patron,ben@example.org\n' }

    const run = await dryRun(lib, 'UADMIN', { file: bad, choices: { [importBlocks.mode]: 'replace-patrons' } })

    const shown = textOf(run.last.blocks)
    expect(shown).toContain('The dry run found *1 problem*')
    expect(shown).toContain('*nothing was changed*')
    expect(shown).toMatch(/line 2, column address: .*maria\.silva-at-example\.org/)
    expect(buttonsIn(run.last.blocks, importActions.confirmContacts)).toEqual([])
    expect(await addresses(lib, ana)).toEqual(['dad@example.org (staff)', 'old.ana@example.org (import)'])
  })

  test('a file sent before its patrons says how many patrons do not exist, besides each row', async () => {
    const { lib, ana } = await givenSchool()
    const early = {
      name: 'contacts.csv',
      content: 'username,role,address\nnewkid,patron,newkid@example.org\nNEWKID,guardian,mum.newkid@example.org\nnewtwin,patron,newtwin@example.org\n',
    }

    const run = await dryRun(lib, 'UADMIN', { file: early, choices: { [importBlocks.mode]: 'replace-patrons' } })

    const shown = textOf(run.last.blocks)
    expect(shown).toContain('The dry run found *3 problems*')
    expect(shown).toContain('*2 patrons* in the file do not exist in this library: import the patrons first')
    expect(shown).toContain('line 3, column username: no patron with username "NEWKID"')
    expect(await addresses(lib, ana)).toEqual(['dad@example.org (staff)', 'old.ana@example.org (import)'])
  })

  test('a staff member who chooses Replace all is told on the mode field, and the file is not even downloaded', async () => {
    const { lib, cai } = await givenSchool()
    const user = importingUser(slack, lib, 'USTAFF')

    const response = await user.submit(await user.openForm(), { file, choices: { [importBlocks.mode]: 'replace-all' } })

    expect(await response.json()).toEqual({
      response_action: 'errors',
      errors: { [importBlocks.mode]: 'Replace all needs the admin role, and you have the staff role: choose Add, or ask an admin' },
    })
    expect(slack.fake.calls.filter((call) => call.method === 'chat.postMessage')).toEqual([])
    expect(slack.fake.calls.filter((call) => call.method === 'files.download')).toEqual([])
    expect(await addresses(lib, cai)).toEqual(['cai.mum@example.org (import)'])
  })

  test('a staff member cannot confirm a replace an admin checked: only they are told, and the message keeps its buttons', async () => {
    const { lib, cai } = await givenSchool()
    const run = await dryRun(lib, 'UADMIN', { file, choices: { [importBlocks.mode]: 'replace-all' } })

    await importingUser(slack, lib, 'USTAFF').click(buttonsIn(run.last.blocks, importActions.confirmContacts)[0], run.ref)
    const refusal = (await slack.fake.next('response_url')).args

    expect(refusal).toMatchObject({ response_type: 'ephemeral', replace_original: false })
    expect(textOf(refusal.blocks)).toContain('needs the *admin* role')
    expect(slack.fake.calls.filter((call) => call.method === 'chat.update')).toHaveLength(run.progress.length + 1)
    expect(await addresses(lib, cai)).toEqual(['cai.mum@example.org (import)'])
  })

  test('no file, or Replace academic levels with no level, is answered on the field and nothing starts', async () => {
    const { lib } = await givenSchool()
    const user = importingUser(slack, lib, 'UADMIN')
    const form = await user.openForm()

    const noFile = await user.submit(form, {})
    const noLevel = await user.submit(form, { file, choices: { [importBlocks.mode]: 'replace-levels' } })
    const levelsElsewhere = await user.submit(form, { file, choices: { [importBlocks.levels]: ['Year 7'] } })

    expect(await noFile.json()).toEqual({ response_action: 'errors', errors: { [importBlocks.file]: 'Choose a CSV file' } })
    expect(await noLevel.json()).toEqual({
      response_action: 'errors',
      errors: { [importBlocks.levels]: 'Choose the academic levels whose contacts are replaced' },
    })
    expect(await levelsElsewhere.json()).toMatchObject({
      response_action: 'errors',
      errors: { [importBlocks.levels]: expect.stringContaining('only with Replace academic levels') },
    })
    expect(slack.fake.calls.filter((call) => call.method === 'chat.postMessage' || call.method === 'files.info')).toEqual([])
  })

  test('a patrons file with a replace mode, or a library without levels, is answered on the mode', async () => {
    const { lib } = await givenSchool()
    const bare = await givenLibrary(slack.service.deps)
    await bare.staff('UADMIN', 'admin')
    const form = await importingUser(slack, lib, 'UADMIN').openForm()
    const bareForm = await importingUser(slack, bare, 'UADMIN').openForm()

    const patronsReplaced = await importingUser(slack, lib, 'UADMIN').submit(form, {
      file,
      choices: { [importBlocks.kind]: 'patrons', [importBlocks.mode]: 'replace-all' },
    })
    const noLevels = await importingUser(slack, bare, 'UADMIN').submit(bareForm, { file, choices: { [importBlocks.mode]: 'replace-levels' } })

    expect(await patronsReplaced.json()).toMatchObject({ errors: { [importBlocks.mode]: expect.stringContaining('leave the mode on Add') } })
    expect(bareForm.blocks.some((b: any) => b.block_id === importBlocks.levels)).toBe(false)
    expect(await noLevels.json()).toMatchObject({ errors: { [importBlocks.mode]: expect.stringContaining('no academic levels yet') } })
  })

  test('a file deleted after it was chosen stops the import in plain words, nothing changes, and the log holds one warning', async () => {
    const { lib, cai } = await givenSchool()
    slack.fake.refuseNext('files.info', 'file_not_found')

    const run = await dryRun(lib, 'UADMIN', { file, choices: { [importBlocks.mode]: 'replace-all' } })

    expect(textOf(run.last.blocks)).toBe(
      ':x: The file you chose is no longer in Slack: it was probably deleted after you chose it. *Nothing was changed.* Run `/import` again and choose the file again.',
    )
    expect(await addresses(lib, cai)).toEqual(['cai.mum@example.org (import)'])
    const told = log.lines().filter((line) => line.level >= 40)
    expect(told).toEqual([
      expect.objectContaining({ level: 40, msg: 'an import could not read its file from Slack', problem: 'file_gone', detail: 'file_not_found' }),
    ])
    expect(log.raw()).not.toContain('"stack"')
  })

  test('/import with words it does not know says what it accepts, and opens no form', async () => {
    const { lib } = await givenSchool()

    await importingUser(slack, lib, 'USTAFF').command('bogus')
    const reply = (await slack.fake.next('response_url')).args

    expect(reply.response_type).toBe('ephemeral')
    const shown = textOf(reply.blocks)
    expect(shown).toContain('“bogus” is not something /import does.')
    expect(shown).toContain('`/import` or `/import contacts`: the form, set for a contacts file')
    expect(shown).toContain('`/import patrons`: the form, set for a patrons file')
    expect(slack.fake.calls.filter((call) => call.method === 'views.open')).toEqual([])
  })

  test('/import contacts opens the form set for a contacts file', async () => {
    const { lib } = await givenSchool()

    const form = await importingUser(slack, lib, 'USTAFF').openForm('Contacts')

    expect(form.blocks.find((b: any) => b.block_id === importBlocks.kind).element.initial_option.value).toBe('contacts')
  })

  test('replace academic levels replaces the chosen level’s patrons and adds to the others', async () => {
    const { lib, ana, ben } = await givenSchool()
    const run = await dryRun(lib, 'UADMIN', {
      file,
      choices: { [importBlocks.mode]: 'replace-levels', [importBlocks.levels]: ['Year 7'], [importBlocks.keepCustom]: [] },
    })
    expect(textOf(run.last.blocks)).toContain('Replace academic levels (Year 7), custom contacts included')

    await run.user.click(buttonsIn(run.last.blocks, importActions.confirmContacts)[0], run.ref)
    await followUpdates(slack)

    // dad@ is repeated exactly: it stays as it was, added by staff.
    expect(await addresses(lib, ana)).toEqual(['dad@example.org (staff)', 'maria.silva@example.org (import)'])
    expect(await addresses(lib, ben)).toEqual(['ben@example.org (import)'])
  })

  test('when the app may not post in the channel, the import’s message comes in the staff member’s direct message', async () => {
    const { lib } = await givenSchool()
    slack.fake.refuseNext('chat.postMessage', 'not_in_channel')

    const user = importingUser(slack, lib, 'USTAFF')
    await user.submit(await user.openForm(), { file })
    await slack.fake.next('chat.postMessage')
    const fallback = (await slack.fake.next('chat.postMessage')).args
    const run = await followUpdates(slack)

    expect(fallback.channel).toBe('USTAFF')
    expect(run.ref.channel).toBe('DSTAFF')
    expect(buttonsIn(run.last.blocks, importActions.confirmContacts)).toHaveLength(1)
  })
})
