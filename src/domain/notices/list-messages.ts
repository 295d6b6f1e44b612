import type { MessageStatus } from '../../db/schema.ts'
import { notABound, parseBound, resolveWindow } from '../audit/list-audit.ts'
import type { AppDeps } from '../deps.ts'
import { findPatronByUsername } from '../patrons/queries.ts'
import { err, ok, type Result } from '../result.ts'
import { isScenarioName } from '../scenarios/catalogue.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import { quoted } from '../text.ts'
import type { EmailLogError, EmailLogFilterProblem } from './errors.ts'
import { type EmailLogEntry, type EmailLogSearch, findEmailLog } from './outbox-queries.ts'

export const defaultEmailLogLimit = 50
export const maxEmailLogLimit = 500

export const messageStatuses: readonly MessageStatus[] = ['queued', 'sending', 'sent', 'skipped', 'failed']

/**
 * How staff narrow the email log, as typed: `from` and `to` are dates (whole days in the
 * library's time zone) or instants, both included, and compare with when a message was planned;
 * `scenario` is a scenario id; `username` a patron's; `address` any recipient's (To, Cc or Bcc);
 * `status` one of `messageStatuses`; `cursor` continues from a page's `nextCursor`.
 */
export type EmailLogFilters = {
  from?: string
  to?: string
  scenario?: string
  username?: string
  address?: string
  status?: string
  cursor?: string
  limit?: number
}

/** A page of the log, newest first; `nextCursor` fetches the next (older) page, null on the last. */
export type EmailLogPage = { messages: EmailLogEntry[]; nextCursor: string | null; timeZone: string }

type Deps = Pick<AppDeps, 'db'>

/**
 * The library's email log: what was sent, to whom and when, what is waiting, and what was skipped
 * or failed and why. Viewers may read it. It never holds a body, so never a password-reset link.
 */
export async function listMessages(
  deps: Deps,
  input: { libraryId: number; actor: Actor; filters: EmailLogFilters },
): Promise<Result<EmailLogPage, EmailLogError>> {
  const refused = checkPermission(input.actor, 'readEmailLog')
  if (refused) return err(refused)
  const { filters } = input
  const problems: EmailLogFilterProblem[] = []
  const problem = (filter: EmailLogFilterProblem['filter'], message: string) => problems.push({ filter, message })

  const from = filters.from === undefined ? undefined : parseBound(filters.from)
  if (from === null) problem('from', notABound(filters.from!))
  const to = filters.to === undefined ? undefined : parseBound(filters.to)
  if (to === null) problem('to', notABound(filters.to!))
  const scenario = filters.scenario?.trim()
  if (scenario !== undefined && !isScenarioName(scenario))
    problem('scenario', `${quoted(String(filters.scenario))} is not a scenario such as circulation.overdue`)
  const status = filters.status?.trim()
  if (status !== undefined && !(messageStatuses as readonly string[]).includes(status)) {
    problem('status', `${quoted(String(filters.status))} is not one of ${messageStatuses.join(', ')}`)
  }
  const username = filters.username?.trim()
  if (username === '') problem('username', "Give the patron's username")
  const address = filters.address?.trim()
  if (address !== undefined && !/^[^\s@]+@[^\s@]+$/.test(address)) problem('address', `${quoted(String(filters.address))} is not an email address`)
  const after = filters.cursor === undefined ? undefined : parseCursor(filters.cursor)
  if (after === null) problem('cursor', 'This is not a nextCursor this log gave; start again without it')
  const limit = filters.limit ?? defaultEmailLogLimit
  if (!Number.isInteger(limit) || limit < 1 || limit > maxEmailLogLimit) problem('limit', `Give a whole number from 1 to ${maxEmailLogLimit}`)
  if (problems.length > 0) return err({ code: 'invalid_filters', problems })

  const window = await resolveWindow(deps.db, { libraryId: input.libraryId, from, to })
  if (window === undefined) return err({ code: 'library_not_found', libraryId: input.libraryId })
  if (window === 'reversed')
    return err({
      code: 'invalid_filters',
      problems: [{ filter: 'to', message: `${quoted(String(filters.to))} is before from (${filters.from})` }],
    })
  const { atOrAfter, before, atOrBefore } = window
  const patron = username === undefined ? undefined : await findPatronByUsername(deps.db, { libraryId: input.libraryId, username })
  if (username !== undefined && !patron) {
    return err({ code: 'invalid_filters', problems: [{ filter: 'username', message: `No patron with username ${quoted(String(username))} in this library` }] })
  }

  const search: EmailLogSearch = {
    libraryId: input.libraryId,
    ...(atOrAfter && { atOrAfter }),
    ...(before && { before }),
    ...(atOrBefore && { atOrBefore }),
    ...(scenario !== undefined && { scenario }),
    ...(status !== undefined && { status: status as MessageStatus }),
    ...(patron && { patronId: patron.id }),
    ...(address !== undefined && { address }),
    ...(after && { after }),
    // One more than asked for says whether there is a next page.
    limit: limit + 1,
  }
  const found = await findEmailLog(deps.db, search)
  const page = found.slice(0, limit)
  const last = page.at(-1)
  return ok({
    messages: page.map(({ cursorAt, ...entry }) => entry),
    nextCursor: found.length > limit && last ? cursorAfter(last.cursorAt, last.id) : null,
    timeZone: window.timeZone,
  })
}

// The cursor is where the page ended, in the log's order; opaque to callers so its form may change.
function cursorAfter(plannedAt: string, id: string): string {
  return Buffer.from(JSON.stringify({ before: [plannedAt, id] })).toString('base64url')
}

// A timestamptz as PostgreSQL writes it: 2026-03-09 02:00:00.123456+11 (or +05:30).
const timestampText = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2}$/

function parseCursor(cursor: string): EmailLogSearch['after'] | null {
  try {
    const { before } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    const [plannedAt, id] = before
    if (typeof plannedAt !== 'string' || !timestampText.test(plannedAt)) return null
    if (typeof id !== 'string' || !/^[1-9][0-9]{0,18}$/.test(id)) return null
    return { plannedAt, id }
  } catch {
    return null
  }
}
