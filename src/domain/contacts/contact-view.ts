import type { NoticeGroup } from '../preferences/groups.ts'
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
  /** Kinds of notice the recipient stopped themself (an unsubscribe link), and when: staff see it, and respect it. */
  stoppedByRecipient: Array<{ group: NoticeGroup; at: Date }>
  source: ContactSource
  createdAt: Date
  updatedAt: Date
}
