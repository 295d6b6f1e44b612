import { createApiKey } from '../domain/api-keys/create-api-key.ts'
import { apiKeyRoles } from '../domain/api-keys/errors.ts'
import { err, ok } from '../domain/result.ts'
import { cliActor } from '../domain/staff/actors.ts'
import { defineCommand, parseId, requireOptions } from './command.ts'

const words = ['api-key', 'create']

/** `library-comms api-key create`: prints the new key alone on stdout; only its hash is stored. */
export const apiKeyCreateCommand = defineCommand({
  words,
  summary: 'create an API key for a library; prints the key once',
  usage: 'library-comms api-key create --library ID --name NAME [--role staff|admin]',
  optionHelp: [
    '--library ID   the library the key acts for (see library list)',
    '--name NAME    what the key is for, e.g. "Destiny nightly sync"',
    '--role ROLE    staff (the default): patrons, contacts and adding imports; admin: also replace',
    "               imports and bulk deactivation, as a student system's nightly sync needs",
    '',
    'The key is printed once, alone on stdout, and stored only as a hash: keep it in the',
    "library system's secret store. Lost keys cannot be shown again; revoke and create another.",
  ],
  options: { library: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } },
  parse(args) {
    const given = requireOptions(args, words.join(' '), ['library', 'name'])
    if (!given.ok) return given
    const libraryId = parseId('library', given.value.library)
    if (!libraryId.ok) return libraryId
    const role = args.values.role ?? 'staff'
    if (typeof role !== 'string' || !(apiKeyRoles as readonly string[]).includes(role)) {
      return err({ code: 'invalid_option', option: 'role', value: String(role), expected: 'staff or admin' })
    }
    return ok({ libraryId: libraryId.value, name: given.value.name, role })
  },
  async run(deps, input) {
    const created = await createApiKey(deps, { ...input, actor: cliActor })
    return created.ok ? ok(`${created.value.key}\n`) : created
  },
})
