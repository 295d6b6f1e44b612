import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { ok, type Result } from '../result.ts'
import { actorLabel } from '../staff/actors.ts'
import type { UnsubscribeError } from './errors.ts'
import { saveRecipientChoice } from './queries.ts'
import { findLinkSubject, type UnsubscribeDeps, type UnsubscribeView, viewOf } from './show-unsubscribe.ts'

/** The choice as it now stands, and whether this request changed it. */
export type ChoiceMade = UnsubscribeView & { changed: boolean }

/**
 * A recipient stops (or takes back) a kind of notice about a patron, from an unsubscribe link or
 * its one-click POST (RFC 8058): recorded for the contact the link's copy went to, as their own
 * choice, and audited with the actor `recipient`. The token is the capability: whoever holds the
 * link received that copy, so no one decides for another recipient of the same message. Asking
 * again for what already stands changes and audits nothing.
 */
export async function chooseNotice(
  deps: UnsubscribeDeps & Pick<AppDeps, 'clock'>,
  input: { token: string; stopped: boolean; oneClick?: boolean },
): Promise<Result<ChoiceMade, UnsubscribeError>> {
  const found = await findLinkSubject(deps, input.token)
  if (!found.ok) return found
  const { subject, group } = found.value
  const { contact } = subject
  const changed = await deps.db.transaction().execute(async (tx) => {
    const saved = await saveRecipientChoice(tx, { contactId: contact.contactId, group, stopped: input.stopped, at: deps.clock.now() })
    if (saved) {
      await recordAudit(tx, {
        libraryId: subject.libraryId,
        actor: actorLabel({ kind: 'recipient' }),
        action: input.stopped ? 'contact.notices_stopped' : 'contact.notices_resumed',
        subjectType: 'contact',
        subjectId: contact.contactId,
        patronId: subject.patronId,
        details: { group, messageId: subject.messageId, oneClick: input.oneClick === true },
      })
    }
    return saved
  })
  return ok({ ...viewOf(subject, group), stopped: input.stopped, changed })
}
