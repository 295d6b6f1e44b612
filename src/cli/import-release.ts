import { releaseImport } from '../domain/imports/release-import.ts'
import { chooseLibrary } from '../domain/libraries/choose-library.ts'
import { ok } from '../domain/result.ts'
import { actorLabel, cliActor } from '../domain/staff/actors.ts'
import { defineCommand, parseOptionalId } from './command.ts'

const words = ['import', 'release']

/** `library-comms import release`: frees a library whose import was left running by a process that is gone. */
export const importReleaseCommand = defineCommand({
  words,
  summary: 'release a library from an import left running by a process that is gone',
  usage: 'library-comms import release [--library ID] [--force]',
  optionHelp: [
    '--library ID  the library (see library list); may be left out when there is only one',
    '--force       also release a file still being read by a live process (its import then fails)',
    '',
    'An import killed while it applied changed nothing (its transaction rolls back) and is released',
    'at once, here or by the next import. An apply that is still running is never released.',
  ],
  options: { library: { type: 'string' }, force: { type: 'boolean' } },
  parse(args) {
    const libraryId = parseOptionalId(args, 'library')
    if (!libraryId.ok) return libraryId
    return ok({ libraryId: libraryId.value, force: args.values.force === true })
  },
  async run(deps, input) {
    const library = await chooseLibrary(deps, { libraryId: input.libraryId })
    if (!library.ok) return library
    const released = await releaseImport(deps, { libraryId: library.value.id, actor: cliActor, force: input.force })
    if (!released.ok) return released
    const { batchId, fileName, requestedBy } = released.value
    return ok(
      `released import #${batchId} (${fileName}, asked by ${actorLabel(requestedBy)}), left reading; nothing it held was changed. Imports can run again.\n`,
    )
  },
})
