import { Hono } from 'hono'
import { addToBlacklist } from '../../domain/bounces/add-to-blacklist.ts'
import { listBlacklist } from '../../domain/bounces/list-blacklist.ts'
import type { BlacklistEntry } from '../../domain/bounces/queries.ts'
import { removeFromBlacklist } from '../../domain/bounces/remove-from-blacklist.ts'
import type { AppDeps } from '../../domain/deps.ts'
import type { SuppressionList } from '../../mail/ses-suppression.ts'
import type { ApiEnv } from './authenticate.ts'
import { type BlacklistEntryBody, blacklistQuerySchema, newBlacklistEntrySchema } from './notice-schemas.ts'
import { blacklistProblem, problemResponse } from './problems.ts'
import { readBody } from './read-body.ts'
import { readQuery } from './read-query.ts'

/** `/blacklist`: addresses never mailed: read by any key, added and removed by a staff key (and SES's suppression list with them). */
export function blacklistRoutes(deps: Pick<AppDeps, 'db' | 'clock'> & { suppressionList: SuppressionList | null }): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>()

  routes.get('/blacklist', async (c) => {
    const query = readQuery(c, blacklistQuerySchema)
    if (!query.ok) return problemResponse(query.error)
    const { libraryId, actor } = c.get('caller')
    const page = await listBlacklist(deps, { libraryId, actor, ...(query.value.since !== undefined && { since: query.value.since }) })
    if (!page.ok) return problemResponse(blacklistProblem(page.error))
    return c.json({ since: page.value.since.toISOString(), entries: page.value.entries.map(renderBlacklistEntry), truncated: page.value.truncated })
  })

  routes.post('/blacklist', async (c) => {
    const body = await readBody(c, newBlacklistEntrySchema)
    if (!body.ok) return problemResponse(body.error)
    const { libraryId, actor } = c.get('caller')
    const added = await addToBlacklist(deps, { libraryId, actor, address: body.value.address, reason: body.value.reason, source: 'api' })
    if (!added.ok) return problemResponse(blacklistProblem(added.error))
    return c.json({ result: added.value.added ? 'created' : 'unchanged', entry: renderBlacklistEntry(added.value.entry) }, added.value.added ? 201 : 200)
  })

  routes.delete('/blacklist/:address', async (c) => {
    const { libraryId, actor } = c.get('caller')
    const removed = await removeFromBlacklist(deps, { libraryId, actor, address: c.req.param('address') })
    return removed.ok ? c.body(null, 204) : problemResponse(blacklistProblem(removed.error))
  })

  return routes
}

function renderBlacklistEntry(entry: BlacklistEntry): BlacklistEntryBody {
  return {
    address: entry.address,
    reason: entry.reason,
    detail: entry.detail,
    source: entry.source,
    addedBy: entry.addedBy,
    createdAt: entry.createdAt.toISOString(),
    patrons: entry.patrons.map((p) => ({ username: p.username, name: p.patronName, role: p.role, contactId: p.contactId })),
  }
}
