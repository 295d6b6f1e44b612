import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { contactBlocks } from '../../src/bot/contacts/modal-views.ts'
import { contactActions, contactsPerPage } from '../../src/bot/contacts/views.ts'
import { type GivenLibrary, givenLibrary } from '../support/builders.ts'
import { buttonsIn, textOf } from '../support/fake-slack.ts'
import { type SlackTestService, slackUser, startServiceWithSlack } from '../support/slack-request.ts'

let slack: SlackTestService
beforeAll(async () => (slack = await startServiceWithSlack()))
afterAll(async () => slack.stop())
beforeEach(() => slack.fake.clear())

const userIn = (lib: Pick<GivenLibrary, 'slackTeamId'>, userId: string) =>
  slackUser({ eventsUrl: slack.eventsUrl, fake: slack.fake, teamId: lib.slackTeamId, userId })

async function libraryWithAna() {
  const lib = await givenLibrary(slack.service.deps)
  await lib.staff('USTAFF', 'staff')
  await lib.staff('UVIEWER', 'viewer')
  const ana = await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva', level: 'Year 7' })
  const guardian = await lib.contact(ana, { role: 'guardian', address: 'maria.silva@example.org', addressee: 'Mrs Silva' })
  return { lib, ana, guardian }
}

/** Runs /contacts and returns the card the user sees. */
async function lookUp(lib: Pick<GivenLibrary, 'slackTeamId'>, userId: string, text: string) {
  const response = await userIn(lib, userId).command('/contacts', text)
  expect(response.status).toBe(200)
  return (await slack.fake.next('response_url')).args
}

describe('/contacts', () => {
  test('a staff member finds a patron by part of the name and sees the patron and each contact', async () => {
    const { lib } = await libraryWithAna()

    const card = await lookUp(lib, 'USTAFF', 'silva')

    expect(card.response_type).toBe('ephemeral')
    const shown = textOf(card.blocks)
    expect(shown).toContain('Ana Silva')
    expect(shown).toContain('asilva')
    expect(shown).toContain('Year 7')
    expect(shown).toContain('maria.silva@example.org (to Mrs Silva)')
    expect(shown).toContain('Source: imported')
    expect(buttonsIn(card.blocks, contactActions.add)).toHaveLength(1)
    expect(buttonsIn(card.blocks, contactActions.edit)).toHaveLength(1)
    expect(buttonsIn(card.blocks, contactActions.remove)).toHaveLength(1)
  })

  test('a contact whose recipient stopped overdue notices with the link in an email shows it, as their own choice', async () => {
    const { lib, guardian } = await libraryWithAna()
    await slack.service.deps.db
      .insertInto('recipient_choices')
      .values({ contact_id: guardian, notice_group: 'overdue', stopped: true, chosen_at: '2026-03-03T19:12:00Z' })
      .execute()

    const card = await lookUp(lib, 'USTAFF', 'silva')

    expect(textOf(card.blocks)).toContain(':no_bell: Stopped overdue notices on <!date^1772565120^{date}|2026-03-03> (their own choice)')
  })

  test('several matches give a pick-list, and picking one shows that patron', async () => {
    const lib = await givenLibrary(slack.service.deps)
    await lib.staff('USTAFF', 'staff')
    await lib.patron({ username: 'bjones', firstName: 'Ben', lastName: 'Jones' })
    const cara = await lib.patron({ username: 'cjones', firstName: 'Cara', lastName: 'Jones' })
    await lib.contact(cara, { address: 'cara.parent@example.org' })

    const list = await lookUp(lib, 'USTAFF', 'jones')
    const picks = buttonsIn(list.blocks, contactActions.pick)
    expect(picks).toHaveLength(2)
    await userIn(lib, 'USTAFF').click(picks[1])
    const card = (await slack.fake.next('response_url')).args

    expect(card.replace_original).toBe(true)
    expect(textOf(card.blocks)).toContain('cara.parent@example.org')
  })

  test('no match says so, and no text explains the command', async () => {
    const { lib } = await libraryWithAna()
    expect(textOf((await lookUp(lib, 'USTAFF', 'nobody')).blocks)).toContain('No patron matches “nobody”')
    expect(textOf((await lookUp(lib, 'USTAFF', '')).blocks)).toContain('/contacts asilva')
  })

  test('a search with a NUL character is told which character cannot be searched, instead of getting no reply', async () => {
    const { lib } = await libraryWithAna()

    const reply = await lookUp(lib, 'USTAFF', 'as\u0000ilva')

    expect(reply.response_type).toBe('ephemeral')
    expect(textOf(reply.blocks)).toContain('Your search contains a character that cannot be searched (a NUL character')
  })

  test('someone who is not on staff is refused politely', async () => {
    const { lib } = await libraryWithAna()
    const reply = await lookUp(lib, 'USTRANGER', 'asilva')
    expect(textOf(reply.blocks)).toContain('you are not on the staff of')
    expect(textOf(reply.blocks)).not.toContain('maria.silva@example.org')
  })

  test('a workspace not linked to a library is told how to link it', async () => {
    const reply = await lookUp({ slackTeamId: 'TUNLINKED1' }, 'USTAFF', 'asilva')
    expect(textOf(reply.blocks)).toContain('npx library-comms library add --name')
    expect(textOf(reply.blocks)).toContain('--slack-team TUNLINKED1 --time-zone Area/City')
  })
})

