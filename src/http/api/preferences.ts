import { Hono } from 'hono'
import type { AppDeps } from '../../domain/deps.ts'
import { runPreferencesBatch } from '../../domain/preferences/run-preferences-batch.ts'
import type { ApiEnv } from './authenticate.ts'
import { preferencesBatchProblem } from './batch-problems.ts'
import { type PreferencesBatchAnswerBody, preferencesBatchSchema } from './notice-schemas.ts'
import { problemResponse } from './problems.ts'
import { readBody } from './read-body.ts'

/** `/preferences/batch`: contact preferences in bulk (seed 003), an admin key's. */
export function preferencesRoutes(deps: Pick<AppDeps, 'db' | 'clock'>): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>()

  routes.post('/preferences/batch', async (c) => {
    const body = await readBody(c, preferencesBatchSchema)
    if (!body.ok) return problemResponse(body.error)
    const { libraryId, actor } = c.get('caller')
    const { set, dryRun, batchId, ...request } = body.value
    const result = await runPreferencesBatch(deps, {
      libraryId,
      actor,
      request: { ...request, set: { overdue: set.overdue, recalls: set.recalls, reservations: set.reservations, loan_receipts: set.loanReceipts } },
      dryRun,
      batchId,
    })
    if (!result.ok) return problemResponse(preferencesBatchProblem(result.error))
    return c.json(result.value satisfies PreferencesBatchAnswerBody)
  })

  return routes
}
