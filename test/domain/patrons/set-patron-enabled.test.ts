import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { findPatronByUsername } from '../../../src/domain/patrons/queries.ts'
import { setPatronEnabled } from '../../../src/domain/patrons/set-patron-enabled.ts'
import { givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

async function libraryWithAna(options: { enabled?: boolean } = {}) {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  const ana = await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva', enabled: options.enabled ?? true })
  await lib.contact(ana, { address: 'mum@example.org' })
  const isEnabled = async () => (await findPatronByUsername(deps.db, { libraryId: lib.id, username: 'asilva' }))?.isEnabled
  return { deps, lib, ana, isEnabled }
}

describe('deactivating', () => {
  test('an admin deactivates a patron by username in any case: the patron and contacts come back, audited with the patron', async () => {
    const { deps, lib, ana, isEnabled } = await libraryWithAna()

    const result = await setPatronEnabled(deps, { libraryId: lib.id, username: 'ASilva', enabled: false, actor: staffActor('admin', 'slack:UADMIN') })

    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.value).toMatchObject({ username: 'asilva', isEnabled: false, changed: true, contacts: [{ address: 'mum@example.org' }] })
    expect(await isEnabled()).toBe(false)
    const audit = await lib.auditActions()
    expect(audit).toMatchObject([
      { action: 'patron.deactivated', actor: 'slack:UADMIN', before: { enabled: true }, after: { enabled: false }, details: { username: 'asilva' } },
    ])
    const row = await deps.db.selectFrom('audit_log').where('library_id', '=', lib.id).select(['patron_id', 'subject_type']).executeTakeFirstOrThrow()
    expect(row).toEqual({ patron_id: ana.id, subject_type: 'patron' })
  })

  test('staff and viewers may not deactivate: nothing changes and nothing is audited', async () => {
    const { deps, lib, isEnabled } = await libraryWithAna()

    for (const role of ['staff', 'viewer', null] as const) {
      const result = await setPatronEnabled(deps, { libraryId: lib.id, username: 'asilva', enabled: false, actor: staffActor(role) })
      expect(result).toEqual({ ok: false, error: { code: 'not_allowed', permission: 'deactivatePatrons', needed: 'admin', role } })
    }
    expect(await isEnabled()).toBe(true)
    expect(await lib.auditActions()).toEqual([])
  })

  test('a patron already deactivated is left as is: changed is false, and nothing is audited', async () => {
    const { deps, lib } = await libraryWithAna({ enabled: false })

    const result = await setPatronEnabled(deps, { libraryId: lib.id, username: 'asilva', enabled: false, actor: staffActor('admin') })

    expect(result).toMatchObject({ ok: true, value: { isEnabled: false, changed: false } })
    expect(await lib.auditActions()).toEqual([])
  })
})

describe('reactivating', () => {
  test('staff may reactivate, as the patrons file lets them; audited patron.reactivated', async () => {
    const { deps, lib, isEnabled } = await libraryWithAna({ enabled: false })

    const result = await setPatronEnabled(deps, { libraryId: lib.id, username: 'asilva', enabled: true, actor: staffActor('staff', 'api-key:3') })

    expect(result).toMatchObject({ ok: true, value: { isEnabled: true, changed: true } })
    expect(await isEnabled()).toBe(true)
    expect(await lib.auditActions()).toMatchObject([{ action: 'patron.reactivated', actor: 'api-key:3', after: { enabled: true } }])
  })

  test('a viewer may not reactivate', async () => {
    const { deps, lib, isEnabled } = await libraryWithAna({ enabled: false })

    const result = await setPatronEnabled(deps, { libraryId: lib.id, username: 'asilva', enabled: true, actor: staffActor('viewer') })

    expect(result).toMatchObject({ ok: false, error: { code: 'not_allowed', permission: 'changePatrons' } })
    expect(await isEnabled()).toBe(false)
  })
})

test('an unknown username, or one of another library, is patron_not_found', async () => {
  const { deps } = await libraryWithAna()
  const other = await givenLibrary(deps)

  const result = await setPatronEnabled(deps, { libraryId: other.id, username: 'asilva', enabled: false, actor: staffActor('admin') })

  expect(result).toEqual({ ok: false, error: { code: 'patron_not_found', username: 'asilva' } })
})

test('two admins deactivating at once make one change and one audit entry', async () => {
  const { deps, lib } = await libraryWithAna()
  const actor = staffActor('admin')

  const results = await Promise.all([1, 2].map(() => setPatronEnabled(deps, { libraryId: lib.id, username: 'asilva', enabled: false, actor })))

  expect(results.map((r) => r.ok && r.value.changed).sort()).toEqual([false, true])
  expect((await lib.auditActions()).map((a) => a.action)).toEqual(['patron.deactivated'])
})
