import { listLibraries } from '../domain/libraries/list-libraries.ts'
import { ok } from '../domain/result.ts'
import { defineCommand } from './command.ts'
import { formatTable } from './table.ts'

/** `library-comms library list`: every library of this deployment. */
export const libraryListCommand = defineCommand({
  words: ['library', 'list'],
  summary: 'list the libraries and their Slack workspaces',
  usage: 'library-comms library list',
  optionHelp: [],
  options: {},
  parse: () => ok({}),
  async run(deps) {
    const libraries = await listLibraries(deps)
    if (libraries.length === 0) return ok('no libraries yet: add one with library-comms library add\n')
    return ok(
      formatTable(
        ['id', 'name', 'slack team', 'time zone'],
        libraries.map((library) => [String(library.id), library.name, library.slackTeamId ?? '-', library.timeZone]),
      ),
    )
  },
})
