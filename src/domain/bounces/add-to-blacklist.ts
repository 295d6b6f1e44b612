import { z } from 'zod'
import { recordAudit } from '../audit/record-audit.ts'
import { emailAddressKey } from '../contacts/contact-fields.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import { type BlacklistReason, blacklistAddresses, blacklistReasons } from './blacklist.ts'
import type { AddToBlacklistError } from './errors.ts'
import { type BlacklistEntry, findBlacklistEntry } from './queries.ts'

const emailSyntax = z.email()

type Deps = Pick<AppDeps, 'db' | 'clock'>

/**
 * Blacklists an address by hand (a parent asked to receive nothing, a known dead mailbox):
 * reason `manual` unless told, for the whole deployment; audited. An address already there keeps
 * its entry and reason (`added: false`).
 */
export async function addToBlacklist(
  deps: Deps,
  input: { libraryId: number; actor: Actor; address: string; reason?: string; detail?: string; source: 'staff' | 'api' },
): Promise<Result<{ entry: BlacklistEntry; added: boolean }, AddToBlacklistError>> {
  const refused = checkPermission(input.actor, 'reviewBlacklist')
  if (refused) return err(refused)
  const address = input.address.trim()
  if (address.length > 320 || !emailSyntax.safeParse(address).success) return err({ code: 'invalid_address', value: input.address })
  const reason = (input.reason ?? 'manual') as BlacklistReason
  if (!blacklistReasons.includes(reason)) return err({ code: 'invalid_reason', value: input.reason! })
  const addressKey = emailAddressKey(address)
  const actor = actorLabel(input.actor.ref)
  const added = await deps.db.transaction().execute(async (tx) => {
    const { addedKeys } = await blacklistAddresses(tx, {
      at: deps.clock.now(),
      entries: [{ address, reason, detail: input.detail ?? null, source: input.source, libraryId: input.libraryId, addedBy: actor }],
    })
    if (addedKeys.length === 0) return false
    // The address is personal data, but the audit log is where staff look for who blacklisted it.
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor,
      action: 'blacklist.add',
      subjectType: 'blacklist',
      subjectId: addressKey,
      after: { address, reason },
    })
    return true
  })
  const entry = await findBlacklistEntry(deps.db, { libraryId: input.libraryId, addressKey })
  return ok({ entry: entry!, added })
}