describe('adding and editing a contact in the modal', () => {
  test('Add contact opens the modal, and an address that is not an email is answered on its field with nothing saved', async () => {
    const { lib, ana } = await libraryWithAna()
    const card = await lookUp(lib, 'USTAFF', 'asilva')
    await userIn(lib, 'USTAFF').click(buttonsIn(card.blocks, contactActions.add)[0])
    const modal = (await slack.fake.next('views.open')).args.view

    const response = await userIn(lib, 'USTAFF').submit(modal, { [contactBlocks.address]: 'dad-at-example.org' })

    expect(await response.json()).toEqual({
      response_action: 'errors',
      errors: { [contactBlocks.address]: 'Address "dad-at-example.org" is not an email address' },
    })
    expect(await lib.contactsOf(ana)).toHaveLength(1)
    expect(await lib.auditActions()).toEqual([])
  })

  test('a good contact is saved as added by staff, audited, and the card shows it', async () => {
    const { lib, ana } = await libraryWithAna()
    const card = await lookUp(lib, 'USTAFF', 'asilva')
    await userIn(lib, 'USTAFF').click(buttonsIn(card.blocks, contactActions.add)[0])
    const modal = (await slack.fake.next('views.open')).args.view

    const response = await userIn(lib, 'USTAFF').submit(modal, {
      [contactBlocks.role]: 'patron',
      [contactBlocks.address]: 'Ana.Silva@School.example',
      [contactBlocks.primary]: ['primary'],
      [contactBlocks.usage]: 'custom',
      [contactBlocks.scenarios]: ['circulation.overdue', 'circulation.recall'],
    })

    expect(response.status).toBe(200)
    expect(await response.text()).toBe('')
    const refreshed = (await slack.fake.next('response_url')).args
    expect(refreshed.replace_original).toBe(true)
    expect(textOf(refreshed.blocks)).toContain('Added patron contact Ana.Silva@School.example')
    expect(textOf(refreshed.blocks)).toContain('custom: Overdue notice, Recall')
    expect(await lib.contactsOf(ana)).toContainEqual(
      expect.objectContaining({ role: 'patron', address: 'Ana.Silva@School.example', isPrimary: true, usage: 'custom', source: 'staff' }),
    )
    const [entry] = await lib.auditActions()
    expect(entry).toMatchObject({
      action: 'contact.added',
      actor: 'slack:USTAFF',
      after: { address: 'Ana.Silva@School.example', scenarios: ['circulation.overdue', 'circulation.recall'] },
    })
  })

  test('an address the patron already has, in any case, is refused on the address field', async () => {
    const { lib, ana } = await libraryWithAna()
    const before = await lib.contactsOf(ana)
    const card = await lookUp(lib, 'USTAFF', 'asilva')
    await userIn(lib, 'USTAFF').click(buttonsIn(card.blocks, contactActions.add)[0])
    const modal = (await slack.fake.next('views.open')).args.view

    const again = await userIn(lib, 'USTAFF').submit(modal, { [contactBlocks.address]: before[0].address.toUpperCase() })

    expect(await again.json()).toEqual({
      response_action: 'errors',
      errors: { [contactBlocks.address]: 'This patron already has this address, as a guardian contact; edit that contact instead' },
    })
    expect(await lib.contactsOf(ana)).toEqual(before)
  })

  test('a second primary, and custom usage with no scenario, are refused on their fields', async () => {
    const { lib, ana } = await libraryWithAna()
    await lib.contact(ana, { role: 'patron', address: 'ana@example.org', isPrimary: true })
    const card = await lookUp(lib, 'USTAFF', 'asilva')
    await userIn(lib, 'USTAFF').click(buttonsIn(card.blocks, contactActions.add)[0])
    const modal = (await slack.fake.next('views.open')).args.view

    const secondPrimary = await userIn(lib, 'USTAFF').submit(modal, { [contactBlocks.address]: 'dad@example.org', [contactBlocks.primary]: ['primary'] })
    const noScenario = await userIn(lib, 'USTAFF').submit(modal, {
      [contactBlocks.address]: 'dad@example.org',
      [contactBlocks.usage]: 'custom',
      [contactBlocks.scenarios]: [],
    })

    expect(await secondPrimary.json()).toMatchObject({
      response_action: 'errors',
      errors: { [contactBlocks.primary]: expect.stringContaining('already has a primary contact') },
    })
    expect(await noScenario.json()).toEqual({
      response_action: 'errors',
      errors: { [contactBlocks.scenarios]: 'Custom usage needs at least one matching scenario' },
    })
    expect(await lib.contactsOf(ana)).toHaveLength(2)
  })

  test('Edit opens the modal filled in, and saving changes the contact, marks it as staff-edited and audits before and after', async () => {
    const { lib, ana, guardian } = await libraryWithAna()
    const card = await lookUp(lib, 'USTAFF', 'asilva')
    await userIn(lib, 'USTAFF').click(buttonsIn(card.blocks, contactActions.edit)[0])
    const modal = (await slack.fake.next('views.open')).args.view
    expect(textOf(modal.blocks)).toContain('Ana Silva')
    expect(modal.blocks.find((b: any) => b.block_id === contactBlocks.address).element.initial_value).toBe('maria.silva@example.org')

    await userIn(lib, 'USTAFF').submit(modal, { [contactBlocks.address]: 'maria@silva.example', [contactBlocks.bcc]: 'yes' })

    const refreshed = (await slack.fake.next('response_url')).args
    expect(textOf(refreshed.blocks)).toContain('Saved guardian contact maria@silva.example')
    expect(await lib.contactsOf(ana)).toEqual([expect.objectContaining({ id: guardian, address: 'maria@silva.example', source: 'staff' })])
    const [entry] = await lib.auditActions()
    expect(entry).toMatchObject({
      action: 'contact.updated',
      before: { address: 'maria.silva@example.org', bcc: 'default', source: 'import' },
      after: { address: 'maria@silva.example', bcc: 'yes', source: 'staff' },
    })
  })

  test('when the card can no longer be replaced, the updated card comes as a new ephemeral message', async () => {
    const { lib } = await libraryWithAna()
    const card = await lookUp(lib, 'USTAFF', 'asilva')
    await userIn(lib, 'USTAFF').click(buttonsIn(card.blocks, contactActions.edit)[0], slack.fake.expiredResponseUrl())
    const modal = (await slack.fake.next('views.open')).args.view

    await userIn(lib, 'USTAFF').submit(modal, { [contactBlocks.addressee]: 'Dr Silva' })

    const posted = (await slack.fake.next('chat.postEphemeral')).args
    expect(posted).toMatchObject({ channel: 'C0LIBRARY', user: 'USTAFF' })
    expect(textOf(posted.blocks)).toContain('(to Dr Silva)')
  })
})

