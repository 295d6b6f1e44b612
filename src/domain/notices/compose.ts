import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { ScenarioName } from '../scenarios/catalogue.ts'
import type { NoticeContext } from '../templates/context.ts'
import type { NewMessage } from './outbox.ts'
import { greetingFor, type Recipient, recipientsFor } from './recipients.ts'

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

/** What composing a scenario's notices needs of its patrons: each one's names, state and recipients. */
export type ComposeFacts = {
  libraryName: string
  patrons: Map<number, { username: string; firstName: string; lastName: string; isEnabled: boolean; isExcluded: boolean; recipients: Recipient[] }>
}

/**
 * Loads, in three queries for any number of patrons, what `composeNotices` needs: each patron's
 * names, whether they are deactivated or in an academic level or library group the scenario
 * excludes, and the recipients the scenario may reach.
 */
export async function loadComposeFacts(db: Db, input: { libraryId: number; scenario: ScenarioName; patronIds: readonly number[] }): Promise<ComposeFacts> {
  const patronIds = [...new Set(input.patronIds)]
  const library = await db.selectFrom('libraries').select('name').where('id', '=', input.libraryId).executeTakeFirstOrThrow()
  if (patronIds.length === 0) return { libraryName: library.name, patrons: new Map() }
  const { rows: patrons } = await sql<{ id: number; username: string; first_name: string; last_name: string; is_enabled: boolean; excluded: boolean }>`
    select p.id, p.username, p.first_name, p.last_name, p.is_enabled,
           exists (select 1 from scenario_excluded_levels e
                    where e.library_id = p.library_id and e.scenario = ${input.scenario} and e.academic_level_id = p.academic_level_id)
        or exists (select 1 from scenario_excluded_groups e join patron_groups g on g.group_id = e.group_id
                    where e.library_id = p.library_id and e.scenario = ${input.scenario} and g.patron_id = p.id) as excluded
      from patrons p
     where p.library_id = ${input.libraryId} and p.id = any(${sql.val(patronIds)}::int[])`.execute(db)
  const reachable = patrons.filter((p) => p.is_enabled && !p.excluded).map((p) => p.id)
  const recipients = await recipientsFor(db, { libraryId: input.libraryId, scenario: input.scenario, patronIds: reachable })
  return {
    libraryName: library.name,
    patrons: new Map(
      patrons.map((p) => [
        p.id,
        {
          username: p.username,
          firstName: p.first_name,
          lastName: p.last_name,
          isEnabled: p.is_enabled,
          isExcluded: p.excluded,
          recipients: recipients.get(p.id) ?? [],
        },
      ]),
    ),
  }
}

/**
 * Turns drafts of one scenario into messages, three queries for any number of patrons: each
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
  if (input.drafts.length === 0) return { messages: [], notComposed: [] }
  const facts = await loadComposeFacts(db, { libraryId: input.libraryId, scenario: input.scenario, patronIds: input.drafts.map((d) => d.patronId) })
  return composeNotices(facts, input)
}

/**
 * `composePatronNotices` on facts loaded before: no query, so the night composes one batch while
 * the database writes the one before.
 */
export function composeNotices(
  facts: ComposeFacts,
  input: { libraryId: number; scenario: ScenarioName; drafts: readonly NoticeDraft[]; render: RenderNotice },
): { messages: NewMessage[]; notComposed: NotComposed[] } {
  const messages: NewMessage[] = []
  const notComposed: NotComposed[] = []
  for (const draft of input.drafts) {
    const patron = facts.patrons.get(draft.patronId)
    if (!patron?.isEnabled) {
      notComposed.push({ patronId: draft.patronId, reason: 'inactive' })
      continue
    }
    if (patron.isExcluded) {
      notComposed.push({ patronId: draft.patronId, reason: 'excluded' })
      continue
    }
    const to = patron.recipients
    const fullName = `${patron.firstName} ${patron.lastName}`.trim()
    const context: NoticeContext = {
      ...draft.context,
      library: { name: facts.libraryName },
      addressee: greetingFor(to, patron.firstName || fullName || patron.username),
      patron: { first_name: patron.firstName, last_name: patron.lastName, full_name: fullName, username: patron.username },
    }
    const base = {
      libraryId: input.libraryId,
      scenario: input.scenario,
      dedupeKey: draft.dedupeKey,
      patronId: draft.patronId,
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
