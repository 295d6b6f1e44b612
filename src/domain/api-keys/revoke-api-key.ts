import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import type { ApiKeyError, ApiKeySummary } from './errors.ts'
import { apiKeySummaryColumns } from './queries.ts'

/** Revokes a key at once; requests bearing it are refused from then on. */
export async function revokeApiKey(deps: Pick<AppDeps, 'db' | 'clock'>, input: { id: number; actor: Actor }): Promise<Result<ApiKeySummary, ApiKeyError>> {
  return deps.db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('api_keys')
      .set({ revoked_at: deps.clock.now() })
      .where('id', '=', input.id)
      .where('revoked_at', 'is', null)
      .returning(apiKeySummaryColumns)
      .executeTakeFirst()
    if (!row) return err({ code: 'api_key_not_found', id: input.id } as const)
    await recordAudit(tx, {
      libraryId: row.libraryId,
      actor: actorLabel(input.actor.ref),
      action: 'api_key.revoked',
      subjectType: 'api_key',
      subjectId: row.id,
      before: { name: row.name, prefix: row.prefix },
    })
    return ok(row)
  })
}
