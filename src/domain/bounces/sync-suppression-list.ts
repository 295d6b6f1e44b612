import type { SuppressionList } from '../../mail/ses-suppression.ts'
import type { AppDeps } from '../deps.ts'
import { blacklistAddresses } from './blacklist.ts'

type Deps = Pick<AppDeps, 'db' | 'clock' | 'logger'> & { suppressionList: SuppressionList }

/** What a sync did: addresses SES listed, and how many were new to the blacklist. */
export type SuppressionSync = { read: number; added: number }

/**
 * Brings SES's account-level suppression list into the blacklist: every address SES suppressed
 * (since `since`, or all of them) that is not blacklisted yet is added, reason `suppressed`,
 * source `suppression_list`, with SES's reason in the detail. SES adds to that list by itself
 * (a bounce from another sender of the account, a complaint we missed); an address on it is never
 * delivered to, so it is as good as blacklisted. One statement per page of a thousand.
 */
export async function syncSuppressionList(deps: Deps, input: { since?: Date } = {}): Promise<SuppressionSync> {
  const sync: SuppressionSync = { read: 0, added: 0 }
  for await (const page of deps.suppressionList.listSuppressed(input)) {
    sync.read += page.length
    const { added } = await blacklistAddresses(deps.db, {
      at: deps.clock.now(),
      entries: page.map((suppressed) => ({
        address: suppressed.address,
        reason: 'suppressed' as const,
        detail: `on SES's suppression list: ${suppressed.reason === 'complaint' ? 'a complaint' : 'a bounce'} (${suppressed.updatedAt.toISOString().slice(0, 10)})`,
        source: 'suppression_list' as const,
      })),
    })
    sync.added += added.length
  }
  deps.logger.info(sync, 'synced the SES suppression list')
  return sync
}
