import { listApiKeys } from '../domain/api-keys/list-api-keys.ts'
import { ok, type Result } from '../domain/result.ts'
import { type CliError, defineCommand, parseId } from './command.ts'
import { formatInstant, formatTable } from './table.ts'

/** `library-comms api-key list`: the keys (never the keys themselves: only their first characters). */
export const apiKeyListCommand = defineCommand({
  words: ['api-key', 'list'],
  summary: 'list API keys, with their roles and when each was last used',
  usage: 'library-comms api-key list [--library ID]',
  optionHelp: ["--library ID   only this library's keys"],
  options: { library: { type: 'string' } },
  parse(args): Result<{ libraryId: number | undefined }, CliError> {
    const library = args.values.library
    if (typeof library !== 'string') return ok({ libraryId: undefined })
    const libraryId = parseId('library', library.trim())
    return libraryId.ok ? ok({ libraryId: libraryId.value }) : libraryId
  },
  async run(deps, input) {
    const listed = await listApiKeys(deps, input)
    if (!listed.ok) return listed
    const keys = listed.value
    if (keys.length === 0) return ok('no API keys yet: create one with library-comms api-key create\n')
    return ok(
      formatTable(
        ['id', 'library', 'name', 'role', 'starts with', 'created', 'last used', 'revoked'],
        keys.map((key) => [
          String(key.id),
          String(key.libraryId),
          key.name,
          key.role,
          `${key.prefix}…`,
          formatInstant(key.createdAt),
          formatInstant(key.lastUsedAt),
          formatInstant(key.revokedAt),
        ]),
      ),
    )
  },
})
