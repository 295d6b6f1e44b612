import { createHash, randomBytes } from 'node:crypto'
import type { AppDeps } from '../deps.ts'
import { recordAudit } from '../audit/record-audit.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/roles.ts'

export type ApiKeySummary = { id: number; libraryId: number; name: string; prefix: string; role: ApiKeyRole; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }
export type ApiKeyError = { code: 'library_not_found'; libraryId: number } | { code: 'api_key_not_found'; id: number } | { code: 'invalid_name' }

const keyPrefix = 'lc_'

/** The role a key acts with: staff (patrons, contacts, adding imports) or admin (also replace imports and deactivation). */
export const apiKeyRoles = ['staff', 'admin'] as const
export type ApiKeyRole = (typeof apiKeyRoles)[number]

/** SHA-256 is enough for a 256-bit random key: there is nothing to brute-force a dictionary on. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

/** Creates a key for a library. The key itself is returned once and stored only as a hash. */
export async function createApiKey(
  deps: Pick<AppDeps, 'db'>,
  input: { libraryId: number; name: string; role?: ApiKeyRole; actor: string },
): Promise<Result<{ key: string; apiKey: ApiKeySummary }, ApiKeyError>> {
  const name = input.name.trim()
  if (name === '') return err({ code: 'invalid_name' })
  const key = `${keyPrefix}${randomBytes(32).toString('base64url')}`
  return deps.db.transaction().execute(async (tx) => {
    const library = await tx.selectFrom('libraries').where('id', '=', input.libraryId).select('id').executeTakeFirst()
    if (!library) return err({ code: 'library_not_found', libraryId: input.libraryId } as const)
    const row = await tx
      .insertInto('api_keys')
      .values({ library_id: input.libraryId, name, role: input.role ?? 'staff', prefix: key.slice(0, keyPrefix.length + 6), key_hash: hashApiKey(key) })
      .returning(summaryColumns)
      .executeTakeFirstOrThrow()
    await recordAudit(tx, { libraryId: input.libraryId, actor: input.actor, action: 'api_key.created', subjectType: 'api_key', subjectId: row.id, after: { name, prefix: row.prefix, role: row.role } })
    return ok({ key, apiKey: row })
  })
}

const summaryColumns = [
  'id',
  'library_id as libraryId',
  'name',
  'prefix',
  'role',
  'created_at as createdAt',
  'last_used_at as lastUsedAt',
  'revoked_at as revokedAt',
] as const

export async function listApiKeys(deps: Pick<AppDeps, 'db'>, input: { libraryId?: number }): Promise<ApiKeySummary[]> {
  let query = deps.db.selectFrom('api_keys').select(summaryColumns).orderBy('id')
  if (input.libraryId !== undefined) query = query.where('library_id', '=', input.libraryId)
  return query.execute()
}

/** Revokes a key at once; requests bearing it are refused from then on. */
export async function revokeApiKey(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { id: number; actor: string },
): Promise<Result<ApiKeySummary, ApiKeyError>> {
  return deps.db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('api_keys')
      .set({ revoked_at: deps.clock.now() })
      .where('id', '=', input.id)
      .where('revoked_at', 'is', null)
      .returning(summaryColumns)
      .executeTakeFirst()
    if (!row) return err({ code: 'api_key_not_found', id: input.id } as const)
    await recordAudit(tx, { libraryId: row.libraryId, actor: input.actor, action: 'api_key.revoked', subjectType: 'api_key', subjectId: row.id, before: { name: row.name, prefix: row.prefix } })
    return ok(row)
  })
}

/** The library and actor a bearer key stands for, or undefined for an unknown or revoked key. */
export async function authenticateApiKey(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  key: string,
): Promise<{ libraryId: number; actor: Actor } | undefined> {
  if (!key.startsWith(keyPrefix) || key.length > 100) return undefined
  const row = await deps.db
    .updateTable('api_keys')
    .set({ last_used_at: deps.clock.now() })
    .where('key_hash', '=', hashApiKey(key))
    .where('revoked_at', 'is', null)
    .returning(['id', 'library_id as libraryId', 'role'])
    .executeTakeFirst()
  // A key never manages staff: that is done in Slack or with the command-line tool.
  return row ? { libraryId: row.libraryId, actor: { label: `api-key:${row.id}`, role: row.role } } : undefined
}
