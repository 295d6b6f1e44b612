import type { AppDeps } from '../deps.ts'
import type { Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import type { NotAllowed } from '../staff/permissions.ts'
import type { Patron } from './patron-view.ts'

/**
 * Deactivates (admins: deactivatePatrons) or reactivates (staff: changePatrons) one patron, as the
 * patrons CSV does; audited patron.deactivated / patron.reactivated. Deactivated patrons get no notices.
 */
export async function setPatronEnabled(
  _deps: Pick<AppDeps, 'db' | 'clock'>,
  _input: { libraryId: number; username: string; enabled: boolean; actor: Actor },
): Promise<Result<Patron, NotAllowed | { code: 'patron_not_found'; username: string }>> {
  throw new Error('issue 14: setPatronEnabled is not written yet')
}
