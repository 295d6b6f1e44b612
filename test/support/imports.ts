import type { AppDeps } from '../../src/domain/deps.ts'
import { confirmImport } from '../../src/domain/imports/confirm-import.ts'
import type { ContactsImportRequest } from '../../src/domain/imports/contacts-import.ts'
import { importFile } from '../../src/domain/imports/import-file.ts'
import type { PatronsImportRequest } from '../../src/domain/imports/patrons-import.ts'
import { previewImport } from '../../src/domain/imports/preview-import.ts'
import type { Actor } from '../../src/domain/staff/actors.ts'

type Deps = Pick<AppDeps, 'db' | 'bulkLoad' | 'clock'>

/** Slack's dry run of a contacts file, as staff start it with /import. */
export const previewContactsImport = (deps: Deps, input: Omit<ContactsImportRequest, 'kind'>) => previewImport(deps, { kind: 'contacts', ...input })

/** Slack's dry run of a patrons file. */
export const previewPatronsImport = (deps: Deps, input: Omit<PatronsImportRequest, 'kind'>) => previewImport(deps, { kind: 'patrons', ...input })

/** Confirm under a dry run, of either kind. */
export const applyContactsImport = (deps: Deps, input: { libraryId: number; batchId: number; actor: Actor }) => confirmImport(deps, input)
export const applyPatronsImport = applyContactsImport

/** The API's and the tool's one request: read, check and apply at once (or a dry run). */
export const importContactsAtOnce = (deps: Deps, input: Omit<ContactsImportRequest, 'kind'>, dryRun = false) =>
  importFile(deps, { kind: 'contacts', ...input, dryRun })

/**
 * A librarian's /import of a contacts file, in add mode unless `input` says otherwise: the dry
 * run (refused, or shown), and Confirm for later.
 */
export async function dryRunContacts(
  deps: Deps,
  input: Pick<ContactsImportRequest, 'libraryId' | 'actor' | 'file'> & Partial<Omit<ContactsImportRequest, 'kind'>>,
) {
  const preview = await previewContactsImport(deps, { mode: 'add', levels: [], keepCustom: false, ...input })
  if (!preview.ok) return preview
  const confirm = () => applyContactsImport(deps, { libraryId: input.libraryId, batchId: preview.value.batchId, actor: input.actor })
  return { ...preview, confirm }
}
