import type { NotAllowed } from '../staff/permissions.ts'

/** Why the blacklist cannot be listed: not staff, no such library, or a `since` that is not a date. */
export type ListBlacklistError = NotAllowed | { code: 'library_not_found'; libraryId: number } | { code: 'invalid_since'; value: string }

/** Why an address cannot be added by hand. */
export type AddToBlacklistError = NotAllowed | { code: 'invalid_address'; value: string } | { code: 'invalid_reason'; value: string }

/**
 * Why an address cannot be removed: not on the library's blacklist (or not one of its contacts'),
 * or SES's suppression list could not be reached (removed here, SES would still refuse to mail it,
 * and the next sync would bring it back: nothing is removed).
 */
export type RemoveFromBlacklistError =
  | NotAllowed
  | { code: 'not_blacklisted'; address: string }
  | { code: 'suppression_list_unreachable'; address: string; message: string }
