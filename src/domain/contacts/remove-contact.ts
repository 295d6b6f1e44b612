import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { findPatronById } from '../patrons/queries.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import { auditView } from './add-contact.ts'
import type { Contact } from './contact-view.ts'
import type { ContactError } from './errors.ts'
import { findContact } from './queries.ts'

type Deps = Pick<AppDeps, 'db'>

/** Removes a contact. Audited with what it was. */
export async function removeContact(deps: Deps, input: { libraryId: number; contactId: number; actor: Actor }): Promise<Result<Contact, ContactError>> {
  const refused = checkPermission(input.actor, 'changeContacts')
  if (refused) return err(refused)
  return deps.db.transaction().execute(async (tx) => {
    const before = await findContact(tx, { libraryId: input.libraryId, contactId: input.contactId })
    if (!before) return err({ code: 'contact_not_found', contactId: input.contactId } as const)
    await tx.deleteFrom('contacts').where('id', '=', before.id).where('library_id', '=', input.libraryId).execute()
    const patron = await findPatronById(tx, { libraryId: input.libraryId, patronId: before.patronId })
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: actorLabel(input.actor.ref),
      action: 'contact.removed',
      patronId: before.patronId,
      subjectType: 'contact',
      subjectId: before.id,
      before: auditView(before, patron?.username ?? ''),
    })
    return ok(before)
  })
}