describe('removing a contact', () => {
  test('Remove asks for confirmation, then removes the contact, audits it and updates the card', async () => {
    const { lib, ana } = await libraryWithAna()
    const card = await lookUp(lib, 'USTAFF', 'asilva')
    const remove = buttonsIn(card.blocks, contactActions.remove)[0]
    expect(remove.confirm).toMatchObject({ title: { text: 'Remove this contact?' }, confirm: { text: 'Remove' }, deny: { text: 'Keep it' } })
    expect(remove.confirm.text.text).toBe(
      'Remove Ana Silva’s guardian contact maria.silva@example.org? Notices about Ana Silva will no longer go to this address.',
    )

    await userIn(lib, 'USTAFF').click(remove)

    const refreshed = (await slack.fake.next('response_url')).args
    expect(refreshed.replace_original).toBe(true)
    expect(textOf(refreshed.blocks)).toContain('Removed guardian contact maria.silva@example.org')
    expect(textOf(refreshed.blocks)).toContain('No contacts yet')
    expect(await lib.contactsOf(ana)).toEqual([])
    expect(await lib.auditActions()).toEqual([expect.objectContaining({ action: 'contact.removed', actor: 'slack:USTAFF' })])
  })
})

describe('a viewer', () => {
  test('sees the contacts with no Add, Edit or Remove buttons', async () => {
    const { lib } = await libraryWithAna()

    const card = await lookUp(lib, 'UVIEWER', 'asilva')

    expect(textOf(card.blocks)).toContain('maria.silva@example.org (to Mrs Silva)')
    expect(buttonsIn(card.blocks, contactActions.add)).toEqual([])
    expect(buttonsIn(card.blocks, contactActions.edit)).toEqual([])
    expect(buttonsIn(card.blocks, contactActions.remove)).toEqual([])
    expect(card.blocks.filter((block: any) => block.type === 'actions')).toEqual([])
  })

  test('pressing buttons from a staff member’s card is refused in plain words, and nothing changes', async () => {
    const { lib, ana } = await libraryWithAna()
    const staffCard = await lookUp(lib, 'USTAFF', 'asilva')

    await userIn(lib, 'UVIEWER').click(buttonsIn(staffCard.blocks, contactActions.remove)[0])
    const refusal = (await slack.fake.next('response_url')).args
    await userIn(lib, 'UVIEWER').click(buttonsIn(staffCard.blocks, contactActions.edit)[0])
    const editRefusal = (await slack.fake.next('response_url')).args

    expect(refusal.replace_original).toBe(false)
    expect(textOf(refusal.blocks)).toContain('needs the *staff* role, and you have the *viewer* role in *')
    expect(textOf(editRefusal.blocks)).toContain('needs the *staff* role')
    expect(slack.fake.calls.filter((call) => call.method === 'views.open')).toEqual([])
    expect(await lib.contactsOf(ana)).toHaveLength(1)
    expect(await lib.auditActions()).toEqual([])
  })

  test('submitting a modal opened while still staff is refused, because the role is checked again', async () => {
    const { lib, ana } = await libraryWithAna()
    await lib.staff('UDEMOTED', 'staff')
    const card = await lookUp(lib, 'UDEMOTED', 'asilva')
    await userIn(lib, 'UDEMOTED').click(buttonsIn(card.blocks, contactActions.add)[0])
    const modal = (await slack.fake.next('views.open')).args.view
    await slack.service.deps.db.updateTable('staff').set({ role: 'viewer' }).where('library_id', '=', lib.id).where('slack_user_id', '=', 'UDEMOTED').execute()

    const response = await userIn(lib, 'UDEMOTED').submit(modal, { [contactBlocks.address]: 'dad@example.org' })

    const reply = await response.json()
    expect(reply.response_action).toBe('update')
    expect(textOf(reply.view.blocks)).toContain('needs the *staff* role')
    expect(await lib.contactsOf(ana)).toHaveLength(1)
  })
})

