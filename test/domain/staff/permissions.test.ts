import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { can, checkPermission, type Permission, permissions } from '../../../src/domain/staff/permissions.ts'
import type { StaffRole } from '../../../src/domain/staff/roles.ts'
import { staffActor } from '../../support/builders.ts'

const roles: Array<StaffRole | null> = [null, 'viewer', 'staff', 'admin']

// Who may do what, as staff read it in docs/staff/staff-roles.md, role by role.
const expected: Record<Permission, StaffRole> = {
  lookUpContacts: 'viewer',
  seeStaff: 'viewer',
  readEmailLog: 'viewer',
  changeContacts: 'staff',
  changePatrons: 'staff',
  importContacts: 'staff',
  reviewBlacklist: 'staff',
  sendNotices: 'staff',
  feedCirculation: 'staff',
  replaceContacts: 'admin',
  deactivatePatrons: 'admin',
  releaseImports: 'admin',
  manageStaff: 'admin',
  readAudit: 'admin',
  changeNoticeSettings: 'admin',
  editTemplates: 'admin',
  runPreferencesBatch: 'admin',
  purgePatrons: 'admin',
}

test('each permission is held by its role and those above it, and by no one without a role', () => {
  expect(permissions).toEqual(expected)
  const order: Array<StaffRole | null> = [null, 'viewer', 'staff', 'admin']
  for (const permission of Object.keys(permissions) as Permission[]) {
    for (const role of roles) {
      const allowed = role !== null && order.indexOf(role) >= order.indexOf(expected[permission])
      expect(can(staffActor(role), permission), `${role} ${permission}`).toBe(allowed)
      expect(checkPermission(staffActor(role), permission)).toEqual(
        allowed ? undefined : { code: 'not_allowed', permission, needed: expected[permission], role },
      )
    }
  }
})

test('the staff guide shows the same table', () => {
  const guide = readFileSync(new URL('../../../docs/staff/staff-roles.md', import.meta.url), 'utf8')
  const table = guide.slice(guide.indexOf('<!-- permissions'), guide.indexOf('<!-- end permissions -->'))
  const rows = table.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| may') && !line.startsWith('| ---'))
  // The lowest role with a "yes" in each row, in the order of the table.
  const lowest = rows.map((row) => {
    const [, ...cells] = row.split('|').map((cell) => cell.trim())
    const yes = cells.slice(1, 4).indexOf('yes')
    return (['viewer', 'staff', 'admin'] as const)[yes]
  })
  expect(lowest).toEqual(Object.values(expected))
})
