import type { Contact } from '../contacts/contact-view.ts'

export const patronTypes = ['student', 'staff'] as const
export type PatronType = (typeof patronTypes)[number]

/** A patron as every door shows it. */
export type Patron = {
  id: number
  username: string
  firstName: string
  lastName: string
  type: PatronType
  academicLevel: string | null
  groups: string[]
  isEnabled: boolean
}

export type PatronWithContacts = Patron & { contacts: Contact[] }

export function displayName(patron: Pick<Patron, 'firstName' | 'lastName' | 'username'>): string {
  const name = `${patron.firstName} ${patron.lastName}`.trim()
  return name === '' ? patron.username : name
}
