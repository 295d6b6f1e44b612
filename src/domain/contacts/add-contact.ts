import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { findPatronById, findPatronByUsername } from '../patrons/queries.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import { type ContactFields, type ContactRole, type ContactSource, validateContactFields } from './contact-fields.ts'
import type { Contact } from './contact-view.ts'
import type { ContactError } from './errors.ts'
import { contactColumnsOf, findContact, findContactWithAddress, hasOtherPrimary, replaceContactScenarios } from './queries.ts'

type Deps = Pick<AppDeps, 'db' | 'clock'>

type AddContactInput = {
  libraryId: number
  patron: { username: string } | { patronId: number }
  fields: ContactFields
  source: ContactSource
  actor: Actor
}

/** Adds a contact to a patron; at most one primary per patron (seed 000). Audited. */
export async function addContact(deps: Deps, input: AddContactInput): Promise<Result<Contact, ContactError>> {
  const refused = checkPermission(input.actor, 'changeContacts')
  if (refused) return err(refused)
  const valid = validateContactFields(input.fields)
  if (!valid.ok) return err({ code: 'invalid_contact', problems: valid.error })
  const contact = valid.value

  return deps.db.transaction().execute(async (tx) => {
    const patron =
      'username' in input.patron
        ? await findPatronByUsername(tx, { libraryId: input.libraryId, username: input.patron.username })
        : await findPatronById(tx, { libraryId: input.libraryId, patronId: input.patron.patronId })
    if (!patron) {
      const username = 'username' in input.patron ? input.patron.username : `#${input.patron.patronId}`
      return err({ code: 'patron_not_found', username } as const)
    }
    // Lock the patron so two staff adding a primary at once cannot both pass the check.
    await tx.selectFrom('patrons').where('id', '=', patron.id).select('id').forUpdate().execute()
    const same = await findContactWithAddress(tx, { patronId: patron.id, type: contact.type, addressKey: contact.addressKey })
    if (same) return err(duplicateAddress(same.role))
    if (contact.isPrimary && (await hasOtherPrimary(tx, { patronId: patron.id }))) {
      return err(secondPrimary)
    }
    const now = deps.clock.now()
    const { id } = await tx
      .insertInto('contacts')
      .values({
        library_id: input.libraryId,
        patron_id: patron.id,
        ...contactColumnsOf(contact),
        source: input.source,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await replaceContactScenarios(tx, id, contact.scenarios)
    const added = (await findContact(tx, { libraryId: input.libraryId, contactId: id }))!
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: actorLabel(input.actor.ref),
      action: 'contact.added',
      patronId: patron.id,
      subjectType: 'contact',
      subjectId: id,
      after: auditView(added, patron.username),
    })
    return ok(added)
  })
}

/** A patron holds an address once: "Mum@Example.org" is "mum@example.org". */
export function duplicateAddress(role: ContactRole): ContactError {
  const whose = role === 'patron' ? 'the patron’s own contact' : role === 'guardian' ? 'a guardian contact' : 'an “other” contact'
  return { code: 'invalid_contact', problems: [{ field: 'address', message: `This patron already has this address, as ${whose}; edit that contact instead` }] }
}

export const secondPrimary: ContactError = {
  code: 'invalid_contact',
  problems: [{ field: 'primary', message: 'This patron already has a primary contact; unset it first' }],
}

/** What the audit log keeps of a contact. */
export function auditView(contact: Contact, username: string) {
  const { createdAt, updatedAt, ...rest } = contact
  return { ...rest, username }
}
