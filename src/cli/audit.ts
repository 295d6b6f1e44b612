import { auditFilterNames } from '../domain/audit/errors.ts'
import { type AuditFilters, type AuditPage, listAudit, maxAuditLimit } from '../domain/audit/list-audit.ts'
import type { AuditRecord } from '../domain/audit/queries.ts'
import { chooseLibrary } from '../domain/libraries/choose-library.ts'
import { err, ok } from '../domain/result.ts'
import { cliActor } from '../domain/staff/actors.ts'
import { defineCommand, parseOptionalId } from './command.ts'
import { formatLocalInstant, formatTable } from './table.ts'

/** `library-comms audit`: the library's audit log, newest first, as a table or as JSON. */
export const auditCommand = defineCommand({
  words: ['audit'],
  summary: "show a library's audit log: who changed what, and when",
  usage: 'library-comms audit [--library ID] [--from DATE] [--to DATE] [--actor WHO] [--patron USERNAME] [--action ACTION] [--limit N] [--cursor C] [--json]',
  optionHelp: [
    '--library ID          the library (see library list); may be left out when there is only one',
    "--from DATE           entries from this day (2026-03-01: in the library's time zone), or",
    '                      from this instant (2026-03-01T08:00:00Z)',
    '--to DATE             entries to the end of this day, or to this instant',
    '--actor WHO           what slack:U0123ABCD, api-key:4 or cli did or approved',
    '--patron USERNAME     what happened to a patron and their contacts',
    '--action ACTION       one action (contact.added), or every action of a kind (contact.)',
    `--limit N             entries to show, newest first: 1 to ${maxAuditLimit} (default 50)`,
    '--cursor C            the next, older, entries: the cursor the previous page gave',
    '--json                the entries as JSON, as GET /api/v1/audit answers, for scripts',
    '',
    "Times are shown in the library's time zone. Entries hold what changed (before and after);",
    '--json shows them.',
  ],
  options: {
    library: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    actor: { type: 'string' },
    patron: { type: 'string' },
    action: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
    json: { type: 'boolean' },
  },
  parse(args) {
    const libraryId = parseOptionalId(args, 'library')
    if (!libraryId.ok) return libraryId
    const filters: AuditFilters = {}
    for (const name of auditFilterNames) {
      const value = args.values[name]
      if (typeof value !== 'string') continue
      if (name !== 'limit') filters[name] = value
      else if (/^[0-9]{1,6}$/.test(value.trim())) filters.limit = Number(value)
      else return err({ code: 'invalid_option', option: 'limit', value, expected: `a whole number from 1 to ${maxAuditLimit}` })
    }
    return ok({ libraryId: libraryId.value, filters, json: args.values.json === true })
  },
  async run(deps, input, terminal) {
    const libraryId = await chooseLibrary(deps, { libraryId: input.libraryId }).then((chosen) =>
      chosen.ok ? { ok: true as const, value: chosen.value.id } : chosen,
    )
    if (!libraryId.ok) return libraryId
    const page = await listAudit(deps, { libraryId: libraryId.value, actor: cliActor, filters: input.filters })
    if (!page.ok) return page
    if (input.json) return ok(`${JSON.stringify({ entries: page.value.entries, nextCursor: page.value.nextCursor }, null, 2)}\n`)
    if (page.value.nextCursor !== null) {
      terminal.stderr(`library-comms: older entries follow: add --cursor ${page.value.nextCursor} for the next ${page.value.entries.length}\n`)
    }
    return ok(auditTable(page.value, Object.keys(input.filters).length > 0))
  },
})

function auditTable(page: AuditPage, isFiltered: boolean): string {
  if (page.entries.length === 0) return isFiltered ? 'no audit entries match\n' : 'the audit log is empty\n'
  return formatTable(
    [`at (${page.timeZone})`, 'actor', 'action', 'subject', 'patron'],
    page.entries.map((entry) => [formatLocalInstant(entry.at, page.timeZone), actorOf(entry), entry.action, subjectOf(entry), entry.patron ?? '-']),
  )
}

const actorOf = (entry: AuditRecord) => (entry.approver && entry.approver !== entry.actor ? `${entry.actor}, approved by ${entry.approver}` : entry.actor)

const subjectOf = (entry: AuditRecord) => (entry.subjectId === null ? entry.subjectType : `${entry.subjectType} ${entry.subjectId}`)
