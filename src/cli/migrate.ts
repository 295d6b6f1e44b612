import { migrateToLatest } from '../db/migrate.ts'
import { ok } from '../domain/result.ts'
import { defineCommand } from './command.ts'

/** `library-comms migrate`: applies pending migrations (the service also does this at start). */
export const migrateCommand = defineCommand({
  words: ['migrate'],
  summary: 'apply pending database migrations',
  usage: 'library-comms migrate',
  optionHelp: [],
  options: {},
  createsDatabase: true,
  parse: () => ok({}),
  async run(deps) {
    const applied = await migrateToLatest(deps.db)
    if (applied.length === 0) return ok('the database is up to date\n')
    return ok(applied.map((name) => `applied ${name}\n`).join(''))
  },
})
