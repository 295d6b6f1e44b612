import { Hono } from 'hono'
import type { Logger } from 'pino'
import type { AppDeps } from '../../domain/deps.ts'
import { chooseNotice } from '../../domain/preferences/choose-notice.ts'
import type { UnsubscribeError } from '../../domain/preferences/errors.ts'
import { showUnsubscribe, type UnsubscribeDeps } from '../../domain/preferences/show-unsubscribe.ts'
import { assertNever } from '../../domain/result.ts'
import { readBodyUpTo } from '../read-limited-body.ts'
import { choiceMadePage, invalidLinkPage, linkNoLongerAppliesPage, missingChoicePage, unreadableFormPage, unsubscribePage } from './views.ts'

// The token is in the address: no referrer carries it elsewhere, no cache or index keeps it.
const pageHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}

/**
 * `/unsubscribe/<token>`: GET shows the page and changes nothing (mail scanners open every
 * link); POST with the page's form (`choice=stop|resume`) records the choice of the recipient
 * the link's copy went to; POST with `List-Unsubscribe=One-Click` (RFC 8058, sent by the mail
 * client, as multipart/form-data or application/x-www-form-urlencoded) stops the notice without
 * the page. No login: the signed token is the capability, so
 * no other site can forge the form without it.
 */
export function unsubscribeRoutes(deps: UnsubscribeDeps & Pick<AppDeps, 'clock'> & { logger: Logger }): Hono {
  const app = new Hono()
  app.get('/unsubscribe/:token', async (c) => {
    const shown = await showUnsubscribe(deps, { token: c.req.param('token') })
    if (!shown.ok) return refusalPage(shown.error)
    return c.body(unsubscribePage(shown.value), 200, pageHeaders)
  })
  app.post('/unsubscribe/:token', async (c) => {
    const raw = await readBodyUpTo(c.req.raw, 4_096)
    if (raw === undefined) return c.text('The form is too large.', 413)
    const form = await readForm(raw, c.req.header('content-type'))
    if (form === undefined) return c.body(unreadableFormPage(), 400, pageHeaders)
    const oneClick = form.get('List-Unsubscribe') === 'One-Click' && !form.has('choice')
    const choice = form.get('choice')
    if (!oneClick && choice !== 'stop' && choice !== 'resume') return c.body(missingChoicePage(), 400, pageHeaders)
    const result = await chooseNotice(deps, { token: c.req.param('token'), stopped: oneClick || choice === 'stop', oneClick })
    if (!result.ok) {
      deps.logger.info(
        { oneClick, code: result.error.code },
        'unsubscribe refused: the link is not genuine, its message is gone, or its contact has another address',
      )
      // A mail client reads only the status: a link that no longer applies is one it does not know.
      if (oneClick) return c.body(invalidLinkPage(), 404, pageHeaders)
      return refusalPage(result.error)
    }
    if (result.value.changed) deps.logger.info({ group: result.value.group, stopped: result.value.stopped, oneClick }, 'a recipient changed their notices')
    if (oneClick) return c.text('Unsubscribed.', 200)
    return c.body(choiceMadePage(result.value), 200, pageHeaders)
  })
  return app
}

/** Each refusal's page: nothing was changed. */
function refusalPage(error: UnsubscribeError): Response {
  switch (error.code) {
    case 'invalid_link':
      return new Response(invalidLinkPage(), { status: 404, headers: pageHeaders })
    case 'link_no_longer_applies':
      return new Response(linkNoLongerAppliesPage(), { status: 410, headers: pageHeaders })
    default:
      return assertNever(error)
  }
}

/**
 * The POST's fields, read by its content type: RFC 8058 lets a mail client send one-click as
 * multipart/form-data or application/x-www-form-urlencoded; a body with no type (or another) is
 * read as the latter, as a form without enctype is. Undefined when a multipart body is unreadable.
 */
async function readForm(
  raw: Uint8Array<ArrayBuffer>,
  contentType: string | undefined,
): Promise<{ get(name: string): string | null; has(name: string): boolean } | undefined> {
  if (contentType?.trim().toLowerCase().startsWith('multipart/form-data')) {
    let fields: FormData
    try {
      fields = await new Response(raw, { headers: { 'content-type': contentType } }).formData()
    } catch {
      return undefined
    }
    return {
      get: (name) => {
        const value = fields.get(name)
        return typeof value === 'string' ? value : null
      },
      has: (name) => fields.has(name),
    }
  }
  return new URLSearchParams(new TextDecoder().decode(raw))
}
