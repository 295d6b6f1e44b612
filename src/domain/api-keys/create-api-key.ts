import { randomBytes } from 'node:crypto'
import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { findLibrary } from '../libraries/queries.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { unstorableText } from '../text.ts'
import { type ApiKeyError, type ApiKeyRole, type ApiKeySummary, apiKeyRoles } from './errors.ts'
import { apiKeyPrefix, apiKeySummaryColumns, hashApiKey } from './queries.ts'

/** Creates a key for a library. The key itself is returned once and stored only as a hash. */
export async function createApiKey(
  deps: Pick<AppDeps, 'db'>,
  input: { libraryId: number; name: string; role?: string; actor: Actor },
): Promise<Result<{ key: string; apiKey: ApiKeySummary }, ApiKeyError>> {
  const name = input.name.trim()
  if (name === '' || unstorableText(name)) return err({ code: 'invalid_name' })
  const role = input.role ?? 'staff'
  if (!(apiKeyRoles as readonly string[]).includes(role)) return err({ code: 'invalid_api_key_role', role })
  const key = `${apiKeyPrefix}${randomBytes(32).toString('base64url')}`
  return deps.db.transaction().execute(async (tx) => {
    if (!(await findLibrary(tx, input.libraryId))) return err({ code: 'library_not_found', libraryId: input.libraryId } as const)
    const row = await tx
      .insertInto('api_keys')
      .values({ library_id: input.libraryId, name, role: role as ApiKeyRole, prefix: key.slice(0, apiKeyPrefix.length + 6), key_hash: hashApiKey(key) })
      .returning(apiKeySummaryColumns)
      .executeTakeFirstOrThrow()
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: actorLabel(input.actor.ref),
      action: 'api_key.created',
      subjectType: 'api_key',
      subjectId: row.id,
      after: { name, prefix: row.prefix, role: row.role },
    })
    return ok({ key, apiKey: row })
  })
}
