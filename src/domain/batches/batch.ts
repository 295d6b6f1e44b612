import type { ContactImportMode, ContactImportSummary } from '../imports/contacts-plan.ts'
import type { ImportProblem } from '../imports/errors.ts'
import type { PatronsImportSummary } from '../imports/patrons-import.ts'
import type { PreferencesBatchCounts, PreferencesBatchRequest } from '../preferences/preferences-batch.ts'
import type { PurgeBatchRequest, PurgeBatchSummary } from '../purge/purge-batch.ts'
import type { ActorRef } from '../staff/actors.ts'
import type { NotAllowed, Permission } from '../staff/permissions.ts'

/**
 * The life of staged, confirmed work: `staging` while it is read, then `staged` (waiting for a
 * confirmation), `invalid` (its checks failed), or `failed` (something broke, or its process
 * died). A staged batch is then `applied` (confirmed and applied in one transaction),
 * `cancelled`, or `expired` unconfirmed. A purge, which runs page by page, is `approved` first
 * (confirmed, partly done, resumable) and `applied` once its last page is; or `rejected` by a
 * second admin. Nothing outside src/domain/batches changes a status.
 */
export type BatchStatus = 'staging' | 'staged' | 'invalid' | 'approved' | 'applied' | 'failed' | 'cancelled' | 'rejected' | 'expired'

/** What every batch records, whatever its kind. */
type BatchCommon = {
  id: number
  libraryId: number
  status: BatchStatus
  requestedBy: ActorRef
  confirmedBy: ActorRef | null
  /** The permission confirming it takes. */
  confirmPermission: Permission
  /** The one who confirms must be another than the one who asked. */
  confirmerMustDiffer: boolean
  createdAt: Date
  expiresAt: Date | null
  /** The file the batch was read from, its SHA-256 and how many rows it staged. */
  fileName: string
  checksum: string | null
  rowCount: number
  /** What reading the file ignored (unknown columns), for a refusal at confirmation to repeat. */
  warnings: ImportProblem[]
}

/** A contacts import (seed 000): its mode, and its dry run's counts once counted. */
export type ContactsImportBatch = BatchCommon & {
  kind: 'contacts'
  mode: ContactImportMode
  levels: string[]
  keepCustom: boolean
  summary: ContactImportSummary | null
}

/** A patrons import (the library system's Users import; seed 004's bulk deactivation). */
export type PatronsImportBatch = BatchCommon & { kind: 'patrons'; mode: 'upsert'; summary: PatronsImportSummary | null }

/**
 * A contact preferences batch (seed 003): what was asked, and the preview's counts. Its `checksum`
 * is the digest of the changes the preview counted: it is applied only while they still hold.
 */
export type PreferencesBatch = BatchCommon & { kind: 'preferences'; request: PreferencesBatchRequest; summary: PreferencesBatchCounts }

/**
 * A purge of deactivated patrons (seed 004): asked by one admin, approved by another, run one
 * page (one transaction) at a time. Its patrons are in purge_patrons until it is done.
 */
export type PurgeBatch = BatchCommon & {
  kind: 'purge'
  request: PurgeBatchRequest
  summary: PurgeBatchSummary
  reportMessage: { channel: string; ts: string } | null
}

export type Batch = ContactsImportBatch | PatronsImportBatch | PreferencesBatch | PurgeBatch
export type BatchKind = Batch['kind']
/** The batches read from a file. */
export type ImportKind = Exclude<BatchKind, 'preferences' | 'purge'>
export type BatchOf<K extends BatchKind> = Extract<Batch, { kind: K }>

/**
 * Work that holds the library: a file being read, or a batch being applied. `requestedBy` is who
 * set it going: a purge's approver, once approved.
 */
export type RunningBatch = { batchId: number; kind: BatchKind; phase: 'reading' | 'applying'; requestedBy: ActorRef; startedAt: Date }

export type BatchError =
  | NotAllowed
  /** Another batch of the library is being read or applied: one at a time. */
  | { code: 'batch_running'; running: RunningBatch }
  | { code: 'batch_not_found'; batchId: number }
  /** Not waiting for a confirmation: `applying` while another request applies it. */
  | { code: 'batch_not_ready'; batchId: number; status: BatchStatus | 'applying' }
  /** Confirming it takes another than the one who asked. */
  | { code: 'same_confirmer'; batchId: number; requestedBy: ActorRef }
