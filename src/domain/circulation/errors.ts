import type { NotAllowed } from '../staff/permissions.ts'
import type { LoanStatus, ReservationStatus } from './circulation-view.ts'

/** What the library system sends, as the API calls it: each is idempotent by the library system's own id. */
export type Resource = 'loan' | 'reservation' | 'supplier' | 'order'

/**
 * A field of what the library system sends, as the domain names it (the API points at it):
 * `item.id` is the item's id inside a loan or reservation.
 */
export type FeedField =
  | 'id'
  | 'username'
  | 'item.id'
  | 'checkedOutAt'
  | 'dueDate'
  | 'placedAt'
  | 'pickupBy'
  | 'supplierId'
  | 'lines'
  | 'name'
  | 'email'
  | 'link'

/** What a state forbids: renewing a returned loan, recalling a recalled one to another date. */
export type RefusedAction = 'renew' | 'change' | 'mark_lost' | 'recall' | 'recall_again' | 'make_ready' | 'cancel' | 'collect'

export type CirculationError =
  | NotAllowed
  /** The username a loan, reservation or password reset names is no patron of the library. */
  | { code: 'patron_not_found'; field: 'username'; username: string }
  | { code: 'supplier_not_found'; field: 'supplierId'; supplierId: string }
  /** A loan or reservation named by the path: the library system never reported it. */
  | { code: 'loan_not_found'; loanId: string }
  | { code: 'reservation_not_found'; reservationId: string }
  /** The id is already the library's, with content that cannot be an update (a loan of another patron). */
  | { code: 'id_conflict'; resource: Resource; id: string; field: FeedField; message: string }
  /** A change its state forbids: renewing a returned loan, readying a cancelled reservation. */
  | {
      code: 'state_conflict'
      resource: 'loan' | 'reservation'
      id: string
      status: LoanStatus | ReservationStatus | 'recalled' | 'anonymised'
      action: RefusedAction
    }
  /** A value the schema cannot judge alone: a due date before the checkout, in the library's time zone. */
  | { code: 'invalid_field'; field: FeedField; message: string }
