import type { Db } from '../../db/database.ts'
import type { AppDeps } from '../deps.ts'
import { findPatronByUsername } from '../patrons/queries.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import { quoted } from '../text.ts'
import type { AuditError, AuditFilterProblem } from './errors.ts'
import { type AuditRecord, type AuditSearch, findAuditEntries, findLibraryDayBounds } from './queries.ts'

export const defaultAuditLimit = 50
export const maxAuditLimit = 500

/**
 * How an admin narrows the log, as typed: `from` and `to` are dates (`2026-03-01`, whole days
 * in the library's time zone) or instants (`2026-03-01T08:00:00Z`), both included; `actor`
 * matches who acted or approved (`slack:U0123ABCD`, `api-key:4`, `cli`); `patron` is a username
 * (entries about the patron or their contacts); `action` is an action (`contact.added`) or,
 * ending in a dot, a prefix (`contact.`); `cursor` continues from a page's `nextCursor`.
 */
export type AuditFilters = {
  from?: string
  to?: string
  actor?: string
  patron?: string
  action?: string
  cursor?: string
  limit?: number
}

/**
 * A page of the log, newest first; `nextCursor` fetches the next (older) page, null on the last.
 * `timeZone` is the library's, in which the dates of the filters were read.
 */
export type AuditPage = { entries: AuditRecord[]; nextCursor: string | null; timeZone: string }

type Deps = Pick<AppDeps, 'db'>

/** The library's audit log, filtered and paged. Admins only: it shows every change and who made it. */
export async function listAudit(deps: Deps, input: { libraryId: number; actor: Actor; filters: AuditFilters }): Promise<Result<AuditPage, AuditError>> {
  const refused = checkPermission(input.actor, 'readAudit')
  if (refused) return err(refused)
  const { filters } = input
  const problems: AuditFilterProblem[] = []
  const problem = (filter: AuditFilterProblem['filter'], message: string) => problems.push({ filter, message })

  const from = filters.from === undefined ? undefined : parseBound(filters.from)
  if (from === null) problem('from', notABound(filters.from!))
  const to = filters.to === undefined ? undefined : parseBound(filters.to)
  if (to === null) problem('to', notABound(filters.to!))
  const actor = filters.actor?.trim()
  if (actor === '') problem('actor', 'Give who acted, such as slack:U0123ABCD, api-key:4 or cli')
  const action = filters.action === undefined ? undefined : parseAction(filters.action.trim())
  if (action === null)
    problem('action', `${quoted(String(filters.action))} is not an action such as contact.added, nor a prefix ending in a dot such as contact.`)
  const belowId = filters.cursor === undefined ? undefined : parseCursor(filters.cursor)
  if (belowId === null) problem('cursor', 'This is not a nextCursor this log gave; start again without it')
  const limit = filters.limit ?? defaultAuditLimit
  if (!Number.isInteger(limit) || limit < 1 || limit > maxAuditLimit) problem('limit', `Give a whole number from 1 to ${maxAuditLimit}`)
  const username = filters.patron?.trim()
  if (username === '') problem('patron', "Give the patron's username")
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
    return err({ code: 'invalid_filters', problems: [{ filter: 'patron', message: `No patron with username ${quoted(String(username))} in this library` }] })
  }

  const search: AuditSearch = {
    libraryId: input.libraryId,
    ...(atOrAfter && { atOrAfter }),
    ...(before && { before }),
    ...(atOrBefore && { atOrBefore }),
    ...(actor !== undefined && { actor }),
    ...(action && { action }),
    ...(patron && { patron: { id: patron.id, username: patron.username } }),
    ...(belowId && { belowId }),
    // One more than asked for says whether there is a next page.
    limit: limit + 1,
  }
  const found = await findAuditEntries(deps.db, search)
  const entries = found.slice(0, limit)
  return ok({ entries, nextCursor: found.length > limit ? cursorAfter(entries[entries.length - 1]) : null, timeZone: window.timeZone })
}

/** A filter's bound: a whole day in the library's time zone, or an instant. */
export type Bound = { day: string } | { instant: Date }

/** A from/to filter as instants: a day's bound is its start or end in the library's time zone. */
export type Window = { timeZone: string; atOrAfter?: Date; before?: Date; atOrBefore?: Date }

/**
 * Turns `from` and `to` (days or instants) into instants for the library; undefined when the
 * library is gone, 'reversed' when `to` comes before `from`. The audit log and the email log
 * read their windows so.
 */
export async function resolveWindow(db: Db, input: { libraryId: number; from?: Bound | null; to?: Bound | null }): Promise<Window | 'reversed' | undefined> {
  const from = input.from ?? undefined
  const to = input.to ?? undefined
  const days = await findLibraryDayBounds(db, {
    libraryId: input.libraryId,
    ...(from && 'day' in from && { fromDay: from.day }),
    ...(to && 'day' in to && { toDay: to.day }),
  })
  if (!days) return undefined
  const atOrAfter = from && ('day' in from ? days.fromDayStart! : from.instant)
  const before = to && 'day' in to ? days.toDayEnd! : undefined
  const atOrBefore = to && 'instant' in to ? to.instant : undefined
  if (atOrAfter && ((before && atOrAfter >= before) || (atOrBefore && atOrAfter > atOrBefore))) return 'reversed'
  return { timeZone: days.timeZone, ...(atOrAfter && { atOrAfter }), ...(before && { before }), ...(atOrBefore && { atOrBefore }) }
}

const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/
const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/i

/** A calendar date, or an instant with its offset; null when it is neither. The email log reads its dates so too. */
export function parseBound(text: string): Bound | null {
  const value = text.trim()
  const day = dayPattern.exec(value)
  if (day) {
    const [year, month, date] = day.slice(1).map(Number)
    const checked = new Date(Date.UTC(year, month - 1, date))
    const isRealDay = checked.getUTCFullYear() === year && checked.getUTCMonth() === month - 1 && checked.getUTCDate() === date
    return isRealDay && year >= 1 ? { day: value } : null
  }
  if (!instantPattern.test(value)) return null
  const instant = new Date(value)
  return Number.isNaN(instant.getTime()) ? null : { instant }
}

export const notABound = (value: string) => `${quoted(String(value))} is not a date such as 2026-03-01, nor an instant such as 2026-03-01T08:00:00Z`

// Actions are dotted lower-case words (contact.added, api_key.revoked); a trailing dot asks for
// every action of that kind.
const actionPattern = /^[a-z_]+(\.[a-z_]+)*(\.)?$/

function parseAction(value: string): AuditSearch['action'] | null {
  if (!actionPattern.test(value)) return null
  return value.endsWith('.') ? { prefix: value } : { exact: value }
}

// The cursor is the last id of the page, opaque to callers so that its form may change.
function cursorAfter(entry: AuditRecord): string {
  return Buffer.from(`before:${entry.id}`).toString('base64url')
}

function parseCursor(cursor: string): string | null {
  const match = /^before:([1-9][0-9]{0,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  return match ? match[1] : null
}
