import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { Contact } from './contact-view.ts'
import type { ContactError } from './errors.ts'
import { findContact } from './queries.ts'

/** One contact of the library, for anyone on staff. */
export async function showContact(
  deps: Pick<AppDeps, 'db'>,
  input: { libraryId: number; contactId: number; actor: Actor },
): Promise<Result<Contact, ContactError>> {
  const refused = checkPermission(input.actor, 'lookUpContacts')
  if (refused) return err(refused)
  const contact = await findContact(deps.db, { libraryId: input.libraryId, contactId: input.contactId })
  return contact ? ok(contact) : err({ code: 'contact_not_found', contactId: input.contactId })
}
