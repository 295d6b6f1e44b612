import { Hono } from 'hono'
import type { AppDeps } from '../../domain/deps.ts'

/** `/api/v1`: placeholder until the API lands. */
export function apiRoutes(_deps: AppDeps): Hono {
  return new Hono().basePath('/api/v1')
}
