import { afterAll, beforeAll, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { listStaff, removeStaff, setStaffRole } from '../../../src/domain/staff/manage-staff.ts'
import { resolveSlackActor } from '../../../src/domain/staff/resolve-actor.ts'
import { givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

test('a configured admin is admin of every library, and adds staff', async () => {
  const deps = testDeps(handle, { adminUserIds: ['UBOSS'] })
  const lib = await givenLibrary(deps)
  const boss = await resolveSlackActor(deps, { libraryId: lib.id, slackUserId: 'UBOSS' })
  expect(boss).toEqual({ label: 'slack:UBOSS', role: 'admin' })
  const added = await setStaffRole(deps, { libraryId: lib.id, slackUserId: 'UANNA', role: 'staff', actor: boss })
  expect(added.ok).toBe(true)
  expect(await resolveSlackActor(deps, { libraryId: lib.id, slackUserId: 'UANNA' })).toEqual({ label: 'slack:UANNA', role: 'staff' })
  expect(await resolveSlackActor(deps, { libraryId: lib.id, slackUserId: 'USTRANGER' })).toEqual({ label: 'slack:USTRANGER', role: null })
  const listed = await listStaff(deps, { libraryId: lib.id, actor: boss })
  expect(listed.ok && listed.value.map((s) => [s.slackUserId, s.role, s.fromConfiguration])).toEqual([['UBOSS', 'admin', true], ['UANNA', 'staff', false]])
  expect((await lib.auditActions()).map((a) => [a.action, a.actor])).toEqual([['staff.added', 'slack:UBOSS']])
})

test('a configured admin cannot be given a role or removed here, and nothing is written', async () => {
  const deps = testDeps(handle, { adminUserIds: ['UBOSS', 'UHEAD'] })
  const lib = await givenLibrary(deps)
  const head = await resolveSlackActor(deps, { libraryId: lib.id, slackUserId: 'UHEAD' })
  expect(await setStaffRole(deps, { libraryId: lib.id, slackUserId: 'UBOSS', role: 'viewer', actor: head })).toEqual({ ok: false, error: { code: 'configured_admin', slackUserId: 'UBOSS' } })
  expect(await removeStaff(deps, { libraryId: lib.id, slackUserId: 'UBOSS', actor: head })).toEqual({ ok: false, error: { code: 'configured_admin', slackUserId: 'UBOSS' } })
  expect(await resolveSlackActor(deps, { libraryId: lib.id, slackUserId: 'UBOSS' })).toMatchObject({ role: 'admin' })
  expect(await lib.auditActions()).toEqual([])
})

test('staff cannot manage staff, and nothing changes', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  await lib.staff('UANNA', 'staff')
  const result = await setStaffRole(deps, { libraryId: lib.id, slackUserId: 'UANNA', role: 'admin', actor: staffActor('staff', 'slack:UANNA') })
  expect(result).toEqual({ ok: false, error: { code: 'not_allowed', needed: 'admin', role: 'staff' } })
  expect(await resolveSlackActor(deps, { libraryId: lib.id, slackUserId: 'UANNA' })).toMatchObject({ role: 'staff' })
})

test('a role is changed and removed by an admin, with the change audited', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  await lib.staff('UADMIN', 'admin')
  await lib.staff('UBEN', 'viewer')
  const admin = staffActor('admin', 'slack:UADMIN')
  expect((await setStaffRole(deps, { libraryId: lib.id, slackUserId: 'UBEN', role: 'staff', actor: admin })).ok).toBe(true)
  expect((await removeStaff(deps, { libraryId: lib.id, slackUserId: 'UBEN', actor: admin })).ok).toBe(true)
  expect(await resolveSlackActor(deps, { libraryId: lib.id, slackUserId: 'UBEN' })).toMatchObject({ role: null })
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
  expect(await removeStaff(deps, { libraryId: lib.id, slackUserId: 'UONLY', actor: admin })).toEqual({ ok: false, error: { code: 'last_admin', slackUserId: 'UONLY' } })
  expect(await setStaffRole(deps, { libraryId: lib.id, slackUserId: 'UONLY', role: 'viewer', actor: admin })).toEqual({ ok: false, error: { code: 'last_admin', slackUserId: 'UONLY' } })
})

test('an unknown role is refused', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  expect(await setStaffRole(deps, { libraryId: lib.id, slackUserId: 'UX', role: 'owner', actor: staffActor('admin') })).toEqual({ ok: false, error: { code: 'invalid_role', role: 'owner' } })
})
