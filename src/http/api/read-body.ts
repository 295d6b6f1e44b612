import type { Context } from 'hono'
import type { z } from 'zod'
import { err, ok, type Result } from '../../domain/result.ts'
import { invalidBody, malformedJson, unsupportedMediaType } from './problems.ts'
import type { Problem } from './schemas.ts'

/** JSON, and JSON-based types such as application/merge-patch+json. */
function isJsonMediaType(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase()
  return mediaType === 'application/json' || (mediaType.startsWith('application/') && mediaType.endsWith('+json'))
}

// A missing field reads better as "Required" than as zod's "expected string, received undefined".
const requiredMessage = (issue: z.core.$ZodRawIssue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'Required' : undefined)

/**
 * Reads the request body as JSON and validates it: 415 for another media type, 400 for JSON
 * that does not parse, 422 naming each bad field.
 */
export async function readBody<Schema extends z.ZodType>(c: Context, schema: Schema): Promise<Result<z.output<Schema>, Problem>> {
  if (!isJsonMediaType(c.req.header('content-type'))) return err(unsupportedMediaType)
  const text = await c.req.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return err(malformedJson)
  }
  const parsed = schema.safeParse(json, { error: requiredMessage })
  return parsed.success ? ok(parsed.data) : err(invalidBody(parsed.error.issues))
}
