import type { BatchError } from '../batches/batch.ts'
import type { NotAllowed } from '../staff/permissions.ts'

/** Why a purge door refused; nothing was changed. */
export type PurgeError =
  | NotAllowed
  | Exclude<BatchError, NotAllowed>
  | { code: 'unknown_patrons'; usernames: string[] }
  | { code: 'not_deactivated'; usernames: string[] }
  /** Patrons with loans out, asked without markLoansLost. */
  | { code: 'open_loans'; patrons: Array<{ username: string; openLoans: number }> }
  | { code: 'empty_request' }
  | { code: 'patron_not_found'; username: string }
  | { code: 'request_not_found'; requestId: number }
  | { code: 'unknown_in_filter'; field: 'academicLevel' | 'group'; value: string }

/** A batch's refusal, as the purge's doors word it: a batch that is not a purge request is not found. */
export function purgeErrorOf(error: BatchError, requestId: number): PurgeError {
  return error.code === 'batch_not_found' ? { code: 'request_not_found', requestId } : error
}
