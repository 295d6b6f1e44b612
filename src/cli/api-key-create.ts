import { createApiKey } from '../domain/api-keys/api-keys.ts'
import { ok } from '../domain/result.ts'
import { defineCommand, parseId, requireOption } from './command.ts'

const words = ['api-key', 'create']

/** `library-comms api-key create`: prints the new key alone on stdout; only its hash is stored. */
export const apiKeyCreateCommand = defineCommand({
  words,
  summary: 'create an API key for a library; prints the key once',
  usage: 'library-comms api-key create --library ID --name NAME',
  optionHelp: [
    '--library ID   the library the key acts for (see library list)',
    '--name NAME    what the key is for, e.g. "Destiny nightly sync"',
    '',
    'The key is printed once, alone on stdout, and stored only as a hash: keep it in the',
    'library system\'s secret store. Lost keys cannot be shown again; revoke and create another.',
  ],
  options: { library: { type: 'string' }, name: { type: 'string' } },
  parse(args) {
    const library = requireOption(args, words.join(' '), 'library')
    if (!library.ok) return library
    const libraryId = parseId('library', library.value)
    if (!libraryId.ok) return libraryId
    const name = requireOption(args, words.join(' '), 'name')
    if (!name.ok) return name
    return ok({ libraryId: libraryId.value, name: name.value })
  },
  async run(deps, input) {
    const created = await createApiKey(deps, { ...input, actor: 'cli' })
    return created.ok ? ok(`${created.value.key}\n`) : created
  },
})
