/**
 * A backup is gzip-compressed JSON lines, readable with `zcat` and any JSON tool:
 *
 *   {"format":"library-comms backup","version":1,"createdAt":…,"server":…,"migrations":[…]}
 *   ["table","libraries"]
 *   {"id":1,"name":"Hillside",…}            one line per row, as PostgreSQL's row_to_json gives it
 *   ["table","patrons"]
 *   …
 *   ["end",{"libraries":1,"patrons":812,…}]  the row count of every table: a file cut short has none
 *
 * Tables come parents first, so rows restore in file order. The migrations name the schema the
 * rows fit; a restore brings an empty database to that schema, loads the rows, then migrates on.
 */
export const backupFormat = 'library-comms backup'
export const backupVersion = 1

export type BackupHeader = {
  format: typeof backupFormat
  version: typeof backupVersion
  createdAt: string
  /** The PostgreSQL server the backup was taken from, for the reader. */
  server: string
  migrations: string[]
}

/** What a backup or a restore did, table by table (tables in file order). */
export type BackupSummary = { tables: Array<{ table: string; rows: number }>; migrations: string[] }

export const tableLine = (table: string) => JSON.stringify(['table', table])
export const endLine = (counts: Record<string, number>) => JSON.stringify(['end', counts])
