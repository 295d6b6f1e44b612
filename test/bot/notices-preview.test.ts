import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { answerNoticesPreview } from '../../src/bot/notices/preview.ts'
import type { BotContext } from '../../src/bot/workspace.ts'
import type { DatabaseHandle } from '../../src/db/database.ts'
import type { StaffRole } from '../../src/domain/staff/roles.ts'
import { fixedClock, type GivenLibrary, givenLibrary, testDeps } from '../support/builders.ts'
import { openTestDatabase } from '../support/database.ts'
import { textOf } from '../support/fake-slack.ts'
import { emailsOut, listingRender } from '../support/nights.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

async function contextOf(lib: GivenLibrary, role: StaffRole): Promise<BotContext> {
  const library = await handle.db
    .selectFrom('libraries')
    .select(['id', 'name', 'slack_team_id as slackTeamId', 'time_zone as timeZone'])
    .where('id', '=', lib.id)
    .executeTakeFirstOrThrow()
  return { library, actor: { ref: { kind: 'slack', userId: 'UASKER' }, role } }
}

/** A library with a pupil two weeks overdue, one with no contact, and a deactivated one. */
async function givenLibraryWithOverdueLoans() {
  const lib = await givenLibrary(testDeps(handle), { name: 'Hillside <Library>', timeZone: 'Australia/Sydney' })
  const ana = await lib.patron({ username: 'ana' })
  await lib.contact(ana, { address: 'mum@example.org' })
  await lib.contact(ana, { address: 'dad@example.org', bcc: 'yes' })
  await lib.loan(ana, { dueDate: '2026-02-16', title: 'Dracula <1897>' })
  const ben = await lib.patron({ username: 'ben' })
  await lib.loan(ben, { dueDate: '2026-02-16', title: 'Emma' })
  const cy = await lib.patron({ username: 'cy', enabled: false })
  await lib.contact(cy, { address: 'cy.parent@example.org' })
  await lib.loan(cy, { dueDate: '2026-02-16', title: 'Middlemarch' })
  return lib
}

describe('/notices preview', () => {
  test('shows what the night would send, to whom, and what it would not send and why; nothing is written', async () => {
    const lib = await givenLibraryWithOverdueLoans()

    const message = await answerNoticesPreview(testDeps(handle), await contextOf(lib, 'viewer'), '2026-03-02', { render: listingRender })

    const shown = textOf(message.blocks)
    expect(shown).toContain('Preview of the night of Monday 2 March 2026')
    expect(shown).toContain(
      'On the night of Monday 2 March 2026 (2026-03-02), *Hillside &lt;Library&gt;* would send 1 notice and not send 2. This is a preview: nothing was sent or recorded.',
    )
    expect(shown).toContain('*Escalation #1*: 1 to send · 1 not sent: no contact may receive it · 1 not sent: deactivated patron')
    expect(shown).toContain('• Escalation #1 for *ana* → mum@example.org, bcc dad@example.org: “escalation_1 for ana” — Dracula &lt;1897&gt;')
    expect(shown).toContain('• Escalation #1 for *ben*: no contact may receive it — Emma')
    expect(shown).toContain('• Escalation #1 for *cy*: deactivated patron — Middlemarch')
    expect(shown).not.toContain('Overdue notice')
    expect(await emailsOut(handle.db, lib.id)).toEqual([])
  })

  test('with no date, previews tonight: today in the library’s time zone', async () => {
    const lib = await givenLibraryWithOverdueLoans()
    // 15:00 UTC on 1 March is 2 am on 2 March in Sydney.
    const deps = testDeps(handle, { clock: fixedClock('2026-03-01T15:00:00Z') })

    const message = await answerNoticesPreview(deps, await contextOf(lib, 'viewer'), ' ', { render: listingRender })

    expect(textOf(message.blocks)).toContain('Preview of the night of Monday 2 March 2026')
  })

  test('a date that is not one, and someone not on the staff, are told so', async () => {
    const lib = await givenLibraryWithOverdueLoans()

    const badDate = await answerNoticesPreview(testDeps(handle), await contextOf(lib, 'viewer'), 'next monday', { render: listingRender })
    const stranger = await answerNoticesPreview(
      testDeps(handle),
      { ...(await contextOf(lib, 'viewer')), actor: { ref: { kind: 'slack', userId: 'UX' }, role: null } },
      '2026-03-02',
      {
        render: listingRender,
      },
    )

    expect(badDate.text).toContain('“next monday” is not a date. Try `/notices preview 2026-03-02`')
    expect(stranger.text).toContain('Sorry, you can’t read the email log: you are not on the staff of *Hillside &lt;Library&gt;*')
  })
})
