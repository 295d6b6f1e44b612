import { expect } from 'vitest'
import { createApiKey } from '../../../src/domain/api-keys/create-api-key.ts'
import type { AppDeps } from '../../../src/domain/deps.ts'
import { cliActor } from '../../../src/domain/staff/actors.ts'
import { apiRoutes } from '../../../src/http/api/routes.ts'
import { createHttpApp } from '../../../src/http/app.ts'
import { givenLibrary } from '../../support/builders.ts'

/** The HTTP app as the service serves it, with `/api/v1` forwarded to the API. */
export function givenHttpApp(deps: AppDeps) {
  const api = apiRoutes(deps)
  return createHttpApp({ logger: deps.logger, isReady: async () => true, api: () => api })
}

/**
 * A library of its own with an API key, and a way to call the API as its library system.
 * `served` replaces the dependencies the API runs with (to make them fail).
 */
export async function givenApiLibrary(deps: AppDeps, served: AppDeps = deps) {
  const lib = await givenLibrary(deps)
  const created = await createApiKey(deps, { libraryId: lib.id, name: 'Student system', actor: cliActor })
  if (!created.ok) throw new Error(`no API key: ${created.error.code}`)
  const { key, apiKey } = created.value
  const app = givenHttpApp(served)

  /** Sends `json` (when given) as an application/json body, with the library's key. */
  function send(method: string, path: string, json?: unknown, headers: Record<string, string> = {}) {
    return app.request(path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(json !== undefined && { 'content-type': 'application/json' }), ...headers },
      ...(json !== undefined && { body: JSON.stringify(json) }),
    })
  }

  return { ...lib, key, keyId: apiKey.id, actor: `api-key:${apiKey.id}`, app, send }
}

export type GivenApiLibrary = Awaited<ReturnType<typeof givenApiLibrary>>

/** The problem+json body of a response, after checking its status and media type. */
export async function problemOf(response: Response, status: number) {
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  const problem = await response.json()
  expect(problem).toMatchObject({ status, title: expect.any(String), type: expect.any(String) })
  return problem as { type: string; title: string; status: number; detail?: string; errors?: Array<{ pointer: string; detail: string }> }
}

/** The JSON Pointers a problem names, in order. */
export const pointersOf = (problem: { errors?: Array<{ pointer: string }> }) => (problem.errors ?? []).map((error) => error.pointer)
