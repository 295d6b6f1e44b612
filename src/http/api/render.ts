import type { AuditPage } from '../../domain/audit/list-audit.ts'
import type { Contact } from '../../domain/contacts/contact-view.ts'
import type { ImportProblem } from '../../domain/imports/errors.ts'
import type { ImportFileOutcome } from '../../domain/imports/import-file.ts'
import type { ImportPreview } from '../../domain/imports/preview-import.ts'
import type { EmailLogPage } from '../../domain/notices/list-messages.ts'
import type { PatronWithContacts } from '../../domain/patrons/patron-view.ts'
import { placeholdersOf } from '../../domain/templates/placeholders.ts'
import type { ScenarioTemplate } from '../../domain/templates/template-view.ts'
import type { EmailLogPageBody, TemplateBody } from './notice-schemas.ts'
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
    stoppedByRecipient: contact.stoppedByRecipient.map((choice) => ({ group: choice.group, stoppedAt: choice.at.toISOString() })),
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

/** An imported file as the answer names it. */
function fileOf(preview: ImportPreview) {
  return { batchId: preview.batchId, fileName: preview.fileName, checksum: preview.checksum, warnings: preview.warnings.map(renderLineError) }
}

/** A contacts import: its dry run, or with what it did. */
export function renderContactsImport(outcome: ImportFileOutcome): ContactsImportBody {
  const { preview } = outcome
  if (preview.kind !== 'contacts') throw new Error('a contacts import answered with another kind')
  if (outcome.dryRun || outcome.applied.kind !== 'contacts') return { dryRun: true, ...fileOf(preview), summary: preview.summary }
  const { summary, added, updated, deleted, unchanged, skipped } = outcome.applied
  return { dryRun: false, ...fileOf(preview), summary, added, updated, deleted, unchanged, skipped }
}

/** A patrons import: its dry run, or with what it did. */
export function renderPatronsImport(outcome: ImportFileOutcome): PatronsImportBody {
  const { preview } = outcome
  if (preview.kind !== 'patrons') throw new Error('a patrons import answered with another kind')
  if (outcome.dryRun || outcome.applied.kind !== 'patrons') return { dryRun: true, ...fileOf(preview), summary: preview.summary }
  const { created, updated, unchanged } = outcome.applied
  return { dryRun: false, ...fileOf(preview), summary: preview.summary, created, updated, unchanged }
}

/** A page of the audit log; instants in UTC. */
export function renderAuditPage(page: AuditPage): AuditPageBody {
  return {
    entries: page.entries.map((entry) => ({ ...entry, at: entry.at.toISOString() })),
    nextCursor: page.nextCursor,
  }
}

/** A scenario's template, with the placeholders it may use. */
export function renderTemplate(template: ScenarioTemplate): TemplateBody {
  return {
    scenario: template.scenario,
    title: template.title,
    custom: template.custom,
    subject: template.subject,
    html: template.html,
    text: template.text,
    updatedBy: template.updatedBy,
    updatedAt: template.updatedAt?.toISOString() ?? null,
    placeholders: placeholdersOf(template.scenario),
  }
}

/** A page of the email log; instants in UTC. */
export function renderEmailLogPage(page: EmailLogPage): EmailLogPageBody {
  return {
    messages: page.messages.map(({ deliveries, ...message }) => ({
      ...message,
      recipients: deliveries.map((r) => ({
        kind: r.kind,
        address: r.address,
        delivery: r.delivery,
        detail: r.detail,
        at: r.at?.toISOString() ?? null,
        sentAt: r.sentAt?.toISOString() ?? null,
      })),
      plannedAt: message.plannedAt.toISOString(),
      sentAt: message.sentAt?.toISOString() ?? null,
    })),
    nextCursor: page.nextCursor,
  }
}
