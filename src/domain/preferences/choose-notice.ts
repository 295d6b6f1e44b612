import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { actorLabel } from '../staff/actors.ts'
import type { UnsubscribeError } from './errors.ts'
import { saveRecipientChoice } from './queries.ts'
import { findLinkSubject, type UnsubscribeDeps, type UnsubscribeView, viewOf } from './show-unsubscribe.ts'

/** The choice as it now stands, and whether this request changed it. */
export type ChoiceMade = UnsubscribeView & { stopped: boolean; changed: boolean; address: string }

/**
 * A recipient stops (or takes back) a kind of notice about a patron, from an unsubscribe link:
 * recorded for their own contact as their choice, and audited with the actor `recipient`.
 * The token is the capability: whoever holds the link received the email. When the email went
 * to several people, the reader says which address is theirs, and only that contact changes; a
 * one-click POST (RFC 8058), which cannot say, is refused then (such an email does not offer it).
 * Asking again for what already stands changes and audits nothing.
 */
export async function chooseNotice(
  deps: UnsubscribeDeps & Pick<AppDeps, 'clock'>,
  input: { token: string; stopped: boolean; address?: string; oneClick?: boolean },
): Promise<Result<ChoiceMade, UnsubscribeError>> {
  const found = await findLinkSubject(deps, input.token)
  if (!found.ok) return found
  const { subject, group } = found.value
  const given = input.address?.trim() ?? ''
  let contact = subject.contacts.length === 1 && given === '' ? subject.contacts[0] : undefined
  if (contact === undefined) {
    if (input.oneClick) return err({ code: 'one_click_several_recipients' })
    const key = given.normalize('NFC').toLowerCase()
    contact = key === '' ? undefined : subject.contacts.find((c) => c.address.trim().normalize('NFC').toLowerCase() === key)
    if (contact === undefined) return err({ code: 'address_needed', given: given === '' ? null : given })
  }
  const chosen = contact
  const changed = await deps.db.transaction().execute(async (tx) => {
    const saved = await saveRecipientChoice(tx, { contactId: chosen.contactId, group, stopped: input.stopped, at: deps.clock.now() })
    if (saved) {
      await recordAudit(tx, {
        libraryId: subject.libraryId,
        actor: actorLabel({ kind: 'recipient' }),
        action: input.stopped ? 'contact.notices_stopped' : 'contact.notices_resumed',
        subjectType: 'contact',
        subjectId: chosen.contactId,
        patronId: subject.patronId,
        details: { group, messageId: subject.messageId, oneClick: input.oneClick === true },
      })
    }
    return saved
  })
  const stoppedGroups = input.stopped ? [...new Set([...chosen.stoppedGroups, group])] : chosen.stoppedGroups.filter((g) => g !== group)
  const contacts = subject.contacts.map((c) => (c.contactId === chosen.contactId ? { ...c, stoppedGroups } : c))
  return ok({ ...viewOf({ ...subject, contacts }, group), stopped: input.stopped, changed, address: given })
}
