import type { Db } from '../../db/database.ts'
import { scenarioTitle } from '../scenarios/catalogue.ts'
import type { RenderNotice } from './compose.ts'

/** How a door gets the renderer of a library's notices: its templates, compiled. */
export type LoadRenderer = (db: Db, libraryId: number) => Promise<RenderNotice>

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/**
 * The library's notice renderer. Until the templates of issue 11 (src/domain/templates/render.ts)
 * are merged, a plain notice: the scenario's title, the greeting, and the loans it lists.
 */
export const loadNoticeRenderer: LoadRenderer = async (db, libraryId) => {
  await db.selectFrom('libraries').select('id').where('id', '=', libraryId).executeTakeFirstOrThrow()
  return (scenario, context) => {
    const loans = (context.loans ?? []).map((loan) => `${loan.title} (${loan.barcode}), due ${loan.due_date_text}`)
    const lines = [`Dear ${context.addressee},`, '', `${scenarioTitle(scenario)} from ${context.library.name}.`, ...loans.map((loan) => `- ${loan}`)]
    return {
      subject: `${scenarioTitle(scenario)}: ${context.patron?.full_name ?? context.library.name}`,
      text: `${lines.join('\n')}\n`,
      html: `<p>Dear ${escapeHtml(context.addressee)},</p><p>${escapeHtml(`${scenarioTitle(scenario)} from ${context.library.name}.`)}</p>${
        loans.length > 0 ? `<ul>${loans.map((loan) => `<li>${escapeHtml(loan)}</li>`).join('')}</ul>` : ''
      }`,
    }
  }
}
