import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { importBlocks } from '../../../src/bot/imports/modal-views.ts'
import { importActions } from '../../../src/bot/imports/views.ts'
import { type GivenLibrary, givenLibrary } from '../../support/builders.ts'
import { buttonsIn, textOf } from '../../support/fake-slack.ts'
import { type SlackTestService, startServiceWithSlack } from '../../support/slack-request.ts'
import { followUpdates, importingUser } from './import-flow.ts'

let slack: SlackTestService
beforeAll(async () => (slack = await startServiceWithSlack()))
afterAll(async () => slack.stop())
beforeEach(() => slack.fake.clear())

async function givenSchool() {
  const lib = await givenLibrary(slack.service.deps)
  await lib.staff('UADMIN', 'admin')
  await lib.staff('USTAFF', 'staff')
  await lib.staff('UVIEWER', 'viewer')
  for (const username of ['asilva', 'leaver1', 'leaver2']) await lib.patron({ username })
  return lib
}

const leavers = { name: 'leavers.csv', content: 'username,enabled\nleaver1,FALSE\nLeaver2,false\n' }

const enabledPatrons = async (lib: GivenLibrary) =>
  (
    await slack.service.deps.db
      .selectFrom('patrons')
      .where('library_id', '=', lib.id)
      .where('is_enabled', '=', true)
      .select('username')
      .orderBy('username')
      .execute()
  ).map((p) => p.username)

async function dryRun(lib: GivenLibrary, userId: string, file: { name: string; content: string }) {
  const user = importingUser(slack, lib, userId)
  const form = await user.openForm('patrons')
  expect(form.blocks.find((b: any) => b.block_id === importBlocks.kind).element.initial_option.value).toBe('patrons')
  await user.submit(form, { file })
  await slack.fake.next('chat.postMessage')
  return { user, ...(await followUpdates(slack)) }
}

describe('/import for patrons', () => {
  test('an admin deactivates leavers in bulk with a username,enabled file, after a confirm dialog', async () => {
    const lib = await givenSchool()

    const run = await dryRun(lib, 'UADMIN', leavers)

    const shown = textOf(run.last.blocks)
    expect(shown).toMatch(/\*Patrons to deactivate\*\n2/)
    expect(shown).toMatch(/\*Patrons to create\*\n0/)
    expect(await enabledPatrons(lib)).toEqual(['asilva', 'leaver1', 'leaver2'])
    const [confirm] = buttonsIn(run.last.blocks, importActions.confirmPatrons)
    expect(confirm.confirm.title.text).toBe('Deactivate patrons?')

    await run.user.click(confirm, run.ref)
    const applied = await followUpdates(slack)

    expect(textOf(applied.last.blocks)).toContain('Created 0 patrons, updated 2; 0 unchanged.')
    expect(textOf(applied.last.blocks)).toContain('confirmed by <@UADMIN>')
    expect(await enabledPatrons(lib)).toEqual(['asilva'])
    const audit = await slack.service.deps.db
      .selectFrom('audit_log')
      .where('library_id', '=', lib.id)
      .where('action', '=', 'patrons.imported')
      .select(['actor', 'approver'])
      .execute()
    expect(audit).toEqual([{ actor: 'slack:UADMIN', approver: 'slack:UADMIN' }])
  })

  test('a staff member’s bulk deactivation waits for an admin: they are told privately, and cannot confirm it themselves', async () => {
    const lib = await givenSchool()

    const run = await dryRun(lib, 'USTAFF', leavers)

    expect(textOf(run.last.blocks)).toContain('Confirming takes an *admin*: this file deactivates 2 patrons.')
    const told = (await slack.fake.next('chat.postEphemeral')).args
    expect(told.user).toBe('USTAFF')
    expect(told.text).toContain('Your file deactivates 2 patrons, and deactivating patrons in')
    const [confirm] = buttonsIn(run.last.blocks, importActions.confirmPatrons)

    await run.user.click(confirm, run.ref)
    const refusal = (await slack.fake.next('response_url')).args
    expect(refusal.text).toContain('This file deactivates 2 patrons (lines 2, 3). Nothing was changed: an admin can confirm it.')
    expect(await enabledPatrons(lib)).toEqual(['asilva', 'leaver1', 'leaver2'])

    await importingUser(slack, lib, 'UADMIN').click(confirm, run.ref)
    const applied = await followUpdates(slack)
    expect(textOf(applied.last.blocks)).toContain('confirmed by <@UADMIN>')
    expect(await enabledPatrons(lib)).toEqual(['asilva'])
  })

  test('a staff member creates and updates patrons, and a typo’d username in a deactivation file is an error on its line', async () => {
    const lib = await givenSchool()
    const newcomers = { name: 'patrons.csv', content: 'username,first_name,last_name,academic_level\nasilva,Ana,Silva,Year 7\nnewkid,New,Kid,Year 7\n' }

    const run = await dryRun(lib, 'USTAFF', newcomers)
    await run.user.click(buttonsIn(run.last.blocks, importActions.confirmPatrons)[0], run.ref)
    const applied = await followUpdates(slack)
    const typo = await dryRun(lib, 'UADMIN', { name: 'leavers.csv', content: 'username,enabled\nleaver1,FALSE\nlaever2,FALSE\n' })

    expect(buttonsIn(run.last.blocks, importActions.confirmPatrons)[0].confirm).toBeUndefined()
    expect(textOf(applied.last.blocks)).toContain('Created 1 patron, updated 1; 0 unchanged.')
    expect(textOf(typo.last.blocks)).toContain('line 3, column username: no patron with username "laever2"')
    expect(await enabledPatrons(lib)).toEqual(['asilva', 'leaver1', 'leaver2', 'newkid'])
  })

  test('a viewer is told /import needs the staff role, and no form opens', async () => {
    const lib = await givenSchool()
    const user = importingUser(slack, lib, 'UVIEWER')

    await user.command('patrons')
    const reply = (await slack.fake.next('response_url')).args

    expect(textOf(reply.blocks)).toContain('Sorry, you can’t import or change patrons: that needs the *staff* role, and you have the *viewer* role in *')
    expect(slack.fake.calls.filter((call) => call.method === 'views.open')).toEqual([])
  })
})
