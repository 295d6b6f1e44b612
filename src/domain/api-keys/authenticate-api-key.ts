import type { AppDeps } from '../deps.ts'
import type { Actor } from '../staff/actors.ts'
import { apiKeyPrefix, hashApiKey } from './queries.ts'

/** The library and actor a bearer key stands for, or undefined for an unknown or revoked key. */
export async function authenticateApiKey(deps: Pick<AppDeps, 'db' | 'clock'>, key: string): Promise<{ libraryId: number; actor: Actor } | undefined> {
  if (!key.startsWith(apiKeyPrefix) || key.length > 100) return undefined
  const row = await deps.db
    .updateTable('api_keys')
    .set({ last_used_at: deps.clock.now() })
    .where('key_hash', '=', hashApiKey(key))
    .where('revoked_at', 'is', null)
    .returning(['id', 'library_id as libraryId', 'role'])
    .executeTakeFirst()
  // The key's role reads the permission table as a staff member's would (it never manages staff:
  // that is not in the API).
  return row ? { libraryId: row.libraryId, actor: { ref: { kind: 'api_key', keyId: row.id }, role: row.role } } : undefined
}
