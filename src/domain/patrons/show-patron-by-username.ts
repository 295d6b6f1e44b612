import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission, type NotAllowed } from '../staff/permissions.ts'
import type { PatronWithContacts } from './patron-view.ts'
import { findPatronWithContacts } from './queries.ts'

/**
 * A patron and contacts by exact username (case-insensitive), as the library system names them.
 * Unlike `lookUpPatron`, never falls back to a name search: a system wants that patron or none.
 */
export async function showPatronByUsername(
  deps: Pick<AppDeps, 'db'>,
  input: { libraryId: number; username: string; actor: Actor },
): Promise<Result<PatronWithContacts, NotAllowed | { code: 'patron_not_found'; username: string }>> {
  const refused = checkPermission(input.actor, 'lookUpContacts')
  if (refused) return err(refused)
  const patron = await findPatronWithContacts(deps.db, { libraryId: input.libraryId, username: input.username })
  return patron ? ok(patron) : err({ code: 'patron_not_found', username: input.username })
}
