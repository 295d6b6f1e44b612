import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { CliTerminal } from '../../src/cli/command.ts'
import { importContactsCommand } from '../../src/cli/import-contacts.ts'
import { checkFileOnDisk } from '../../src/cli/import-file.ts'
import type { DatabaseHandle } from '../../src/db/database.ts'
import { givenLibrary, testDeps } from '../support/builders.ts'
import { openTestDatabase } from '../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

/** What the admin sees on stderr: the frames of the bar on a terminal, or the lines of a log. */
function givenStderr(isTerminal: boolean) {
  let written = ''
  const terminal: CliTerminal = {
    stderr: (text) => {
      written += text
    },
    isTerminal,
    columns: 80,
  }
  return { terminal, frames: () => written.split('\r\x1b[K').filter((frame) => frame !== ''), lines: () => written.split('\n').filter(Boolean) }
}

/** A contacts file of one row, for a pupil of a library of its own. */
async function givenOneRowImport() {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  await lib.patron({ username: 'ana' })
  const path = `${await mkdtemp(`${tmpdir()}/lc-progress-`)}/contacts.csv`
  await writeFile(path, 'username,role,address\nana,guardian,mum@example.org\n')
  const file = checkFileOnDisk(path)
  if (!file.ok) throw new Error(file.error.code)
  return { deps, input: { libraryId: lib.id, mode: 'add', levels: [], keepCustom: false, dryRun: false, file: file.value } }
}

test('on a terminal the bar starts at 0% with no row count, and one row is "1 row"', async () => {
  const { deps, input } = await givenOneRowImport()
  const stderr = givenStderr(true)

  const imported = await importContactsCommand.run(deps, input, stderr.terminal)

  expect(imported.ok).toBe(true)
  const frames = stderr.frames()
  expect(frames[0]).toMatch(/^reading {2}\[░+\] {3}0%$/)
  expect(frames).toContain('checking 1 row against the database…')
  expect(frames.join('\n')).not.toMatch(/100%|\b0 rows|\b1 rows/)
})

test('in a log, one row is "1 row" too', async () => {
  const { deps, input } = await givenOneRowImport()
  const stderr = givenStderr(false)

  await importContactsCommand.run(deps, input, stderr.terminal)

  expect(stderr.lines()).toContain('read 1 row; checking it against the database')
  expect(stderr.lines().join('\n')).not.toMatch(/\b1 rows/)
})
