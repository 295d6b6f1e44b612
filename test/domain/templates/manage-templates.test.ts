import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import type { AppDeps } from '../../../src/domain/deps.ts'
import { defaultTemplates } from '../../../src/domain/templates/defaults.ts'
import { getTemplate } from '../../../src/domain/templates/get-template.ts'
import { listTemplates } from '../../../src/domain/templates/list-templates.ts'
import { loadTemplates, type TemplateSource } from '../../../src/domain/templates/render.ts'
import { resetTemplate } from '../../../src/domain/templates/reset-template.ts'
import { saveTemplate } from '../../../src/domain/templates/save-template.ts'
import { type GivenLibrary, givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'

let handle: DatabaseHandle
let deps: AppDeps
beforeAll(async () => {
  handle = await openTestDatabase()
  deps = testDeps(handle)
})
afterAll(async () => handle.close())

const admin = staffActor('admin', 'slack:UADMIN')
const mine: TemplateSource = {
  subject: 'Books overdue for {{ patron.first_name }}',
  html: '<p>Hi {{ addressee }}</p>{% for loan in loans %}<p>{{ loan.title }}</p>{% endfor %}',
  text: 'Hi {{ addressee }}\n{% for loan in loans %}- {{ loan.title }}\n{% endfor %}',
}

async function storedTemplates(lib: GivenLibrary) {
  return handle.db.selectFrom('templates').where('library_id', '=', lib.id).select(['scenario', 'subject', 'updated_by']).execute()
}

describe('saving a template', () => {
  test('an admin saves the library’s own template: it is shown as custom, used by the notices, and audited', async () => {
    const lib = await givenLibrary(deps)

    const saved = await saveTemplate(deps, { libraryId: lib.id, scenario: 'circulation.overdue', source: mine, actor: admin })

    expect(saved).toMatchObject({
      ok: true,
      value: { scenario: 'circulation.overdue', title: 'Overdue notice', custom: true, ...mine, updatedBy: 'slack:UADMIN' },
    })
    const shown = await getTemplate(deps, { libraryId: lib.id, scenario: 'circulation.overdue', actor: admin })
    expect(shown).toMatchObject({ ok: true, value: { custom: true, subject: mine.subject } })
    const sent = await loadTemplates(handle.db, lib.id)
    expect(sent['circulation.overdue']).toEqual(mine)
    expect(sent['circulation.recall']).toEqual(defaultTemplates['circulation.recall'])
    expect(await lib.auditActions()).toEqual([{ action: 'template.saved', actor: 'slack:UADMIN', before: null, after: mine, details: null }])
  })

  test('saving again replaces it, and the audit keeps what it was', async () => {
    const lib = await givenLibrary(deps)
    await saveTemplate(deps, { libraryId: lib.id, scenario: 'circulation.overdue', source: mine, actor: admin })
    const second = { ...mine, subject: 'Overdue: {{ loans.size }} books' }

    await saveTemplate(deps, { libraryId: lib.id, scenario: 'circulation.overdue', source: second, actor: admin })

    expect(await storedTemplates(lib)).toEqual([{ scenario: 'circulation.overdue', subject: second.subject, updated_by: 'slack:UADMIN' }])
    expect((await lib.auditActions())[1]).toMatchObject({ action: 'template.saved', before: mine, after: second })
  })

  test('a syntax error or an unknown placeholder saves nothing, and names the part, line and column', async () => {
    const lib = await givenLibrary(deps)

    const saved = await saveTemplate(deps, {
      libraryId: lib.id,
      scenario: 'circulation.overdue',
      source: { ...mine, subject: 'Hi {{ patron.nickname }}', text: 'Hi\n{% for loan in loans %}' },
      actor: admin,
    })

    expect(saved).toEqual({
      ok: false,
      error: {
        code: 'invalid_template',
        scenario: 'circulation.overdue',
        faults: [
          { part: 'subject', line: 1, column: 7, message: '“patron.nickname” is not a placeholder of this notice' },
          { part: 'text', line: 2, column: 1, message: '{% for loan in loans %} is not closed: end it with {% endfor %}' },
        ],
      },
    })
    expect(await storedTemplates(lib)).toEqual([])
    expect(await lib.auditActions()).toEqual([])
  })

  test('staff and viewers may not save, and an unknown scenario is said to be unknown', async () => {
    const lib = await givenLibrary(deps)
    for (const role of ['staff', 'viewer', null] as const) {
      const refused = await saveTemplate(deps, { libraryId: lib.id, scenario: 'circulation.overdue', source: mine, actor: staffActor(role) })
      expect(refused).toEqual({ ok: false, error: { code: 'not_allowed', permission: 'editTemplates', needed: 'admin', role } })
    }
    expect(await saveTemplate(deps, { libraryId: lib.id, scenario: 'circulation.nagging', source: mine, actor: admin })).toEqual({
      ok: false,
      error: { code: 'unknown_scenario', scenario: 'circulation.nagging' },
    })
    expect(await storedTemplates(lib)).toEqual([])
  })
})

describe('listing, reading and resetting', () => {
  test('every scenario is listed in catalogue order, the library’s own or the default', async () => {
    const lib = await givenLibrary(deps)
    await saveTemplate(deps, { libraryId: lib.id, scenario: 'circulation.overdue', source: mine, actor: admin })

    const listed = await listTemplates(deps, { libraryId: lib.id, actor: admin })

    if (!listed.ok) throw new Error(listed.error.code)
    expect(listed.value).toHaveLength(14)
    expect(listed.value.map((t) => [t.scenario, t.custom])).toContainEqual(['circulation.overdue', true])
    expect(listed.value.filter((t) => t.custom)).toHaveLength(1)
    expect(listed.value[0]).toMatchObject({
      scenario: 'circulation.pre_overdue',
      custom: false,
      updatedBy: null,
      ...defaultTemplates['circulation.pre_overdue'],
    })
    expect(await listTemplates(deps, { libraryId: lib.id, actor: staffActor('staff') })).toMatchObject({ ok: false, error: { code: 'not_allowed' } })
  })

  test('another library’s template is not this library’s', async () => {
    const lib = await givenLibrary(deps)
    const other = await givenLibrary(deps)
    await saveTemplate(deps, { libraryId: other.id, scenario: 'circulation.overdue', source: mine, actor: admin })

    expect(await getTemplate(deps, { libraryId: lib.id, scenario: 'circulation.overdue', actor: admin })).toMatchObject({ ok: true, value: { custom: false } })
    expect((await loadTemplates(handle.db, lib.id))['circulation.overdue']).toEqual(defaultTemplates['circulation.overdue'])
  })

  test('reset goes back to the default, audited with what the template was; a second reset changes nothing', async () => {
    const lib = await givenLibrary(deps)
    await saveTemplate(deps, { libraryId: lib.id, scenario: 'circulation.overdue', source: mine, actor: admin })

    const reset = await resetTemplate(deps, { libraryId: lib.id, scenario: 'circulation.overdue', actor: admin })
    const again = await resetTemplate(deps, { libraryId: lib.id, scenario: 'circulation.overdue', actor: admin })

    expect(reset).toMatchObject({ ok: true, value: { custom: false, ...defaultTemplates['circulation.overdue'] } })
    expect(again).toEqual(reset)
    expect(await storedTemplates(lib)).toEqual([])
    expect((await lib.auditActions()).map((entry) => [entry.action, entry.before, entry.after])).toEqual([
      ['template.saved', null, mine],
      ['template.reset', mine, null],
    ])
    expect(await resetTemplate(deps, { libraryId: lib.id, scenario: 'circulation.overdue', actor: staffActor('staff') })).toMatchObject({
      ok: false,
      error: { code: 'not_allowed' },
    })
  })
})
