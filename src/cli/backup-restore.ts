import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { rename, stat, unlink } from 'node:fs/promises'
import path from 'node:path'
import { migrateTo, migrateToLatest, migrationNames } from '../db/migrate.ts'
import { backupDatabase } from '../domain/backups/backup-database.ts'
import { restoreDatabase } from '../domain/backups/restore-database.ts'
import { err, ok } from '../domain/result.ts'
import { defineCommand } from './command.ts'
import { checkFileOnDisk } from './import-file.ts'

/** `library-comms backup FILE`: the whole database, as one consistent snapshot, while the service runs. */
export const backupCommand = defineCommand({
  words: ['backup'],
  summary: 'write a backup of the whole database to a file (gzip JSON lines)',
  usage: 'library-comms backup FILE',
  optionHelp: [
    'FILE  where to write it, e.g. /var/backups/library-comms-2026-11-30.jsonl.gz; an existing file is left alone',
    '',
    'Safe while the service runs: it reads one snapshot and writes nothing to the database. The',
    'file holds personal data (names, addresses): it is readable by its owner alone; keep it so.',
    'Restore it with library-comms restore FILE (docs/operations.md).',
  ],
  options: {},
  allowPositionals: true,
  parse(args) {
    if (args.positionals.length !== 1) return err({ code: 'bad_arguments', command: 'backup', detail: 'name one file to write the backup to' })
    const file = args.positionals[0]
    if (existsSync(file)) return err({ code: 'file_exists', path: file })
    return ok({ file })
  },
  async run(deps, input, terminal) {
    // Written beside the file and renamed once whole: FILE is a complete backup or is not there.
    const partial = path.join(path.dirname(input.file), `.${path.basename(input.file)}.${process.pid}.partial`)
    const output = createWriteStream(partial, { flags: 'wx', mode: 0o600 })
    try {
      const summary = await backupDatabase(deps.db, {
        output,
        now: deps.clock.now(),
        onTable: (table, rows) => terminal.stderr(`${table}: ${rows.toLocaleString('en')} ${rows === 1 ? 'row' : 'rows'}\n`),
      })
      await rename(partial, input.file)
      const rows = summary.tables.reduce((sum, table) => sum + table.rows, 0)
      const size = (await stat(input.file)).size
      return ok(
        `backed up ${rows.toLocaleString('en')} ${rows === 1 ? 'row' : 'rows'} of ${summary.tables.length} tables to ${input.file} (${megabytes(size)})\n`,
      )
    } catch (error) {
      await unlink(partial).catch(() => {})
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOSPC') return err({ code: 'file_not_writable', path: input.file, reason: 'the disk is full' })
      if (code === 'EACCES' || code === 'ENOENT' || code === 'EROFS') {
        return err({ code: 'file_not_writable', path: input.file, reason: code === 'ENOENT' ? 'its directory does not exist' : 'permission denied' })
      }
      throw error
    }
  },
})

/** `library-comms restore FILE`: fills an empty database from a backup, all of it or nothing. */
export const restoreCommand = defineCommand({
  words: ['restore'],
  summary: 'fill an empty database from a backup file',
  usage: 'library-comms restore FILE',
  optionHelp: [
    'FILE  a file library-comms backup wrote',
    '',
    'Restores into an empty database only: a new DATA_DIR (the tool creates it), or the new server',
    'DATABASE_URL names when moving to one. It is one transaction: every row, or none. Backups made',
    'by an older version are brought up to date after; ones from a newer version are refused.',
  ],
  options: {},
  allowPositionals: true,
  createsDatabase: true,
  parse(args) {
    if (args.positionals.length !== 1) return err({ code: 'bad_arguments', command: 'restore', detail: 'name the backup file to restore' })
    return checkFileOnDisk(args.positionals[0])
  },
  async run(deps, file, terminal) {
    const restored = await restoreDatabase(
      { db: deps.db, migrations: { names: await migrationNames(), migrateTo, migrateToLatest } },
      {
        source: createReadStream(file.path, { highWaterMark: 1024 * 1024 }),
        onTable: (table, rows) => terminal.stderr(`${table}: ${rows.toLocaleString('en')} ${rows === 1 ? 'row' : 'rows'}\n`),
      },
    )
    if (!restored.ok) return restored
    const rows = restored.value.tables.reduce((sum, table) => sum + table.rows, 0)
    const migrated = restored.value.migrated.length > 0 ? `; then applied ${restored.value.migrated.join(', ')}` : ''
    return ok(`restored ${rows.toLocaleString('en')} ${rows === 1 ? 'row' : 'rows'} of ${restored.value.tables.length} tables from ${file.name}${migrated}\n`)
  },
})

function megabytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`
}
