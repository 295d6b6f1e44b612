import type { Context } from 'hono'
import type { z } from 'zod'
import { err, ok, type Result } from '../../domain/result.ts'
import { invalidQuery } from './problems.ts'
import type { Problem } from './schemas.ts'

/** The query, one value per parameter (a list where repeated), checked by `schema`: 422 naming each bad parameter. */
export function readQuery<Schema extends z.ZodType>(c: Context, schema: Schema): Result<z.output<Schema>, Problem> {
  const given = Object.entries(c.req.queries()).map(([name, values]) => [name, values.length === 1 ? values[0] : values])
  const parsed = schema.safeParse(Object.fromEntries(given))
  return parsed.success ? ok(parsed.data) : err(invalidQuery(parsed.error.issues))
}
