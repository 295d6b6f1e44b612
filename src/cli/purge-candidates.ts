import { chooseLibrary } from '../domain/libraries/choose-library.ts'
import { listPurgeCandidates } from '../domain/purge/list-purge-candidates.ts'
import { type PurgePageSize, purgePageSizes } from '../domain/purge/purge-view.ts'
import { err, ok } from '../domain/result.ts'
import { cliActor } from '../domain/staff/actors.ts'
import { defineCommand, parseOptionalId } from './command.ts'
import { counted } from './purge-words.ts'
import { formatTable } from './table.ts'

const words = ['purge', 'candidates']

/** `library-comms purge candidates`: the deactivated patrons that may be purged, a page at a time. */
export const purgeCandidatesCommand = defineCommand({
  words,
  summary: 'list the deactivated patrons that may be purged',
  usage: 'library-comms purge candidates [--library ID] [--page N] [--page-size 20|50|100|200] [--level NAME] [--group NAME]',
  optionHelp: [
    '--library ID    the library (see library list); may be left out when there is only one',
    '--page N        the page, from 1 (default 1)',
    '--page-size N   patrons per page: 20 (default), 50, 100 or 200',
    '--level NAME    only patrons of this academic level',
    '--group NAME    only patrons of this library group',
  ],
  options: { library: { type: 'string' }, page: { type: 'string' }, 'page-size': { type: 'string' }, level: { type: 'string' }, group: { type: 'string' } },
  parse(args) {
    const libraryId = parseOptionalId(args, 'library')
    if (!libraryId.ok) return libraryId
    const page = parseOptionalId(args, 'page')
    if (!page.ok) return page
    const size = args.values['page-size']
    const pageSize = size === undefined ? 20 : Number(size)
    if (!(purgePageSizes as readonly number[]).includes(pageSize) || (typeof size === 'string' && !/^[0-9]+$/.test(size))) {
      return err({ code: 'invalid_option', option: 'page-size', value: String(size), expected: purgePageSizes.join(', ') })
    }
    const text = (name: string) =>
      typeof args.values[name] === 'string' && (args.values[name] as string).trim() !== '' ? (args.values[name] as string).trim() : undefined
    return ok({ libraryId: libraryId.value, page: page.value ?? 1, pageSize: pageSize as PurgePageSize, level: text('level'), group: text('group') })
  },
  async run(deps, input) {
    const library = await chooseLibrary(deps, { libraryId: input.libraryId })
    if (!library.ok) return library
    const found = await listPurgeCandidates(deps, {
      libraryId: library.value.id,
      actor: cliActor,
      page: input.page,
      pageSize: input.pageSize,
      filter: { academicLevel: input.level, group: input.group },
    })
    if (!found.ok) return err({ code: 'purge_refused', error: found.error })
    const { candidates, page, pages, total } = found.value
    if (total === 0) return ok('no deactivated patrons: nobody to purge\n')
    const table = formatTable(
      ['USERNAME', 'NAME', 'LEVEL', 'GROUPS', 'ON LOAN', 'CONTACTS'],
      candidates.map((c) => [
        c.username,
        `${c.firstName} ${c.lastName}`.trim(),
        c.academicLevel ?? '-',
        c.groups.join(', ') || '-',
        String(c.openLoans),
        String(c.contacts),
      ]),
    )
    return ok(`${table}page ${page} of ${pages}: ${counted(total, 'deactivated patron')}\n`)
  },
})
