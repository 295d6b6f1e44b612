import type { NotAllowed } from '../staff/permissions.ts'
import type { FieldProblem } from './contact-fields.ts'

export type ContactError =
  | NotAllowed
  | { code: 'patron_not_found'; username: string }
  | { code: 'contact_not_found'; contactId: number }
  | { code: 'invalid_contact'; problems: FieldProblem[] }
