import { finishStaging } from '../batches/stage-batch.ts'
import { err, ok, type Result } from '../result.ts'
import type { Permission } from '../staff/permissions.ts'
import { type ContactsImportRequest, contactsImportPermission, countContactChanges, readContactsFile, type StagedFile } from './contacts-import.ts'
import type { ContactImportSummary } from './contacts-plan.ts'
import type { ImportError } from './errors.ts'
import { type PatronsImportRequest, type PatronsImportSummary, patronsImportPermission, readPatronsFile } from './patrons-import.ts'
import type { StagingDeps } from './stage-file.ts'

export type ImportRequest = ContactsImportRequest | PatronsImportRequest

/** What a file would do, counted against the library; its batch waits for a confirmation. */
export type ImportPreview = StagedFile & { confirmPermission: Permission } & (
    | { kind: 'contacts'; summary: ContactImportSummary }
    | { kind: 'patrons'; summary: PatronsImportSummary }
  )

// A dry run nobody confirmed or cancelled is dropped after a day, with its staged rows.
const waitsForConfirmationMs = 24 * 60 * 60_000

/**
 * The dry run staff see in Slack: reads and checks the whole file, counts what applying it would
 * do, and stages it to wait for a Confirm (`confirmImport`) or a Cancel (`cancelImport`).
 * Nothing changes. The preview says which permission confirming takes: a staff member's patrons
 * file that deactivates anyone waits for an admin.
 */
export async function previewImport(deps: StagingDeps, request: ImportRequest): Promise<Result<ImportPreview, ImportError>> {
  const counted = await countImport(deps, request)
  if (!counted.ok) return counted
  const preview = counted.value
  const staged = await finishStaging(deps.db, {
    batchId: preview.batchId,
    now: deps.clock.now(),
    outcome: {
      status: 'staged',
      rowCount: preview.rows,
      checksum: preview.checksum,
      warnings: preview.warnings,
      summary: preview.summary,
      confirmPermission: preview.confirmPermission,
      expiresAfterMs: waitsForConfirmationMs,
    },
  })
  return staged.ok ? ok(preview) : staged
}

/** Reads, checks and counts a file; its batch is left being read, for the caller to end. */
export async function countImport(deps: StagingDeps, request: ImportRequest): Promise<Result<ImportPreview, ImportError>> {
  if (request.kind === 'patrons') {
    const read = await readPatronsFile(deps, request)
    if (!read.ok) return read
    const { staged, summary } = read.value
    return ok({ kind: 'patrons', ...staged, summary, confirmPermission: patronsImportPermission(summary) })
  }
  const read = await readContactsFile(deps, request)
  if (!read.ok) return read
  const { staged, plan } = read.value
  try {
    const summary = await countContactChanges(deps.db, plan, staged.warnings)
    if (!summary.ok) {
      const { problems, problemCount, warnings } = summary.error as Extract<ImportError, { code: 'invalid_file' }>
      await finishStaging(deps.db, {
        batchId: staged.batchId,
        now: deps.clock.now(),
        outcome: { status: 'invalid', rowCount: staged.rows, checksum: staged.checksum, problems, problemCount, warnings },
      })
      return err(summary.error)
    }
    return ok({ kind: 'contacts', ...staged, summary: summary.value, confirmPermission: contactsImportPermission(request.mode) })
  } catch (error) {
    await finishStaging(deps.db, { batchId: staged.batchId, now: deps.clock.now(), outcome: { status: 'failed' } }).catch(() => {})
    throw error
  }
}
