import type { Template } from 'liquidjs'
import type { Db } from '../../db/database.ts'
import type { RenderNotice } from '../notices/compose.ts'
import { isScenarioName, type ScenarioName } from '../scenarios/catalogue.ts'
import type { NoticeContext } from './context.ts'
import { defaultTemplates } from './defaults.ts'
import { faultOf, parsePart, renderPart, type TemplateFault, type TemplatePart, templateParts } from './sandbox.ts'

/** A template as staff write it: Liquid in each part. */
export type TemplateSource = { subject: string; html: string; text: string }
/** An email as it goes out: a one-line subject, a whole HTML page, and plain text. */
export type RenderedEmail = { subject: string; html: string; text: string }

/** A template that would not parse or render; it names the part, and the line and column in it. */
export class TemplateRenderError extends Error {
  readonly fault: TemplateFault
  constructor(fault: TemplateFault, options?: { cause?: unknown }) {
    const where = fault.line === undefined ? fault.part : `${fault.part}, line ${fault.line}, column ${fault.column}`
    super(`The template's ${where}: ${fault.message}`, options)
    this.name = 'TemplateRenderError'
    this.fault = fault
  }
}

export type CompiledTemplate = { render(context: NoticeContext): RenderedEmail }

/** The longest subject sent; a longer one is cut with an ellipsis. */
export const maxSubjectChars = 250

/**
 * Parses a template once, to render it for many notices (the nightly run renders tens of
 * thousands). Values are HTML-escaped in the HTML part only; the subject becomes one line, so a
 * value can never add a header. A template that does not parse still compiles: each render then
 * throws the same `TemplateRenderError`, so a composer records each notice as it does any other
 * failed render.
 */
export function compileTemplate(source: TemplateSource): CompiledTemplate {
  const parsed = {} as Record<TemplatePart, Template[] | TemplateFault>
  for (const part of templateParts) {
    try {
      parsed[part] = parsePart(part, source[part])
    } catch (error) {
      parsed[part] = faultOf(part, error)
    }
  }
  const renderOne = (part: TemplatePart, context: NoticeContext): string => {
    const templates = parsed[part]
    if (!Array.isArray(templates)) throw new TemplateRenderError(templates)
    try {
      return renderPart(part, templates, context)
    } catch (error) {
      throw new TemplateRenderError(faultOf(part, error), { cause: error })
    }
  }
  return {
    render(context) {
      const subject = oneLine(renderOne('subject', context))
      return { subject, html: htmlPage(renderOne('html', context), subject), text: tidyText(renderOne('text', context)) }
    },
  }
}

/**
 * Every scenario's template as the library sends it: its own where staff saved one, else the
 * default. Compile each once per run (`noticeRenderer` does).
 */
export async function loadTemplates(db: Db, libraryId: number): Promise<Record<ScenarioName, TemplateSource>> {
  const rows = await db.selectFrom('templates').select(['scenario', 'subject', 'html', 'text']).where('library_id', '=', libraryId).execute()
  const templates = { ...defaultTemplates }
  for (const row of rows) {
    if (isScenarioName(row.scenario)) templates[row.scenario] = { subject: row.subject, html: row.html, text: row.text }
  }
  return templates
}

/**
 * How a use case gets a library's notices ready to render: its templates, compiled as used.
 * Asked in the caller's transaction, once per call or night.
 */
export type NoticeRenderer = (db: Db, libraryId: number) => Promise<RenderNotice>

/** The library's own templates where staff saved one, else the defaults. */
export const loadNoticeRenderer: NoticeRenderer = async (db, libraryId) => noticeRenderer(await loadTemplates(db, libraryId))

/** Renders notices of any scenario with `templates`, compiling each scenario's template the first time it is used. */
export function noticeRenderer(templates: Record<ScenarioName, TemplateSource>): RenderNotice {
  const compiled = new Map<ScenarioName, CompiledTemplate>()
  return (scenario, context) => {
    let template = compiled.get(scenario)
    if (template === undefined) {
      template = compileTemplate(templates[scenario])
      compiled.set(scenario, template)
    }
    return template.render(context)
  }
}

// Control characters and line breaks of any kind become spaces: an email header is one line.
function oneLine(subject: string): string {
  const line = subject.replace(/[\s\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ').trim()
  return line.length > maxSubjectChars ? `${line.slice(0, maxSubjectChars - 1).trimEnd()}…` : line
}

// Loops and ifs leave blank lines where their tags stood: one blank line between paragraphs is kept.
function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
    .concat('\n')
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/**
 * The HTML part as a whole page: staff write the body, and the page gives it a language, a title
 * (the subject, which screen readers announce) and one readable font in every mail client. A
 * template that is a page already (it has `<html>`) is sent as it is.
 */
function htmlPage(body: string, subject: string): string {
  if (/<html[\s>]/i.test(body)) return body
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(subject)}</title>`,
    // Outlook's Word engine does not pass the body's font on to tables.
    '<style>body,p,table,th,td{font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5}</style>',
    '</head>',
    '<body style="margin:0;padding:0;background:#ffffff">',
    '<div style="max-width:640px;margin:0 auto;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a">',
    body.trim(),
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n')
}
