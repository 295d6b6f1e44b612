import { afterAll, beforeAll, expect, test } from 'vitest'
import { down, up } from '../../migrations/0007_audit_patron.ts'
import type { DatabaseHandle } from '../../src/db/database.ts'
import { listAudit } from '../../src/domain/audit/list-audit.ts'
import { auditLogOf } from '../../src/domain/audit/queries.ts'
import { addContact } from '../../src/domain/contacts/add-contact.ts'
import { removeContact } from '../../src/domain/contacts/remove-contact.ts'
import { updateContact } from '../../src/domain/contacts/update-contact.ts'
import { upsertPatrons } from '../../src/domain/patrons/upsert-patrons.ts'
import { givenLibrary, staffActor, testDeps } from '../support/builders.ts'
import { openTestDatabase } from '../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

test("entries written before the upgrade are found by their patron: contacts' changes, and a batch of one patron", async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  const ana = await lib.patron({ username: 'asilva' })
  const staff = staffActor('staff', 'slack:UANNA')
  const fields = { role: 'guardian', type: 'email', address: 'mum@example.org', isPrimary: false, addressee: '', bcc: 'default', usage: 'any' } as const
  const added = await addContact(deps, { libraryId: lib.id, patron: { username: 'asilva' }, fields, source: 'staff', actor: staff })
  if (!added.ok) throw new Error(added.error.code)
  await updateContact(deps, { libraryId: lib.id, contactId: added.value.id, changes: { addressee: 'Mrs Silva' }, source: 'staff', actor: staff })
  await removeContact(deps, { libraryId: lib.id, contactId: added.value.id, actor: staff })
  await upsertPatrons(deps, { libraryId: lib.id, patrons: [{ username: 'ASilva', enabled: false }], actor: staffActor('admin', 'api-key:4') })

  // What 0007 finds: the log as it was, without the column.
  await down(handle.db)
  await up(handle.db)

  const history = await listAudit(deps, { libraryId: lib.id, actor: staffActor('admin'), filters: { patron: 'asilva' } })
  expect(history.ok && history.value.entries.map((entry) => [entry.action, entry.patron])).toEqual([
    ['patrons.upserted', 'asilva'],
    ['contact.removed', 'asilva'],
    ['contact.updated', 'asilva'],
    ['contact.added', 'asilva'],
  ])
  const linked = await auditLogOf(handle.db).selectFrom('audit_log').where('library_id', '=', lib.id).select(['action', 'patron_id']).orderBy('id').execute()
  expect(linked).toEqual([
    { action: 'contact.added', patron_id: ana.id },
    { action: 'contact.updated', patron_id: ana.id },
    { action: 'contact.removed', patron_id: ana.id },
    { action: 'patrons.upserted', patron_id: ana.id },
  ])
})
