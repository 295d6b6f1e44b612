import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission, type NotAllowed } from '../staff/permissions.ts'
import type { Patron, PatronWithContacts } from './patron-view.ts'
import { findPatronWithContacts, searchPatrons } from './queries.ts'

type Deps = Pick<AppDeps, 'db'>

export type PatronLookup =
  | { kind: 'found'; patron: PatronWithContacts }
  | { kind: 'several'; candidates: Patron[]; more: boolean }
  | { kind: 'none'; query: string }

export const pickListSize = 10

/**
 * A search text that cannot be searched: PostgreSQL cannot hold a NUL character in text, and a
 * lone UTF-16 surrogate (half of an emoji, say) is no character at all.
 */
export type InvalidQuery = { code: 'invalid_query'; reason: 'nul_character' | 'unpaired_surrogate' }

/**
 * Finds a patron by username, or by part of a name: one match shows the patron and contacts;
 * several give a short pick-list (the first `pickListSize`, and whether there are more).
 */
export async function lookUpPatron(
  deps: Deps,
  input: { libraryId: number; query: string; actor: Actor },
): Promise<Result<PatronLookup, NotAllowed | InvalidQuery>> {
  const refused = checkPermission(input.actor, 'lookUpContacts')
  if (refused) return err(refused)
  const invalid = invalidQueryOf(input.query)
  if (invalid) return err(invalid)
  const exact = await findPatronWithContacts(deps.db, { libraryId: input.libraryId, username: input.query })
  if (exact) return ok({ kind: 'found', patron: exact })
  const candidates = await searchPatrons(deps.db, { libraryId: input.libraryId, query: input.query, limit: pickListSize + 1 })
  if (candidates.length === 0) return ok({ kind: 'none', query: input.query })
  if (candidates.length === 1) {
    const patron = await findPatronWithContacts(deps.db, { libraryId: input.libraryId, patronId: candidates[0].id })
    if (patron) return ok({ kind: 'found', patron })
  }
  return ok({ kind: 'several', candidates: candidates.slice(0, pickListSize), more: candidates.length > pickListSize })
}

function invalidQueryOf(query: string): InvalidQuery | undefined {
  if (query.includes('\u0000')) return { code: 'invalid_query', reason: 'nul_character' }
  if (!query.isWellFormed()) return { code: 'invalid_query', reason: 'unpaired_surrogate' }
  return undefined
}

/** A patron and contacts by id (after a pick from the list, or to refresh after a change). */
export async function showPatron(
  deps: Deps,
  input: { libraryId: number; patronId: number; actor: Actor },
): Promise<Result<PatronWithContacts, NotAllowed | { code: 'patron_not_found'; username: string }>> {
  const refused = checkPermission(input.actor, 'lookUpContacts')
  if (refused) return err(refused)
  const patron = await findPatronWithContacts(deps.db, { libraryId: input.libraryId, patronId: input.patronId })
  return patron ? ok(patron) : err({ code: 'patron_not_found', username: `#${input.patronId}` })
}
