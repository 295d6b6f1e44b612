import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { except } from 'hono/combine'
import { routePath } from 'hono/route'
import type { AppDeps } from '../../domain/deps.ts'
import type { SuppressionList } from '../../mail/ses-suppression.ts'
import { auditRoutes } from './audit.ts'
import { type ApiEnv, requireApiKey } from './authenticate.ts'
import { blacklistRoutes } from './blacklist.ts'
import { type CirculationRouteDeps, circulationRoutes } from './circulation.ts'
import { contactRoutes } from './contacts.ts'
import { eventRoutes } from './events.ts'
import { importRoutes } from './imports.ts'
import { messageRoutes } from './messages.ts'
import { openApiDocument } from './openapi.ts'
import { patronRoutes } from './patrons.ts'
import { preferencesRoutes } from './preferences.ts'
import { internalError, payloadTooLarge, problemResponse, routeNotFound } from './problems.ts'
import { purgeRoutes } from './purge.ts'
import { scenarioRoutes } from './scenarios.ts'
import { maxBodyBytes } from './schemas.ts'
import { settingsRoutes } from './settings.ts'
import { templateRoutes } from './templates.ts'
import { refuseUnstorable } from './unstorable.ts'

/**
 * `/api/v1`: the library or student system pushes patrons and contacts, or imports CSV files,
 * and feeds circulation (loans, reservations, orders, password resets), with a bearer API key.
 * Every answer that is not a success is `application/problem+json` (RFC 9457).
 */
export function apiRoutes(
  deps: AppDeps &
    Pick<CirculationRouteDeps, 'noticeRenderer'> & {
      /** SES's account suppression list, in `EMAIL_TRANSPORT=ses` mode: removing a blacklisted address removes it there too. */
      suppressionList?: SuppressionList | null
    },
): Hono {
  const api = new Hono().basePath('/api/v1')
  const document = openApiDocument()

  api.onError((error, c) => {
    // The error alone: request bodies and the Authorization header never reach the log.
    // The route's pattern, not the path: a path holds usernames and addresses.
    deps.logger.error({ err: error, method: c.req.method, route: routePath(c) }, 'API request failed')
    return problemResponse(internalError)
  })
  api.notFound(() => problemResponse(routeNotFound))

  // Served without a key: integrators read it before they have one.
  api.get('/openapi.json', (c) => c.json(document))

  const withKey = new Hono<ApiEnv>()
  withKey.use('*', requireApiKey(deps))
  withKey.use('*', refuseUnstorable())
  // Hono's limit counts a chunked body as it arrives and stops at the limit; the connection then
  // closes, so the rest is never read. Import files stream into the staging tables as they
  // arrive (a student system's export runs to tens of MB) and are capped as they stream.
  const limitBody = bodyLimit({ maxSize: maxBodyBytes, onError: () => problemResponse(payloadTooLarge(maxBodyBytes), { connection: 'close' }) })
  withKey.use('*', except('/api/v1/imports/*', limitBody))
  withKey.route('/', patronRoutes(deps))
  withKey.route('/', contactRoutes(deps))
  withKey.route('/', importRoutes(deps))
  withKey.route('/', auditRoutes(deps))
  withKey.route('/', settingsRoutes(deps))
  withKey.route('/', scenarioRoutes(deps))
  withKey.route('/', templateRoutes(deps))
  withKey.route('/', circulationRoutes(deps))
  withKey.route('/', eventRoutes(deps))
  withKey.route('/', messageRoutes(deps))
  withKey.route('/', preferencesRoutes(deps))
  withKey.route('/', purgeRoutes(deps))
  withKey.route('/', blacklistRoutes({ ...deps, suppressionList: deps.suppressionList ?? null }))
  api.route('/', withKey)
  return api
}
