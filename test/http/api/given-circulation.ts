import { sql } from 'kysely'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import type { AppDeps } from '../../../src/domain/deps.ts'
import type { NoticeRenderer } from '../../../src/domain/templates/render.ts'
import { fixedClock, testDeps } from '../../support/builders.ts'
import { plainRenderer } from '../../support/notice-renderer.ts'
import { givenApiLibrary } from './given-api.ts'

/**
 * A library of its own with an API key, fed through the API as its library system, at
 * 2026-03-10 20:00 in Sydney (09:00 UTC). `deps` may replace the clock or the logger.
 */
export async function givenFeed(handle: DatabaseHandle, overrides: Partial<AppDeps> & { noticeRenderer?: NoticeRenderer } = {}) {
  const clock = fixedClock()
  const deps = testDeps(handle, { clock, ...overrides })
  const served = { ...deps, noticeRenderer: overrides.noticeRenderer ?? plainRenderer }
  const lib = await givenApiLibrary(deps, served)

  /** Every message of the library, oldest first, as the email log would show it. */
  async function messages() {
    const { rows } = await sql<{
      scenario: string
      status: string
      reason: string | null
      subject: string
      text: string
      html: string
      to: string[]
      loans: string[]
      nextAttemptAt: Date
      requestedBy: string | null
    }>`
      select m.scenario, m.status, m.reason, m.subject, m.text, m.html, m.next_attempt_at as "nextAttemptAt", m.requested_by as "requestedBy",
             coalesce((select array_agg(r.kind || ' ' || r.address order by r.position) from message_recipients r where r.message_id = m.id), '{}') as "to",
             coalesce((select array_agg(l.external_id order by l.external_id) from message_loans ml join loans l on l.id = ml.loan_id where ml.message_id = m.id), '{}') as loans
        from messages m
       where m.library_id = ${lib.id}
       order by m.id`.execute(handle.db)
    return rows
  }

  /** Switches a scenario on or off for the library. */
  async function switchScenario(scenario: string, enabled: boolean) {
    await handle.db
      .insertInto('scenario_settings')
      .values({ library_id: lib.id, scenario, enabled, updated_by: 'test' })
      .onConflict((oc) => oc.columns(['library_id', 'scenario']).doUpdateSet({ enabled }))
      .execute()
  }

  return { ...lib, clock, deps, messages, switchScenario }
}

export type GivenFeed = Awaited<ReturnType<typeof givenFeed>>

/** A checkout as the library system sends it, at 19:55 in Sydney on 10 March 2026. */
export const checkout = (id: string, username: string, fields: { item?: string; title?: string; dueDate?: string; checkedOutAt?: string } = {}) => ({
  id,
  username,
  item: { id: fields.item ?? `item-${id}`, title: fields.title ?? `Book ${id}`, author: 'A. Author', barcode: `B-${id}` },
  checkedOutAt: fields.checkedOutAt ?? '2026-03-10T08:55:00Z',
  dueDate: fields.dueDate ?? '2026-03-24',
})
