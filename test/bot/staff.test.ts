import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { type GivenLibrary, givenLibrary } from '../support/builders.ts'
import { textOf } from '../support/fake-slack.ts'
import { type SlackTestService, slackUser, startServiceWithSlack } from '../support/slack-request.ts'

// UCONFADMIN is an admin of every library through SLACK_ADMIN_USER_IDS.
let slack: SlackTestService
beforeAll(async () => (slack = await startServiceWithSlack({ adminUserIds: ['UCONFADMIN'] })))
afterAll(async () => slack.stop())
beforeEach(() => slack.fake.clear())

/** Runs /staff as `userId` and returns what they read. */
async function staffCommand(lib: GivenLibrary, userId: string, text: string): Promise<string> {
  const user = slackUser({ eventsUrl: slack.eventsUrl, fake: slack.fake, teamId: lib.slackTeamId, userId })
  expect((await user.command('/staff', text)).status).toBe(200)
  const reply = (await slack.fake.next('response_url')).args
  expect(reply.response_type).toBe('ephemeral')
  return textOf(reply.blocks)
}

const roleOf = async (lib: GivenLibrary, slackUserId: string) =>
  (await slack.service.deps.db.selectFrom('staff').where('library_id', '=', lib.id).where('slack_user_id', '=', slackUserId).select('role').executeTakeFirst())
    ?.role

describe('/staff', () => {
  test('lists everyone with a role, configured admins included', async () => {
    const lib = await givenLibrary(slack.service.deps)
    await lib.staff('UANNA', 'staff')
    await lib.staff('UVIC', 'viewer')

    const shown = await staffCommand(lib, 'UVIC', '')

    expect(shown).toMatch(/Admins[^\n]*\n<@UCONFADMIN> \(from SLACK_ADMIN_USER_IDS\)/)
    expect(shown).toMatch(/Staff[^\n]*\n<@UANNA>/)
    expect(shown).toMatch(/Viewers[^\n]*\n<@UVIC>/)
  })

  test('a staff member may not add staff, and nothing changes', async () => {
    const lib = await givenLibrary(slack.service.deps)
    await lib.staff('UANNA', 'staff')

    const shown = await staffCommand(lib, 'UANNA', 'add <@UNEW|new.person> staff')

    expect(shown).toContain('needs the *admin* role, and you have the *staff* role in *')
    expect(await roleOf(lib, 'UNEW')).toBeUndefined()
    expect(await lib.auditActions()).toEqual([])
  })

  test('an admin adds someone by mention, changes their role and removes them, each audited', async () => {
    const lib = await givenLibrary(slack.service.deps)
    await lib.staff('UADMIN', 'admin')

    expect(await staffCommand(lib, 'UADMIN', 'add <@UNEW|new.person> viewer')).toContain('<@UNEW> now has the *viewer* role in *')
    expect(await roleOf(lib, 'UNEW')).toBe('viewer')
    expect(await staffCommand(lib, 'UADMIN', 'role UNEW staff')).toContain('<@UNEW> now has the *staff* role in *')
    expect(await roleOf(lib, 'UNEW')).toBe('staff')
    expect(await staffCommand(lib, 'UADMIN', 'remove <@UNEW>')).toContain('<@UNEW> is no longer on the staff')
    expect(await roleOf(lib, 'UNEW')).toBeUndefined()

    const actions = await lib.auditActions()
    expect(actions.map((entry) => [entry.action, entry.actor])).toEqual([
      ['staff.added', 'slack:UADMIN'],
      ['staff.role_changed', 'slack:UADMIN'],
      ['staff.removed', 'slack:UADMIN'],
    ])
  })

  test('a configured admin can manage staff of a library they were never added to', async () => {
    const lib = await givenLibrary(slack.service.deps)
    expect(await staffCommand(lib, 'UCONFADMIN', 'add <@UFIRST> admin')).toContain('<@UFIRST> now has the *admin* role in *')
  })

  test('mistakes get a clear answer and change nothing', async () => {
    const lib = await givenLibrary(slack.service.deps)
    await lib.staff('UADMIN', 'admin')

    expect(await staffCommand(lib, 'UADMIN', 'add <@UNEW> librarian')).toContain('“librarian” is not a role. Use admin, staff or viewer.')
    expect(await staffCommand(lib, 'UADMIN', 'add ana staff')).toContain('Mention the person with @')
    expect(await staffCommand(lib, 'UADMIN', 'remove <@UNOBODY>')).toContain('<@UNOBODY> is not on the staff')
    expect(await staffCommand(lib, 'UADMIN', 'promote <@UNEW>')).toContain('“promote” is not something /staff does.')
    expect(await lib.auditActions()).toEqual([])
  })
})
