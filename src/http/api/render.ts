import type { Contact } from '../../domain/contacts/contact-view.ts'
import type { PatronWithContacts } from '../../domain/patrons/patron-view.ts'
import type { ContactBody, PatronWithContactsBody } from './schemas.ts'

/** A contact as the API shows it: the domain's `isPrimary` is `primary` on the wire. */
export function renderContact(contact: Contact): ContactBody {
  return {
    id: contact.id,
    role: contact.role,
    type: contact.type,
    address: contact.address,
    primary: contact.isPrimary,
    addressee: contact.addressee,
    bcc: contact.bcc,
    usage: contact.usage,
    scenarios: contact.scenarios,
    source: contact.source,
    createdAt: contact.createdAt.toISOString(),
    updatedAt: contact.updatedAt.toISOString(),
  }
}

export function renderPatron(patron: PatronWithContacts): PatronWithContactsBody {
  return {
    username: patron.username,
    firstName: patron.firstName,
    lastName: patron.lastName,
    type: patron.type,
    academicLevel: patron.academicLevel,
    groups: patron.groups,
    enabled: patron.isEnabled,
    contacts: patron.contacts.map(renderContact),
  }
}
