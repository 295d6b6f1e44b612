import { revokeApiKey } from '../domain/api-keys/revoke-api-key.ts'
import { err, ok } from '../domain/result.ts'
import { cliActor } from '../domain/staff/actors.ts'
import { defineCommand, parseId } from './command.ts'

const words = ['api-key', 'revoke']

/** `library-comms api-key revoke ID`: requests bearing the key are refused from then on. */
export const apiKeyRevokeCommand = defineCommand({
  words,
  summary: 'revoke an API key at once',
  usage: 'library-comms api-key revoke ID   (or --id ID)',
  optionHelp: ["ID, --id ID   the key's id (see api-key list)"],
  options: { id: { type: 'string' } },
  allowPositionals: true,
  parse(args) {
    const given = [...args.positionals, ...(typeof args.values.id === 'string' ? [args.values.id] : [])]
    if (given.length === 0) return err({ code: 'missing_option', command: words.join(' '), option: 'id' })
    if (given.length > 1) return err({ code: 'bad_arguments', command: words.join(' '), detail: 'give one key id' })
    const id = parseId('id', given[0].trim())
    return id.ok ? ok({ id: id.value }) : id
  },
  async run(deps, input) {
    const revoked = await revokeApiKey(deps, { id: input.id, actor: cliActor })
    if (!revoked.ok) return revoked
    return ok(`revoked API key ${revoked.value.id} "${revoked.value.name}" of library ${revoked.value.libraryId}\n`)
  },
})