describe('deactivating and reactivating from the card', () => {
  const headerOf = (card: any) => card.blocks.find((block: any) => block.type === 'header').text.text
  const isEnabled = async (lib: GivenLibrary) =>
    (
      await slack.service.deps.db
        .selectFrom('patrons')
        .where('library_id', '=', lib.id)
        .where('username', '=', 'asilva')
        .select('is_enabled')
        .executeTakeFirstOrThrow()
    ).is_enabled

  test('an admin deactivates Ana after a confirm dialog; the card comes back in place marked Deactivated, with Reactivate; audited', async () => {
    const { lib } = await libraryWithAna()
    await lib.staff('UADMIN', 'admin')
    const card = await lookUp(lib, 'UADMIN', 'asilva')
    const [deactivate] = buttonsIn(card.blocks, contactActions.deactivate)
    expect(deactivate).toMatchObject({ style: 'danger', text: { text: 'Deactivate' } })
    expect(deactivate.confirm.text.text).toContain('They get no notices and become a purge candidate.')
    expect(buttonsIn(card.blocks, contactActions.reactivate)).toEqual([])

    await userIn(lib, 'UADMIN').click(deactivate)
    const updated = (await slack.fake.next('response_url')).args

    expect(updated.replace_original).toBe(true)
    expect(headerOf(updated)).toBe('Ana Silva · :no_entry_sign: Deactivated')
    expect(textOf(updated.blocks)).toContain('Deactivated *Ana Silva*: they get no notices, and they are a purge candidate.')
    expect(textOf(updated.blocks)).toContain('maria.silva@example.org (to Mrs Silva)')
    expect(buttonsIn(updated.blocks, contactActions.deactivate)).toEqual([])
    expect(buttonsIn(updated.blocks, contactActions.reactivate)).toHaveLength(1)
    expect(await isEnabled(lib)).toBe(false)
    expect(await lib.auditActions()).toMatchObject([{ action: 'patron.deactivated', actor: 'slack:UADMIN' }])
  })

  test('staff see no Deactivate on an active patron; on a deactivated one they see Reactivate, and it brings them back', async () => {
    const { lib } = await libraryWithAna()
    expect(buttonsIn((await lookUp(lib, 'USTAFF', 'asilva')).blocks, contactActions.deactivate)).toEqual([])
    await slack.service.deps.db.updateTable('patrons').set({ is_enabled: false }).where('library_id', '=', lib.id).execute()

    const card = await lookUp(lib, 'USTAFF', 'asilva')
    expect(headerOf(card)).toBe('Ana Silva · :no_entry_sign: Deactivated')
    await userIn(lib, 'USTAFF').click(buttonsIn(card.blocks, contactActions.reactivate)[0])
    const updated = (await slack.fake.next('response_url')).args

    expect(headerOf(updated)).toBe('Ana Silva')
    expect(textOf(updated.blocks)).toContain('Reactivated *Ana Silva*: their notices start again with the next run.')
    expect(buttonsIn(updated.blocks, contactActions.deactivate)).toEqual([])
    expect(await isEnabled(lib)).toBe(true)
    expect(await lib.auditActions()).toMatchObject([{ action: 'patron.reactivated', actor: 'slack:USTAFF' }])
  })

  test('a viewer sees neither button, and pressing an admin’s Deactivate is refused privately, with nothing changed', async () => {
    const { lib } = await libraryWithAna()
    await lib.staff('UADMIN', 'admin')
    expect((await lookUp(lib, 'UVIEWER', 'asilva')).blocks.filter((block: any) => block.type === 'actions')).toEqual([])
    const adminCard = await lookUp(lib, 'UADMIN', 'asilva')

    await userIn(lib, 'UVIEWER').click(buttonsIn(adminCard.blocks, contactActions.deactivate)[0])
    const refusal = (await slack.fake.next('response_url')).args
    await userIn(lib, 'USTAFF').click(buttonsIn(adminCard.blocks, contactActions.deactivate)[0])
    const staffRefusal = (await slack.fake.next('response_url')).args

    expect(refusal.replace_original).toBe(false)
    expect(textOf(refusal.blocks)).toContain('Sorry, you can’t deactivate patrons: that needs the *admin* role, and you have the *viewer* role')
    expect(textOf(staffRefusal.blocks)).toContain('that needs the *admin* role, and you have the *staff* role')
    expect(await isEnabled(lib)).toBe(true)
    expect(await lib.auditActions()).toEqual([])
  })

  test('pressing Deactivate on a card gone stale says the patron was already deactivated, and audits nothing more', async () => {
    const { lib } = await libraryWithAna()
    await lib.staff('UADMIN', 'admin')
    const card = await lookUp(lib, 'UADMIN', 'asilva')
    await userIn(lib, 'UADMIN').click(buttonsIn(card.blocks, contactActions.deactivate)[0])
    await slack.fake.next('response_url')

    await userIn(lib, 'UADMIN').click(buttonsIn(card.blocks, contactActions.deactivate)[0])
    const again = (await slack.fake.next('response_url')).args

    expect(textOf(again.blocks)).toContain('*Ana Silva* was already deactivated: nothing changed.')
    expect((await lib.auditActions()).map((entry) => entry.action)).toEqual(['patron.deactivated'])
  })

  test('the pick-list marks a deactivated patron', async () => {
    const lib = await givenLibrary(slack.service.deps)
    await lib.staff('USTAFF', 'staff')
    await lib.patron({ username: 'bjones', firstName: 'Ben', lastName: 'Jones' })
    await lib.patron({ username: 'cjones', firstName: 'Cara', lastName: 'Jones', enabled: false })

    const list = await lookUp(lib, 'USTAFF', 'jones')

    const rows = list.blocks.filter((block: any) => block.accessory?.action_id === contactActions.pick).map((block: any) => block.text.text)
    expect(rows).toEqual([expect.stringMatching(/^\*Ben Jones\* · `bjones`/), expect.stringMatching(/^\*Cara Jones\* :no_entry_sign: Deactivated · `cjones`/)])
  })
})

