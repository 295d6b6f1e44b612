import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { checkPermission, type NotAllowed } from '../staff/permissions.ts'
import type { PatronWithContacts } from './patron-view.ts'
import { findPatronWithContacts, lockPatronByUsername, setPatronEnabledRow } from './queries.ts'

export type SetPatronEnabledError = NotAllowed | { code: 'patron_not_found'; username: string }

/**
 * The patron after the change, with their contacts, as every door shows them; `changed` is false
 * when they already were so (nothing written, nothing audited), for the door to say so.
 */
export type PatronEnabledOutcome = PatronWithContacts & { changed: boolean }

/**
 * Deactivates (admins: deactivatePatrons) or reactivates (staff: changePatrons) one patron, as the
 * patrons CSV does; audited patron.deactivated / patron.reactivated. Deactivated patrons get no
 * notices and become purge candidates (seed 004).
 */
export async function setPatronEnabled(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { libraryId: number; username: string; enabled: boolean; actor: Actor },
): Promise<Result<PatronEnabledOutcome, SetPatronEnabledError>> {
  const refused = checkPermission(input.actor, input.enabled ? 'changePatrons' : 'deactivatePatrons')
  if (refused) return err(refused)
  return deps.db.transaction().execute(async (tx) => {
    // Locked, so that two staff pressing at once give one change and one audit entry.
    const locked = await lockPatronByUsername(tx, { libraryId: input.libraryId, username: input.username })
    if (!locked) return err({ code: 'patron_not_found', username: input.username } as const)
    const changed = locked.isEnabled !== input.enabled
    if (changed) {
      await setPatronEnabledRow(tx, { patronId: locked.id, enabled: input.enabled, now: deps.clock.now() })
      await recordAudit(tx, {
        libraryId: input.libraryId,
        actor: actorLabel(input.actor.ref),
        action: input.enabled ? 'patron.reactivated' : 'patron.deactivated',
        subjectType: 'patron',
        subjectId: locked.id,
        patronId: locked.id,
        before: { enabled: locked.isEnabled },
        after: { enabled: input.enabled },
        details: { username: locked.username },
      })
    }
    const patron = await findPatronWithContacts(tx, { libraryId: input.libraryId, patronId: locked.id })
    if (!patron) throw new Error(`patron ${locked.id} vanished while locked`)
    return ok({ ...patron, changed })
  })
}
