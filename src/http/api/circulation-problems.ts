import type { CirculationError, FeedField, RefusedAction } from '../../domain/circulation/errors.ts'
import { assertNever } from '../../domain/result.ts'
import { notAllowed, problemType } from './problems.ts'
import type { Problem } from './schemas.ts'

// Typed by the domain's field names, so a renamed field will not compile until it points somewhere.
const fieldPointers: Record<FeedField, string> = {
  id: '/id',
  username: '/username',
  'item.id': '/item/id',
  checkedOutAt: '/checkedOutAt',
  dueDate: '/dueDate',
  placedAt: '/placedAt',
  pickupBy: '/pickupBy',
  supplierId: '/supplierId',
  lines: '/lines',
  name: '/name',
  email: '/email',
  link: '/link',
}

const refused: Record<RefusedAction, string> = {
  renew: 'be renewed',
  change: 'change its checkout or due date',
  mark_lost: 'be marked lost',
  recall: 'be recalled',
  recall_again: 'be recalled again to another due date (renew it first)',
  make_ready: 'be made ready for pickup',
  cancel: 'be cancelled',
  collect: 'be collected',
}

const capitalized = (word: string) => word[0].toUpperCase() + word.slice(1)

/** Every expected failure of the circulation feed, as the API answers it. A refused call changed nothing. */
export function circulationProblem(error: CirculationError): Problem {
  switch (error.code) {
    case 'not_allowed':
      return notAllowed(error)
    case 'patron_not_found':
      return {
        type: problemType('unknown-patron'),
        title: 'Unknown patron',
        status: 422,
        detail: 'The patron is not in this library; send them with POST /patrons first. Nothing was changed',
        errors: [{ pointer: fieldPointers[error.field], detail: `No patron with username "${error.username}" in this library` }],
      }
    case 'supplier_not_found':
      return {
        type: problemType('unknown-supplier'),
        title: 'Unknown supplier',
        status: 422,
        detail: 'The supplier is not in this library; send it with POST /suppliers first. Nothing was changed',
        errors: [{ pointer: fieldPointers[error.field], detail: `No supplier "${error.supplierId}" in this library` }],
      }
    case 'loan_not_found':
      return { type: problemType('loan-not-found'), title: 'Loan not found', status: 404, detail: `No loan "${error.loanId}" in this library` }
    case 'reservation_not_found':
      return {
        type: problemType('reservation-not-found'),
        title: 'Reservation not found',
        status: 404,
        detail: `No reservation "${error.reservationId}" in this library`,
      }
    case 'id_conflict':
      return {
        type: problemType('id-conflict'),
        title: 'Id already used',
        status: 409,
        detail: `${capitalized(error.resource)} "${error.id}" is already known with other content that cannot be changed. Nothing was changed`,
        errors: [{ pointer: fieldPointers[error.field], detail: error.message }],
      }
    case 'state_conflict':
      return {
        type: problemType('state-conflict'),
        title: 'Not possible in this state',
        status: 409,
        detail: `${capitalized(error.resource)} "${error.id}" is ${error.status}: it cannot ${refused[error.action]}. Nothing was changed`,
      }
    case 'invalid_field':
      return {
        type: problemType('invalid-field'),
        title: 'Invalid field',
        status: 422,
        detail: 'A value is wrong; nothing was changed',
        errors: [{ pointer: fieldPointers[error.field], detail: error.message }],
      }
    default:
      return assertNever(error)
  }
}
