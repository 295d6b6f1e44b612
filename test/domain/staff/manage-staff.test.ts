import { afterAll, beforeAll, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import type { AppDeps } from '../../../src/domain/deps.ts'
import { identifySlackMember } from '../../../src/domain/staff/identify-slack-member.ts'
import { listStaff } from '../../../src/domain/staff/list-staff.ts'
import { removeStaff } from '../../../src/domain/staff/remove-staff.ts'
import { setStaffRole } from '../../../src/domain/staff/set-staff-role.ts'
import { type GivenLibrary, givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

/** The member as Slack's door finds them in the library's workspace. */
async function member(deps: AppDeps, lib: GivenLibrary, slackUserId: string) {
  return (await identifySlackMember(deps, { slackTeamId: lib.slackTeamId, slackUserId }))!.actor
}

test('a configured admin is admin of every library, and adds staff', async () => {
  const deps = testDeps(handle, { adminUserIds: ['UBOSS'] })
  const lib = await givenLibrary(deps)
  const boss = await member(deps, lib, 'UBOSS')
  expect(boss).toEqual({ ref: { kind: 'slack', userId: 'UBOSS' }, role: 'admin' })
  const added = await setStaffRole(deps, { libraryId: lib.id, slackUserId: 'UANNA', role: 'staff', actor: boss })
  expect(added.ok).toBe(true)
  expect(await member(deps, lib, 'UANNA')).toEqual({ ref: { kind: 'slack', userId: 'UANNA' }, role: 'staff' })
  expect(await member(deps, lib, 'USTRANGER')).toEqual({ ref: { kind: 'slack', userId: 'USTRANGER' }, role: null })
  const listed = await listStaff(deps, { libraryId: lib.id, actor: boss })
  expect(listed.ok && listed.value.map((s) => [s.slackUserId, s.role, s.fromConfiguration])).toEqual([
    ['UBOSS', 'admin', true],
    ['UANNA', 'staff', false],
  ])
  expect((await lib.auditActions()).map((a) => [a.action, a.actor])).toEqual([['staff.added', 'slack:UBOSS']])
})

test('a configured admin cannot be given a role or removed here, and nothing is written', async () => {
  const deps = testDeps(handle, { adminUserIds: ['UBOSS', 'UHEAD'] })
  const lib = await givenLibrary(deps)
  const head = await member(deps, lib, 'UHEAD')
  expect(await setStaffRole(deps, { libraryId: lib.id, slackUserId: 'UBOSS', role: 'viewer', actor: head })).toEqual({
    ok: false,
    error: { code: 'configured_admin', slackUserId: 'UBOSS' },
  })
  expect(await removeStaff(deps, { libraryId: lib.id, slackUserId: 'UBOSS', actor: head })).toEqual({
    ok: false,
    error: { code: 'configured_admin', slackUserId: 'UBOSS' },
  })
  expect(await member(deps, lib, 'UBOSS')).toMatchObject({ role: 'admin' })
  expect(await lib.auditActions()).toEqual([])
})

test('staff cannot manage staff, and nothing changes', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  await lib.staff('UANNA', 'staff')
  const result = await setStaffRole(deps, { libraryId: lib.id, slackUserId: 'UANNA', role: 'admin', actor: staffActor('staff', 'slack:UANNA') })
  expect(result).toEqual({ ok: false, error: { code: 'not_allowed', permission: 'manageStaff', needed: 'admin', role: 'staff' } })
  expect(await member(deps, lib, 'UANNA')).toMatchObject({ role: 'staff' })
})

test('a role is changed and removed by an admin, with the change audited', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  await lib.staff('UADMIN', 'admin')
  await lib.staff('UBEN', 'viewer')
  const admin = staffActor('admin', 'slack:UADMIN')
  expect((await setStaffRole(deps, { libraryId: lib.id, slackUserId: 'UBEN', role: 'staff', actor: admin })).ok).toBe(true)
  expect((await removeStaff(deps, { libraryId: lib.id, slackUserId: 'UBEN', actor: admin })).ok).toBe(true)
  expect(await member(deps, lib, 'UBEN')).toMatchObject({ role: null })
  const audit = await lib.auditActions()
  expect(audit.map((a) => [a.action, a.before, a.after])).toEqual([
    ['staff.role_changed', { role: 'viewer' }, { role: 'staff' }],
    ['staff.removed', { role: 'staff' }, null],
  ])
})

test('the last admin of a library cannot be demoted or removed', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  await lib.staff('UONLY', 'admin')
  const admin = staffActor('admin', 'slack:UONLY')
  expect(await removeStaff(deps, { libraryId: lib.id, slackUserId: 'UONLY', actor: admin })).toEqual({
    ok: false,
    error: { code: 'last_admin', slackUserId: 'UONLY' },
  })
  expect(await setStaffRole(deps, { libraryId: lib.id, slackUserId: 'UONLY', role: 'viewer', actor: admin })).toEqual({
    ok: false,
    error: { code: 'last_admin', slackUserId: 'UONLY' },
  })
})

test('an unknown role, or something that is not a Slack member id, is refused', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  expect(await setStaffRole(deps, { libraryId: lib.id, slackUserId: 'UXAVIER', role: 'owner', actor: staffActor('admin') })).toEqual({
    ok: false,
    error: { code: 'invalid_role', role: 'owner' },
  })
  expect(await setStaffRole(deps, { libraryId: lib.id, slackUserId: 'xavier', role: 'staff', actor: staffActor('admin') })).toEqual({
    ok: false,
    error: { code: 'invalid_slack_user', slackUserId: 'xavier' },
  })
  expect(await lib.auditActions()).toEqual([])
})
