import { type Context, Hono } from 'hono'
import { addContact } from '../../domain/contacts/add-contact.ts'
import { removeContact } from '../../domain/contacts/remove-contact.ts'
import { showContact } from '../../domain/contacts/show-contact.ts'
import { updateContact } from '../../domain/contacts/update-contact.ts'
import type { AppDeps } from '../../domain/deps.ts'
import type { ApiEnv } from './authenticate.ts'
import { contactNotFound, domainProblem, problemResponse } from './problems.ts'
import { readBody } from './read-body.ts'
import { renderContact } from './render.ts'
import { contactChangesSchema, contactIdParam, newContactSchema } from './schemas.ts'

/** A patron's contacts: add one under the patron, then read, change and remove it by id. */
export function contactRoutes(deps: Pick<AppDeps, 'db' | 'clock'>): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>()

  routes.post('/patrons/:username/contacts', async (c) => {
    const body = await readBody(c, newContactSchema)
    if (!body.ok) return problemResponse(body.error)
    const { primary, ...fields } = body.value
    const { libraryId, actor } = c.get('caller')
    const result = await addContact(deps, {
      libraryId,
      patron: { username: c.req.param('username') },
      fields: { ...fields, isPrimary: primary },
      source: 'api',
      actor,
    })
    if (!result.ok) return problemResponse(domainProblem(result.error))
    return c.json(renderContact(result.value), 201, { location: `/api/v1/contacts/${result.value.id}` })
  })

  routes.get('/contacts/:id', async (c) => {
    const contactId = contactIdOf(c)
    if (contactId === undefined) return problemResponse(contactNotFound(c.req.param('id')))
    const { libraryId, actor } = c.get('caller')
    const result = await showContact(deps, { libraryId, contactId, actor })
    return result.ok ? c.json(renderContact(result.value)) : problemResponse(domainProblem(result.error))
  })

  routes.patch('/contacts/:id', async (c) => {
    const contactId = contactIdOf(c)
    if (contactId === undefined) return problemResponse(contactNotFound(c.req.param('id')))
    const body = await readBody(c, contactChangesSchema)
    if (!body.ok) return problemResponse(body.error)
    const { primary, ...changes } = body.value
    const { libraryId, actor } = c.get('caller')
    const result = await updateContact(deps, {
      libraryId,
      contactId,
      changes: { ...changes, ...(primary !== undefined && { isPrimary: primary }) },
      source: 'api',
      actor,
    })
    return result.ok ? c.json(renderContact(result.value)) : problemResponse(domainProblem(result.error))
  })

  routes.delete('/contacts/:id', async (c) => {
    const contactId = contactIdOf(c)
    if (contactId === undefined) return problemResponse(contactNotFound(c.req.param('id')))
    const { libraryId, actor } = c.get('caller')
    const result = await removeContact(deps, { libraryId, contactId, actor })
    return result.ok ? c.body(null, 204) : problemResponse(domainProblem(result.error))
  })

  return routes
}

// An id that cannot be a contact's names no contact: 404, as for any other unknown id.
function contactIdOf(c: Context<ApiEnv>): number | undefined {
  const parsed = contactIdParam.safeParse(c.req.param('id'))
  return parsed.success ? parsed.data : undefined
}
