import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { ScenarioName } from '../scenarios/catalogue.ts'
import type { NoticeContext } from '../templates/context.ts'
import type { NewMessage } from './outbox.ts'
import { greetingFor, recipientsFor } from './recipients.ts'

/** Renders a scenario's template for one notice (src/domain/templates/render.ts, compiled once per run). */
export type RenderNotice = (scenario: ScenarioName, context: NoticeContext) => { subject: string; html: string; text: string }

/** One patron's notice as its planner decides it: what it concerns, under which key, counted how. */
export type NoticeDraft = {
  patronId: number
  dedupeKey: string
  /** What the notice is about; the library, the patron and the greeting are filled here. */
  context: Pick<NoticeContext, 'loans' | 'reservation' | 'reset_link'>
  loanIds?: readonly number[]
  reservationId?: number | null
  ledger?: NewMessage['ledger']
  asOf?: string | null
  requestedBy?: string | null
  secret?: string
}

/** A notice not even recorded: the patron is deactivated, or in a level or group the scenario excludes. */
export type NotComposed = { patronId: number; reason: 'inactive' | 'excluded' }

/**
 * Turns drafts of one scenario into messages, a few queries for any number of patrons: each
 * patron's recipients (contact usage, the scenario's roles, BCC), the greeting, the rendered
 * template. A patron with no contact the scenario may reach gets a message recorded as skipped
 * (`no_contact`), rendered as it would have gone, never silently dropped; a template that fails
 * to render is recorded as skipped (`template_error`). Deactivated patrons, and patrons in an
 * academic level or library group the scenario excludes, get nothing, and are returned apart.
 */
export async function composePatronNotices(
  db: Db,
  input: { libraryId: number; scenario: ScenarioName; drafts: readonly NoticeDraft[]; render: RenderNotice },
): Promise<{ messages: NewMessage[]; notComposed: NotComposed[] }> {
  const patronIds = [...new Set(input.drafts.map((draft) => draft.patronId))]
  if (patronIds.length === 0) return { messages: [], notComposed: [] }
  const library = await db.selectFrom('libraries').select('name').where('id', '=', input.libraryId).executeTakeFirstOrThrow()
  const { rows: patrons } = await sql<{ id: number; username: string; first_name: string; last_name: string; is_enabled: boolean; excluded: boolean }>`
    select p.id, p.username, p.first_name, p.last_name, p.is_enabled,
           exists (select 1 from scenario_excluded_levels e
                    where e.library_id = p.library_id and e.scenario = ${input.scenario} and e.academic_level_id = p.academic_level_id)
        or exists (select 1 from scenario_excluded_groups e join patron_groups g on g.group_id = e.group_id
                    where e.library_id = p.library_id and e.scenario = ${input.scenario} and g.patron_id = p.id) as excluded
      from patrons p
     where p.library_id = ${input.libraryId} and p.id = any(${sql.val(patronIds)}::int[])`.execute(db)
  const byId = new Map(patrons.map((patron) => [patron.id, patron]))
  const reachable = patrons.filter((p) => p.is_enabled && !p.excluded).map((p) => p.id)
  const recipients = await recipientsFor(db, { libraryId: input.libraryId, scenario: input.scenario, patronIds: reachable })

  const messages: NewMessage[] = []
  const notComposed: NotComposed[] = []
  for (const draft of input.drafts) {
    const patron = byId.get(draft.patronId)
    if (!patron?.is_enabled) {
      notComposed.push({ patronId: draft.patronId, reason: 'inactive' })
      continue
    }
    if (patron.excluded) {
      notComposed.push({ patronId: draft.patronId, reason: 'excluded' })
      continue
    }
    const to = recipients.get(patron.id) ?? []
    const fullName = `${patron.first_name} ${patron.last_name}`.trim()
    const context: NoticeContext = {
      ...draft.context,
      library: { name: library.name },
      addressee: greetingFor(to, patron.first_name || fullName || patron.username),
      patron: { first_name: patron.first_name, last_name: patron.last_name, full_name: fullName, username: patron.username },
    }
    const base = {
      libraryId: input.libraryId,
      scenario: input.scenario,
      dedupeKey: draft.dedupeKey,
      patronId: patron.id,
      reservationId: draft.reservationId ?? null,
      asOf: draft.asOf ?? null,
      requestedBy: draft.requestedBy ?? null,
      loanIds: draft.loanIds,
      ledger: draft.ledger,
      secret: draft.secret,
      recipients: to.map((r) => ({ kind: r.kind, address: r.address, contactId: r.contactId, role: r.role })),
    }
    let rendered: ReturnType<RenderNotice>
    try {
      rendered = input.render(input.scenario, context)
    } catch {
      messages.push({ ...base, subject: '', html: '', text: '', status: 'skipped', reason: 'template_error' })
      continue
    }
    messages.push({ ...base, ...rendered, status: to.length > 0 ? 'queued' : 'skipped', reason: to.length > 0 ? null : 'no_contact' })
  }
  return { messages, notComposed }
}
