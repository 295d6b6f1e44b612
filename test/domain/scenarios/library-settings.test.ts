import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { getLibrarySettings } from '../../../src/domain/scenarios/get-library-settings.ts'
import { type LibrarySettingsChanges, updateLibrarySettings } from '../../../src/domain/scenarios/update-library-settings.ts'
import { givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const admin = staffActor('admin', 'slack:UADMIN')

describe("the library's notice settings", () => {
  test("a new library runs at 02:00 in its time zone, mail in To, from its own name, with no reply-to and no report channel, and keeps purged patrons' loans; a viewer may look", async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps, { timeZone: 'Europe/London' })

    const settings = await getLibrarySettings(deps, { libraryId: lib.id, actor: staffActor('viewer') })

    expect(settings).toEqual({
      ok: true,
      value: {
        timeZone: 'Europe/London',
        runAt: '02:00',
        bccDefault: false,
        senderName: '',
        replyTo: null,
        slackChannel: null,
        retainDeletedPatronLoans: true,
      },
    })
  })

  test('an admin changes them all at once, and the audit log keeps before and after', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const changes = {
      timeZone: 'Pacific/Auckland',
      runAt: '23:30',
      bccDefault: true,
      senderName: ' Riverside Library ',
      replyTo: 'library@riverside.example',
      slackChannel: 'C0123ABCD',
      retainDeletedPatronLoans: false,
    }

    const updated = await updateLibrarySettings(deps, { libraryId: lib.id, changes, actor: admin })

    const expected = { ...changes, senderName: 'Riverside Library' }
    expect(updated).toEqual({ ok: true, value: expected })
    expect(await getLibrarySettings(deps, { libraryId: lib.id, actor: admin })).toEqual({ ok: true, value: expected })
    expect(await lib.auditActions()).toEqual([
      {
        action: 'library.settings_updated',
        actor: 'slack:UADMIN',
        before: {
          timeZone: 'Australia/Sydney',
          runAt: '02:00',
          bccDefault: false,
          senderName: '',
          replyTo: null,
          slackChannel: null,
          retainDeletedPatronLoans: true,
        },
        after: expected,
        details: null,
      },
    ])
  })

  test('a change names only what it changes; null takes the reply-to address and the report channel away', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    await updateLibrarySettings(deps, { libraryId: lib.id, changes: { replyTo: 'desk@school.example', slackChannel: 'C0REPORTS' }, actor: admin })

    const cleared = await updateLibrarySettings(deps, { libraryId: lib.id, changes: { replyTo: null, slackChannel: null, runAt: '00:05' }, actor: admin })

    expect(cleared.ok && cleared.value).toEqual({
      timeZone: 'Australia/Sydney',
      runAt: '00:05',
      bccDefault: false,
      senderName: '',
      replyTo: null,
      slackChannel: null,
      retainDeletedPatronLoans: true,
    })
  })

  test.each<[string, LibrarySettingsChanges, string, string]>([
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }, 'timeZone', '"Mars/Olympus" is not a time zone'],
    ['an abbreviation that is not a zone', { timeZone: 'EST' }, 'timeZone', '"EST" is not a time zone'],
    ['an hour past 23', { runAt: '24:00' }, 'runAt', '"24:00" is not a time'],
    ['a time without its leading zero', { runAt: '2:00' }, 'runAt', '"2:00" is not a time'],
    ['a time with seconds', { runAt: '02:00:00' }, 'runAt', '"02:00:00" is not a time'],
    ['a sender name on two lines', { senderName: 'Library\nBcc: everyone@example.org' }, 'senderName', 'The sender name must be on one line'],
    ['a sender name of 101 characters', { senderName: 'x'.repeat(101) }, 'senderName', 'The sender name is longer than 100 characters'],
    ['a sender name with a NUL character', { senderName: 'Lib\u0000rary' }, 'senderName', 'The sender name contains a NUL character'],
    ['a reply-to that is not an email address', { replyTo: 'library desk' }, 'replyTo', '"library desk" is not an email address'],
    ['a channel by its name', { slackChannel: '#library' }, 'slackChannel', '"#library" is not a Slack channel id'],
    ['a channel id in lower case', { slackChannel: 'c0123abcd' }, 'slackChannel', '"c0123abcd" is not a Slack channel id'],
  ])('%s is refused on its field, and nothing changes', async (_, changes, field, message) => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)

    const refused = await updateLibrarySettings(deps, { libraryId: lib.id, changes: { bccDefault: true, ...changes }, actor: admin })

    expect(refused).toEqual({
      ok: false,
      error: { code: 'invalid_library_settings', problems: [{ field, message: expect.stringContaining(message) }] },
    })
    const unchanged = await getLibrarySettings(deps, { libraryId: lib.id, actor: admin })
    expect(unchanged.ok && unchanged.value.bccDefault).toBe(false)
    expect(await lib.auditActions()).toEqual([])
  })

  test('a sender name of 100 characters and a run at 00:00 are fine', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const updated = await updateLibrarySettings(deps, { libraryId: lib.id, changes: { senderName: 'x'.repeat(100), runAt: '00:00' }, actor: admin })
    expect(updated.ok).toBe(true)
  })

  test('staff may look but not change them; someone off the staff may not look', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)

    const changed = await updateLibrarySettings(deps, { libraryId: lib.id, changes: { bccDefault: true }, actor: staffActor('staff') })
    const looked = await getLibrarySettings(deps, { libraryId: lib.id, actor: staffActor(null) })

    expect(changed).toEqual({ ok: false, error: { code: 'not_allowed', permission: 'changeNoticeSettings', needed: 'admin', role: 'staff' } })
    expect(looked).toEqual({ ok: false, error: { code: 'not_allowed', permission: 'lookUpContacts', needed: 'viewer', role: null } })
    expect(await lib.auditActions()).toEqual([])
  })
})
