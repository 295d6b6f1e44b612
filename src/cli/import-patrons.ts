import { err, ok } from '../domain/result.ts'
import { cliActor } from '../domain/staff/actors.ts'
import { defineCommand, parseOptionalId } from './command.ts'
import { checkFileOnDisk } from './import-file.ts'
import { formatCounts, runImport } from './import-run.ts'

const words = ['import', 'patrons']

/** `library-comms import patrons FILE`: creates and updates patrons, as the library system's Users import does. */
export const importPatronsCommand = defineCommand({
  words,
  summary: 'import a patrons CSV file into a library (create, update, deactivate)',
  usage: 'library-comms import patrons FILE [--library ID] [--dry-run]',
  optionHelp: [
    'FILE          the CSV file (columns: docs/csv/patrons.md); read as it streams, any size',
    '--library ID  the library (see library list); may be left out when there is only one',
    '--dry-run     check the file and print what would change; change nothing',
    '',
    'Patrons are matched by username. A column left out of the file keeps what is stored, so a',
    'file of just username,enabled with FALSE deactivates those patrons in bulk.',
    'Errors name the line (the header is line 1) and column; any error imports nothing (exit code 2).',
  ],
  options: { library: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  allowPositionals: true,
  parse(args) {
    const command = words.join(' ')
    if (args.positionals.length !== 1) return err({ code: 'bad_arguments', command, detail: 'give one CSV file to import' })
    const libraryId = parseOptionalId(args, 'library')
    if (!libraryId.ok) return libraryId
    const file = checkFileOnDisk(args.positionals[0])
    if (!file.ok) return file
    return ok({ libraryId: libraryId.value, dryRun: args.values['dry-run'] === true, file: file.value })
  },
  async run(deps, input, terminal) {
    const what = (libraryId: number) => `${input.file.name} into library ${libraryId}`
    return runImport(
      deps,
      terminal,
      input,
      (libraryId, file, onProgress) => ({ kind: 'patrons', libraryId, file, actor: cliActor, onProgress }),
      (libraryId, outcome) => {
        if (outcome.preview.kind !== 'patrons') throw new Error('a patrons import came back as another kind')
        const { summary } = outcome.preview
        if (outcome.dryRun || outcome.applied.kind !== 'patrons') {
          return formatCounts(`dry run of ${what(libraryId)}: nothing changed`, [
            ['rows', summary.rows],
            ['patrons to create', summary.toCreate],
            ['patrons to update', summary.toUpdate],
            ['patrons unchanged', summary.unchanged],
            ['patrons to deactivate', summary.toDeactivate],
            ['patrons to reactivate', summary.toReactivate],
          ])
        }
        const applied = outcome.applied
        return formatCounts(`imported ${what(libraryId)}`, [
          ['rows', summary.rows],
          ['patrons created', applied.created],
          ['patrons updated', applied.updated],
          ['patrons unchanged', applied.unchanged],
          ['patrons deactivated', applied.summary.toDeactivate],
          ['patrons reactivated', applied.summary.toReactivate],
        ])
      },
    )
  },
})
