import type { BatchError } from '../batches/batch.ts'
import type { NotAllowed } from '../staff/permissions.ts'

/** Why an unsubscribe link or choice was refused; nothing was changed. */
export type UnsubscribeError =
  /** Malformed, forged or tampered with, or its message is gone, or it is mail that is not a preference. */
  | { code: 'invalid_link' }
  /**
   * Genuine, but the contact its copy went to has another address now: whoever holds that address
   * did not get the email, so the link no longer speaks for them.
   */
  | { code: 'link_no_longer_applies' }

/** Why the contact preferences batch was refused; nothing was changed. */
export type PreferencesBatchError =
  | NotAllowed
  /** Its staged preview: not found, no longer waiting (applied, expired), or the library busy with another batch. */
  | Exclude<BatchError, NotAllowed>
  /** A confirmation by batch id that asks for something else than the batch was previewed with. */
  | { code: 'batch_request_differs'; batchId: number }
  /** A filter names what the library does not have: each unknown name, by its field. */
  | { code: 'unknown_in_filter'; field: 'academicLevels' | 'groups' | 'usernames'; values: string[] }
  /**
   * A confirmation's preview no longer holds: contacts or their choices changed since. Nothing was
   * changed; `contactsToChange` is what the batch would change now (null when a name in its filter is gone).
   */
  | { code: 'preview_out_of_date'; contactsToChange: number | null }

/**
 * Why the wizard's preview of a filter chosen at an earlier step was refused: the batch's refusals,
 * or a level, group or patron chosen then that the library no longer has. Nothing was changed.
 */
export type PreferencesWizardError = PreferencesBatchError | { code: 'filter_out_of_date' }
