import { describe, expect, test } from 'vitest'
import { checkRole, type StaffRole } from '../../../src/domain/staff/roles.ts'
import { staffActor } from '../../support/builders.ts'

// The ladder every use case climbs today: viewers look, staff change contacts and import in add
// mode, admins also replace, deactivate and manage staff. Issue 9 turns it into a table of named
// permissions; this is what that table must still grant, role by role.
describe('who may do what a step of the ladder needs', () => {
  const steps: StaffRole[] = ['viewer', 'staff', 'admin']
  test.each([
    ['an admin', 'admin', ['viewer', 'staff', 'admin']],
    ['a member of staff', 'staff', ['viewer', 'staff']],
    ['a viewer', 'viewer', ['viewer']],
    ['someone not on the library’s staff', null, []],
  ] as const)('%s may do what needs %j, and is refused the rest with what it needed', (_, role, allowed) => {
    const actor = staffActor(role)
    for (const needed of steps) {
      const refusal = allowed.includes(needed as never) ? undefined : { code: 'not_allowed', needed, role }
      expect([needed, checkRole(actor, needed)]).toEqual([needed, refusal])
    }
  })
})
