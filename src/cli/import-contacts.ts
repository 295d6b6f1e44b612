import { type ContactImportMode, type ContactImportSummary, contactImportModes } from '../domain/imports/contacts-plan.ts'
import { err, ok } from '../domain/result.ts'
import { cliActor } from '../domain/staff/actors.ts'
import { defineCommand, parseOptionalId, requireOption } from './command.ts'
import { checkFileOnDisk } from './import-file.ts'
import { formatCounts, runImport } from './import-run.ts'

const words = ['import', 'contacts']

/** `library-comms import contacts FILE`: a contacts CSV from the student system, in one of seed 000's four modes. */
export const importContactsCommand = defineCommand({
  words,
  summary: 'import a contacts CSV file into a library: add, or replace by patron, level or all',
  usage:
    'library-comms import contacts FILE [--library ID] --mode add|replace-patrons|replace-levels|replace-all [--levels "Year 7,Year 8"] [--keep-custom] [--dry-run]',
  optionHelp: [
    'FILE                 the CSV file (columns: docs/csv/contacts.md); read as it streams, any size',
    '--library ID         the library (see library list); may be left out when there is only one',
    '--mode MODE          add               add every contact in the file to its patron',
    '                     replace-patrons   replace the contacts of each patron named in the file',
    "                     replace-levels    replace the contacts of the file's patrons in --levels;",
    "                                       the file's other patrons get theirs added",
    '                     replace-all       replace every contact of the library: patrons not in',
    '                                       the file end with none',
    '--levels "A,B"       replace-levels: the academic levels, separated by commas',
    '--keep-custom        replace modes: keep contacts staff added or edited by hand',
    '--dry-run            check the file and print what would change; change nothing',
    '',
    'The file is checked whole before anything changes, and applied in one transaction. Errors',
    'name the line (the header is line 1) and column; any error imports nothing (exit code 2).',
    'Counts go to stdout; progress to stderr (a bar on a terminal).',
  ],
  options: {
    library: { type: 'string' },
    mode: { type: 'string' },
    levels: { type: 'string' },
    'keep-custom': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  allowPositionals: true,
  parse(args) {
    const command = words.join(' ')
    if (args.positionals.length !== 1) return err({ code: 'bad_arguments', command, detail: 'give one CSV file to import' })
    const libraryId = parseOptionalId(args, 'library')
    if (!libraryId.ok) return libraryId
    const modeGiven = requireOption(args, command, 'mode')
    if (!modeGiven.ok) return modeGiven
    const mode = modeGiven.value as ContactImportMode
    if (!contactImportModes.includes(mode)) {
      return err({ code: 'invalid_option', option: 'mode', value: modeGiven.value, expected: contactImportModes.join(', ') })
    }
    const levels =
      typeof args.values.levels === 'string'
        ? args.values.levels
            .split(',')
            .map((level) => level.trim())
            .filter(Boolean)
        : []
    if (mode === 'replace-levels' && levels.length === 0) return err({ code: 'missing_option', command, option: 'levels' })
    if (mode !== 'replace-levels' && args.values.levels !== undefined) {
      return err({ code: 'bad_arguments', command, detail: '--levels goes with --mode replace-levels' })
    }
    const keepCustom = args.values['keep-custom'] === true
    if (mode === 'add' && keepCustom)
      return err({ code: 'bad_arguments', command, detail: '--keep-custom goes with the replace modes; add keeps every contact' })
    const file = checkFileOnDisk(args.positionals[0])
    if (!file.ok) return file
    return ok({ libraryId: libraryId.value, mode, levels, keepCustom, dryRun: args.values['dry-run'] === true, file: file.value })
  },
  async run(deps, input, terminal) {
    const { mode, levels, keepCustom } = input
    const what = (libraryId: number) =>
      `${input.file.name} into library ${libraryId} (${mode}${mode === 'replace-levels' ? `: ${levels.join(', ')}` : ''}${keepCustom ? ', keeping custom contacts' : ''})`
    return runImport(
      deps,
      terminal,
      input,
      (libraryId, file, onProgress) => ({ kind: 'contacts', libraryId, mode, levels, keepCustom, file, actor: cliActor, onProgress }),
      (libraryId, outcome) => {
        if (outcome.preview.kind !== 'contacts') throw new Error('a contacts import came back as another kind')
        const { summary } = outcome.preview
        if (outcome.dryRun || outcome.applied.kind !== 'contacts') return formatCounts(`dry run of ${what(libraryId)}: nothing changed`, previewCounts(summary))
        const applied = outcome.applied
        return formatCounts(`imported ${what(libraryId)}`, [
          ['rows', summary.rows],
          ['patrons in the file', summary.patronsInFile],
          ['patrons touched', summary.patronsTouched],
          ['contacts added', applied.added],
          ['contacts updated', applied.updated],
          ['contacts deleted', applied.deleted],
          ['contacts unchanged', applied.unchanged],
          ['contacts kept', summary.contactsKept],
          ['duplicates skipped', applied.skipped],
        ])
      },
    )
  },
})

function previewCounts(summary: ContactImportSummary): [string, number][] {
  return [
    ['rows', summary.rows],
    ['patrons in the file', summary.patronsInFile],
    ['patrons touched', summary.patronsTouched],
    ['contacts to add', summary.contactsToAdd],
    ['contacts to update', summary.contactsToUpdate],
    ['contacts to delete', summary.contactsToDelete],
    ['contacts unchanged', summary.contactsUnchanged],
    ['contacts kept', summary.contactsKept],
    ['duplicates skipped', summary.duplicatesSkipped],
  ]
}
