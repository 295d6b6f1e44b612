import type { Db } from '../../src/db/database.ts'
import { type BlacklistEntry, blacklistAddresses } from '../../src/domain/bounces/blacklist.ts'

/** Addresses already on the blacklist when a test starts, each learnt now unless it says when. */
export async function givenBlacklisted(db: Db, entries: readonly BlacklistEntry[]): Promise<void> {
  await blacklistAddresses(db, { at: new Date(), entries })
}
