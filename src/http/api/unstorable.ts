import type { MiddlewareHandler } from 'hono'
import { quoted, unstorableText } from '../../domain/text.ts'
import { invalidQueryParameters, problemResponse, routeNotFound } from './problems.ts'

/**
 * A NUL character, which no name, address or id can hold (PostgreSQL cannot store it), in the
 * path or a query parameter: refused before any route reads it, as the 404 or 422 the route
 * would give any other name it does not know or value it cannot use, instead of a database
 * error answered 500.
 */
export function refuseUnstorable(): MiddlewareHandler {
  return async (c, next) => {
    if (/%00|\0/.test(c.req.path)) return problemResponse({ ...routeNotFound, detail: 'Nothing here: the path holds a NUL character, which no name or id has' })
    const bad = Object.entries(c.req.queries()).flatMap(([name, values]) =>
      values
        .filter((value) => unstorableText(`${name}${value}`) !== undefined)
        .map((value) => ({ parameter: name.toWellFormed().replaceAll('\u0000', '\ufffd'), name: quoted(name), value: quoted(value) })),
    )
    if (bad.length > 0) {
      const named = bad.map(({ name, value }) => `${name} (${value})`).join(', ')
      return problemResponse({
        ...invalidQueryParameters(bad.map(({ parameter }) => ({ parameter, detail: 'holds a character that cannot be stored (a NUL)' }))),
        detail: `${named} ${bad.length === 1 ? 'holds' : 'hold'} a character that cannot be stored (a NUL); nothing was changed`,
      })
    }
    await next()
  }
}