describe('a patron with more contacts than fit one message', () => {
  /** Ben has 45 contacts, as a few imports can leave: guardian1@… to guardian45@…. */
  async function libraryWithBen() {
    const lib = await givenLibrary(slack.service.deps)
    await lib.staff('USTAFF', 'staff')
    await lib.staff('UVIEWER', 'viewer')
    const ben = await lib.patron({ username: 'bjones', firstName: 'Ben', lastName: 'Jones' })
    for (let n = 1; n <= 45; n++) await lib.contact(ben, { address: `guardian${n}@example.org` })
    return { lib, ben }
  }
  const addressesOn = (card: any) =>
    [...textOf(card.blocks.filter((block: any) => block.type === 'section')).matchAll(/guardian(\d+)@example\.org/g)].map((match) => Number(match[1]))
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

  test('staff page through all 45 contacts, each one with its Edit and Remove, within Slack’s 50 blocks', async () => {
    const { lib } = await libraryWithBen()

    const first = await lookUp(lib, 'USTAFF', 'bjones')
    await userIn(lib, 'USTAFF').click(buttonsIn(first.blocks, contactActions.page)[0])
    const second = (await slack.fake.next('response_url')).args
    await userIn(lib, 'USTAFF').click(buttonsIn(second.blocks, contactActions.page).find((b) => b.text.text.startsWith('Next'))!)
    const third = (await slack.fake.next('response_url')).args

    expect(contactsPerPage).toBe(20)
    expect(addressesOn(first)).toEqual(range(1, 20))
    expect(textOf(first.blocks)).toContain('Contacts 1–20 of 45 (page 1 of 3)')
    expect(buttonsIn(first.blocks, contactActions.page).map((b) => b.text.text)).toEqual(['Next 20'])
    expect(second.replace_original).toBe(true)
    expect(addressesOn(second)).toEqual(range(21, 40))
    expect(buttonsIn(second.blocks, contactActions.page).map((b) => b.text.text)).toEqual(['Previous 20', 'Next 5'])
    expect(addressesOn(third)).toEqual(range(41, 45))
    expect(textOf(third.blocks)).toContain('Contacts 41–45 of 45 (page 3 of 3)')
    for (const card of [first, second, third]) {
      expect(card.blocks.length).toBeLessThanOrEqual(50)
      expect(buttonsIn(card.blocks, contactActions.edit)).toHaveLength(addressesOn(card).length)
      expect(buttonsIn(card.blocks, contactActions.remove)).toHaveLength(addressesOn(card).length)
      expect(buttonsIn(card.blocks, contactActions.add)).toHaveLength(1)
    }
    expect(first.text).toBe('Ben Jones (bjones): 45 contacts')
  })

  test('editing the 45th contact saves it, and the card comes back on the page it was on', async () => {
    const { lib, ben } = await libraryWithBen()
    const first = await lookUp(lib, 'USTAFF', 'bjones')
    await userIn(lib, 'USTAFF').click(buttonsIn(first.blocks, contactActions.page)[0])
    const second = (await slack.fake.next('response_url')).args
    await userIn(lib, 'USTAFF').click(buttonsIn(second.blocks, contactActions.page)[1])
    const third = (await slack.fake.next('response_url')).args

    await userIn(lib, 'USTAFF').click(buttonsIn(third.blocks, contactActions.edit)[4])
    const modal = (await slack.fake.next('views.open')).args.view
    await userIn(lib, 'USTAFF').submit(modal, { [contactBlocks.addressee]: 'Mr Jones' })
    const refreshed = (await slack.fake.next('response_url')).args

    expect(textOf(refreshed.blocks)).toContain('Saved guardian contact guardian45@example.org')
    expect(textOf(refreshed.blocks)).toContain('guardian45@example.org (to Mr Jones)')
    expect(textOf(refreshed.blocks)).toContain('Contacts 41–45 of 45 (page 3 of 3)')
    expect((await lib.contactsOf(ben)).at(-1)).toMatchObject({ address: 'guardian45@example.org', source: 'staff' })
  })

  test('a viewer pages through them too, still without buttons that change contacts', async () => {
    const { lib } = await libraryWithBen()

    const first = await lookUp(lib, 'UVIEWER', 'bjones')
    await userIn(lib, 'UVIEWER').click(buttonsIn(first.blocks, contactActions.page)[0])
    const second = (await slack.fake.next('response_url')).args

    expect(addressesOn(second)).toEqual(range(21, 40))
    for (const card of [first, second]) {
      expect(buttonsIn(card.blocks, contactActions.edit)).toEqual([])
      expect(buttonsIn(card.blocks, contactActions.remove)).toEqual([])
      expect(buttonsIn(card.blocks, contactActions.add)).toEqual([])
    }
  })
})
