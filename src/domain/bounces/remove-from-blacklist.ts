import type { SuppressionList } from '../../mail/ses-suppression.ts'
import { recordAudit } from '../audit/record-audit.ts'
import { emailAddressKey } from '../contacts/contact-fields.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { RemoveFromBlacklistError } from './errors.ts'
import { type BlacklistEntry, deleteBlacklist, findBlacklistEntry } from './queries.ts'

type Deps = Pick<AppDeps, 'db'> & {
  /** SES's account suppression list (`EMAIL_TRANSPORT=ses`); null: the file transport has none. */
  suppressionList: SuppressionList | null
}

/**
 * Takes an address off the blacklist (staff checked it works again, or it was blacklisted by
 * mistake), and off SES's account suppression list first: were SES to keep it, it would still
 * drop every email to it, and the next sync would blacklist it again. Only an entry the library
 * sees (one of its contacts', or learnt from its messages); audited with what the entry said.
 */
export async function removeFromBlacklist(
  deps: Deps,
  input: { libraryId: number; actor: Actor; address: string },
): Promise<Result<{ removed: BlacklistEntry }, RemoveFromBlacklistError>> {
  const refused = checkPermission(input.actor, 'reviewBlacklist')
  if (refused) return err(refused)
  const addressKey = emailAddressKey(input.address)
  const entry = await findBlacklistEntry(deps.db, { libraryId: input.libraryId, addressKey })
  if (!entry) return err({ code: 'not_blacklisted', address: input.address.trim() })
  if (deps.suppressionList) {
    try {
      await deps.suppressionList.removeSuppressed(entry.address)
    } catch (error) {
      return err({ code: 'suppression_list_unreachable', address: entry.address, message: error instanceof Error ? error.message : String(error) })
    }
  }
  const removed = await deps.db.transaction().execute(async (tx) => {
    if (!(await deleteBlacklist(tx, addressKey))) return false
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: actorLabel(input.actor.ref),
      action: 'blacklist.remove',
      subjectType: 'blacklist',
      subjectId: addressKey,
      before: { address: entry.address, reason: entry.reason, detail: entry.detail, source: entry.source, createdAt: entry.createdAt },
      details: { patrons: entry.patrons.map((p) => p.username) },
    })
    return true
  })
  // Removed meanwhile by someone else: the outcome they wanted is the same.
  if (!removed) return err({ code: 'not_blacklisted', address: entry.address })
  return ok({ removed: entry })
}
