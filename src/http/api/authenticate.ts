import type { MiddlewareHandler } from 'hono'
import { authenticateApiKey } from '../../domain/api-keys/authenticate-api-key.ts'
import type { AppDeps } from '../../domain/deps.ts'
import type { Actor } from '../../domain/staff/actors.ts'
import { problemResponse, unauthorized } from './problems.ts'

/** What every API handler knows once the key is checked: the key's library, and who acts. */
export type ApiEnv = { Variables: { caller: { libraryId: number; actor: Actor } } }

const bearerHeader = /^Bearer +([^\s]+) *$/i

/**
 * Bearer API keys (RFC 6750): the key's library is implied in every call. The key itself is
 * never logged nor echoed.
 */
export function requireApiKey(deps: Pick<AppDeps, 'db' | 'clock'>): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const match = bearerHeader.exec(c.req.header('authorization') ?? '')
    if (!match) {
      return problemResponse(unauthorized('Send an API key as "Authorization: Bearer <key>"'), {
        'www-authenticate': 'Bearer realm="library-comms"',
      })
    }
    const caller = await authenticateApiKey(deps, match[1])
    if (!caller) {
      return problemResponse(unauthorized('The API key is unknown or revoked'), {
        'www-authenticate': 'Bearer realm="library-comms", error="invalid_token"',
      })
    }
    c.set('caller', caller)
    await next()
  }
}
