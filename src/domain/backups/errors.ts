/** Why a restore was refused; the database is as it was before, in every case. */
export type RestoreError =
  /** Not gzip, or its first line is not a backup's header. */
  | { code: 'not_a_backup'; reason: string }
  /** The file stops before its end line, or is corrupt part-way (line: the last one read whole). */
  | { code: 'backup_cut_short'; line: number }
  /** A line that is not what a backup holds there. */
  | { code: 'backup_damaged'; line: number; reason: string }
  /** Made by a newer library-comms: its schema has migrations this one does not know. */
  | { code: 'backup_too_new'; unknown: string[] }
  /** The database holds rows already: a restore replaces nothing, it fills an empty database. */
  | { code: 'database_not_empty'; tables: Array<{ table: string; rows: number }> }
  /** The database is migrated past the backup (a service started on it): restore into a new one. */
  | { code: 'database_ahead'; backup: string | undefined; database: string }
  /** A table's rows were refused by the database (line: where that table's rows begin). */
  | { code: 'rows_refused'; table: string; line: number; reason: string }
