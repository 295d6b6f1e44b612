import type { ActorRef } from '../staff/actors.ts'

/** Seed 004: candidates are listed in pages of 20, 50, 100 or 200. */
export const purgePageSizes = [20, 50, 100, 200] as const
export type PurgePageSize = (typeof purgePageSizes)[number]

/** The candidates' filter, by names as staff know them. */
export type PurgeFilter = { academicLevel?: string | undefined; group?: string | undefined }

/** A deactivated patron, a purge candidate, with what goes with them. */
export type PurgeCandidate = {
  patronId: number
  username: string
  firstName: string
  lastName: string
  academicLevel: string | null
  groups: string[]
  /** Loans not returned: a patron with any is purged only through "Mark as lost and purge". */
  openLoans: number
  contacts: number
}

export type PurgeCandidatePage = { candidates: PurgeCandidate[]; page: number; pageSize: PurgePageSize; total: number; pages: number }

/** An open loan that "Mark as lost and purge" marks lost. */
export type LoanToLose = { loanId: string; itemId: string; title: string; barcode: string; dueDate: string }

/** What a purge removes and keeps, shown before anyone approves it. */
export type PurgeImpact = {
  patrons: number
  contacts: number
  loans: number
  loansToMarkLost: number
  /** The library's "retain deleted patron loans" when it was asked: anonymised, or removed with the patron. */
  loansKept: 'anonymised' | 'removed'
  reservations: number
  messagesKeptWithoutAddresses: number
}

export type PurgeStatus = 'staged' | 'approved' | 'applied' | 'rejected' | 'cancelled' | 'expired' | 'failed'

/** A purge request: asked by one admin, approved or rejected by another, run page by page. */
export type PurgeRequest = {
  id: number
  libraryId: number
  status: PurgeStatus
  requestedBy: ActorRef
  approvedBy: ActorRef | null
  createdAt: Date
  expiresAt: Date
  pageSize: PurgePageSize
  retainLoans: boolean
  markLoansLost: boolean
  impact: PurgeImpact
  progress: { pagesDone: number; pages: number; purged: number; skipped: number }
  reportMessage: { channel: string; ts: string } | null
}

export type PurgeRequestPatron = { username: string; firstName: string; lastName: string; academicLevel: string | null; openLoans: number }

export type PurgeProgress = { page: number; pages: number; purged: number }

/** What an approved purge did, page after page. */
export type PurgeOutcome = {
  requestId: number
  purged: number
  contactsRemoved: number
  loansAnonymised: number
  loansRemoved: number
  loansMarkedLost: number
  reservationsRemoved: number
  messagesWithoutAddresses: number
  /** Left alone, each with why: reactivated meanwhile, gone, or with loans out and no "mark as lost". */
  skipped: Array<{ username: string; reason: 'reactivated' | 'open_loans' | 'gone' }>
}
