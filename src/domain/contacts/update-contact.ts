import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { findPatronById } from '../patrons/queries.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import { auditView, duplicateAddress, secondPrimary } from './add-contact.ts'
import { type ContactFields, type ContactSource, validateContactFields } from './contact-fields.ts'
import type { Contact } from './contact-view.ts'
import type { ContactError } from './errors.ts'
import { contactColumnsOf, findContact, findContactWithAddress, hasOtherPrimary, replaceContactScenarios } from './queries.ts'

type Deps = Pick<AppDeps, 'db' | 'clock'>

type UpdateContactInput = {
  libraryId: number
  contactId: number
  /** The fields to change; the others keep their value. */
  changes: Partial<ContactFields>
  /** Who edits: an edit by staff marks the contact as custom, so replace imports can keep it. */
  source: ContactSource
  actor: Actor
}

/** Changes a contact's fields. Audited with before and after. */
export async function updateContact(deps: Deps, input: UpdateContactInput): Promise<Result<Contact, ContactError>> {
  const refused = checkPermission(input.actor, 'changeContacts')
  if (refused) return err(refused)

  return deps.db.transaction().execute(async (tx) => {
    const before = await findContact(tx, { libraryId: input.libraryId, contactId: input.contactId })
    if (!before) return err({ code: 'contact_not_found', contactId: input.contactId } as const)
    await tx.selectFrom('patrons').where('id', '=', before.patronId).select('id').forUpdate().execute()

    const merged: ContactFields = {
      role: input.changes.role ?? before.role,
      type: input.changes.type ?? before.type,
      address: input.changes.address ?? before.address,
      isPrimary: input.changes.isPrimary ?? before.isPrimary,
      addressee: input.changes.addressee ?? before.addressee,
      bcc: input.changes.bcc ?? before.bcc,
      usage: input.changes.usage ?? before.usage,
      // Switching to custom without naming scenarios keeps the ones it had, or all for a new list.
      scenarios: input.changes.scenarios ?? (before.usage === 'custom' ? before.scenarios : undefined),
    }
    const valid = validateContactFields(merged)
    if (!valid.ok) return err({ code: 'invalid_contact', problems: valid.error } as const)
    const contact = valid.value
    const same = await findContactWithAddress(tx, { patronId: before.patronId, type: contact.type, addressKey: contact.addressKey, exceptContactId: before.id })
    if (same) return err(duplicateAddress(same.role))
    if (contact.isPrimary && (await hasOtherPrimary(tx, { patronId: before.patronId, exceptContactId: before.id }))) {
      return err(secondPrimary)
    }
    // A new address is most likely another person: the stop choices the old one made through
    // unsubscribe links were theirs, not the new holder's, so they go with the old address.
    await tx
      .deleteFrom('recipient_choices')
      .where('contact_id', '=', before.id)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('contacts')
            .where('id', '=', before.id)
            .where((eb) => eb.or([eb('address_key', '<>', contact.addressKey), eb('type', '<>', contact.type)]))
            .select('id'),
        ),
      )
      .execute()
    await tx
      .updateTable('contacts')
      .set({ ...contactColumnsOf(contact), source: input.source, updated_at: deps.clock.now() })
      .where('id', '=', before.id)
      .where('library_id', '=', input.libraryId)
      .execute()
    await replaceContactScenarios(tx, before.id, contact.scenarios)
    const after = (await findContact(tx, { libraryId: input.libraryId, contactId: before.id }))!
    const patron = await findPatronById(tx, { libraryId: input.libraryId, patronId: before.patronId })
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: actorLabel(input.actor.ref),
      action: 'contact.updated',
      patronId: before.patronId,
      subjectType: 'contact',
      subjectId: before.id,
      before: auditView(before, patron?.username ?? ''),
      after: auditView(after, patron?.username ?? ''),
    })
    return ok(after)
  })
}
