import type { PurgeImpact, PurgeOutcome, PurgePageSize } from './purge-view.ts'

/** What a purge request snapshots when it is asked: the approval does what its message showed. */
export type PurgeBatchRequest = {
  /** The library's "retain deleted patron loans" then: loans anonymised (true) or removed with the patron. */
  retainLoans: boolean
  markLoansLost: boolean
  pageSize: PurgePageSize
  pages: number
  /**
   * The library's last loan id when it was asked: a loan after it was checked out since, and was not
   * in what the approver saw, so its patron is left alone rather than the loan marked lost unseen.
   * Absent on requests asked before it was kept.
   */
  loansUpTo?: number
}

/** What a purge has done so far, page after page (kept on the batch, so that a resumed run adds to it). */
export type PurgeTotals = Omit<PurgeOutcome, 'requestId'> & { pagesDone: number }

/** The impact shown when it was asked, then what it did as it runs. */
export type PurgeBatchSummary = PurgeImpact & { done?: PurgeTotals }

export const noTotals: PurgeTotals = {
  purged: 0,
  contactsRemoved: 0,
  loansAnonymised: 0,
  loansRemoved: 0,
  loansMarkedLost: 0,
  reservationsRemoved: 0,
  messagesWithoutAddresses: 0,
  skipped: [],
  pagesDone: 0,
}
