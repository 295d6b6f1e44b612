import type { BccPreference, ContactRole, ContactSource, ContactType, ContactUsage } from './contact-fields.ts'

/** A contact as every door shows it. */
export type Contact = {
  id: number
  patronId: number
  role: ContactRole
  type: ContactType
  isPrimary: boolean
  addressee: string
  address: string
  bcc: BccPreference
  usage: ContactUsage
  scenarios: string[]
  source: ContactSource
  createdAt: Date
  updatedAt: Date
}
