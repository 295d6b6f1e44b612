import type { AuditPage } from '../../domain/audit/list-audit.ts'
import type { Contact } from '../../domain/contacts/contact-view.ts'
import type { ContactsImportResult, StagedContactsImport } from '../../domain/imports/contacts-import.ts'
import type { ContactImportSummary } from '../../domain/imports/contacts-plan.ts'
import type { ImportProblem } from '../../domain/imports/errors.ts'
import type { PatronsImportPreview, PatronsImportResult } from '../../domain/imports/patrons-import.ts'
import type { PatronWithContacts } from '../../domain/patrons/patron-view.ts'
import type { AuditPageBody, ContactBody, ContactsImportBody, LineError, PatronsImportBody, PatronWithContactsBody } from './schemas.ts'

/** A contact as the API shows it: the domain's `isPrimary` is `primary` on the wire. */
export function renderContact(contact: Contact): ContactBody {
  return {
    id: contact.id,
    role: contact.role,
    type: contact.type,
    address: contact.address,
    primary: contact.isPrimary,
    addressee: contact.addressee,
    bcc: contact.bcc,
    usage: contact.usage,
    scenarios: contact.scenarios,
    source: contact.source,
    createdAt: contact.createdAt.toISOString(),
    updatedAt: contact.updatedAt.toISOString(),
  }
}

export function renderPatron(patron: PatronWithContacts): PatronWithContactsBody {
  return {
    username: patron.username,
    firstName: patron.firstName,
    lastName: patron.lastName,
    type: patron.type,
    academicLevel: patron.academicLevel,
    groups: patron.groups,
    enabled: patron.isEnabled,
    contacts: patron.contacts.map(renderContact),
  }
}

/** A problem in an imported file: the domain's `message` is the RFC 9457 `detail`. */
export function renderLineError(problem: ImportProblem): LineError {
  return { line: problem.line, column: problem.column, detail: problem.message }
}

/** A contacts import: its dry run, or with `applied` what it did. */
export function renderContactsImport(
  staged: StagedContactsImport,
  outcome: { dryRun: ContactImportSummary } | { applied: ContactsImportResult },
): ContactsImportBody {
  const common = { batchId: staged.batchId, fileName: staged.fileName, checksum: staged.checksum, warnings: staged.warnings.map(renderLineError) }
  if ('dryRun' in outcome) return { dryRun: true, ...common, summary: outcome.dryRun }
  const { summary, added, updated, deleted, unchanged, skipped } = outcome.applied
  return { dryRun: false, ...common, summary, added, updated, deleted, unchanged, skipped }
}

/** A patrons import: its dry run, or with `applied` what it did. */
export function renderPatronsImport(preview: PatronsImportPreview, applied?: PatronsImportResult): PatronsImportBody {
  return {
    dryRun: applied === undefined,
    batchId: preview.batchId,
    fileName: preview.fileName,
    checksum: preview.checksum,
    warnings: preview.warnings.map(renderLineError),
    summary: preview.summary,
    ...(applied && { created: applied.created, updated: applied.updated, unchanged: applied.unchanged }),
  }
}

/** A page of the audit log; instants in UTC. */
export function renderAuditPage(page: AuditPage): AuditPageBody {
  return {
    entries: page.entries.map((entry) => ({ ...entry, at: entry.at.toISOString() })),
    nextCursor: page.nextCursor,
  }
}
