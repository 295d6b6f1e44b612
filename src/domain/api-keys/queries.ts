import { createHash } from 'node:crypto'
import type { Db } from '../../db/database.ts'
import type { ApiKeySummary } from './errors.ts'

/** What every key is shown as: never the key, which is stored only as a hash. */
export const apiKeySummaryColumns = [
  'id',
  'library_id as libraryId',
  'name',
  'prefix',
  'role',
  'created_at as createdAt',
  'last_used_at as lastUsedAt',
  'revoked_at as revokedAt',
] as const

/** Every key begins so, which tells a key from other secrets in a log scanner or a leak report. */
export const apiKeyPrefix = 'lc_'

/** SHA-256 is enough for a 256-bit random key: there is nothing to brute-force a dictionary on. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

export async function selectApiKeys(db: Db, input: { libraryId?: number }): Promise<ApiKeySummary[]> {
  let query = db.selectFrom('api_keys').select(apiKeySummaryColumns).orderBy('id')
  if (input.libraryId !== undefined) query = query.where('library_id', '=', input.libraryId)
  return query.execute()
}
