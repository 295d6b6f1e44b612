import type { ColumnType, Generated } from 'kysely'

type CreatedAt = ColumnType<Date, Date | string | undefined, never>
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>
type Json = ColumnType<unknown, unknown, unknown>

export interface LibrariesTable {
  id: Generated<number>
  name: string
  slack_team_id: string | null
  time_zone: string
  bcc_by_default: Generated<boolean>
  created_at: CreatedAt
}

export interface StaffTable {
  library_id: number
  slack_user_id: string
  role: 'admin' | 'staff' | 'viewer'
  added_by: string
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface AcademicLevelsTable {
  id: Generated<number>
  library_id: number
  name: string
}

export interface LibraryGroupsTable {
  id: Generated<number>
  library_id: number
  name: string
}

export interface PatronsTable {
  id: Generated<number>
  library_id: number
  username: string
  first_name: Generated<string>
  last_name: Generated<string>
  type: Generated<'student' | 'staff'>
  academic_level_id: number | null
  is_enabled: Generated<boolean>
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface PatronGroupsTable {
  library_id: number
  patron_id: number
  group_id: number
}

export interface ContactsTable {
  id: Generated<number>
  library_id: number
  patron_id: number
  role: 'patron' | 'guardian' | 'other'
  type: Generated<'email' | 'phone' | 'social'>
  is_primary: Generated<boolean>
  addressee: Generated<string>
  address: string
  address_key: string
  bcc: Generated<'yes' | 'no' | 'default'>
  usage: Generated<'any' | 'none' | 'custom'>
  source: 'import' | 'api' | 'staff'
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface ContactScenariosTable {
  contact_id: number
  scenario: string
}

export interface AuditLogTable {
  id: Generated<string>
  library_id: number
  at: CreatedAt
  actor: string
  approver: string | null
  action: string
  subject_type: string
  subject_id: string | null
  before: Json
  after: Json
  details: Json
  /** The patron the entry is about, when it is about one (kept after a purge: no foreign key). */
  patron_id: number | null
}

export interface ApiKeysTable {
  id: Generated<number>
  library_id: number
  name: string
  prefix: string
  key_hash: string
  role: Generated<'staff' | 'admin'>
  created_at: CreatedAt
  last_used_at: Date | null
  revoked_at: Date | null
}

/** Staged, confirmed work (src/domain/batches): an import now; the preferences batch and the purge next. */
export interface BatchesTable {
  id: Generated<number>
  library_id: number
  kind: 'contacts' | 'patrons'
  mode: string
  levels: ColumnType<string[], unknown, unknown>
  keep_custom: boolean
  file_name: string
  checksum: string | null
  status: 'staging' | 'staged' | 'invalid' | 'applied' | 'failed' | 'cancelled' | 'expired'
  requested_by: string
  confirmed_by: string | null
  /** The permission confirming it takes (src/domain/staff/permissions.ts). */
  confirm_permission: string
  /** The one who confirms must be another than the one who asked. */
  confirmer_must_differ: Generated<boolean>
  row_count: Generated<number>
  error_count: Generated<number>
  errors: Json
  warnings: Json
  summary: Json
  created_at: CreatedAt
  heartbeat_at: UpdatedAt
  expires_at: Date | null
  finished_at: Date | null
}

export interface ImportContactRowsTable {
  batch_id: number
  line: number
  username: string
  role: string
  type: string
  address: string
  address_key: string
  is_primary: boolean
  addressee: string
  bcc: string
  usage: string
  scenarios: string
  /** The patron the row's username named when the file was read (migration 0005). */
  patron_id: number | null
}

export interface ImportPatronRowsTable {
  batch_id: number
  line: number
  username: string
  first_name: string | null
  last_name: string | null
  type: string | null
  academic_level: string | null
  groups: string | null
  enabled: boolean | null
}

export interface Database {
  batches: BatchesTable
  import_contact_rows: ImportContactRowsTable
  import_patron_rows: ImportPatronRowsTable
  libraries: LibrariesTable
  staff: StaffTable
  academic_levels: AcademicLevelsTable
  library_groups: LibraryGroupsTable
  patrons: PatronsTable
  patron_groups: PatronGroupsTable
  contacts: ContactsTable
  contact_scenarios: ContactScenariosTable
  audit_log: AuditLogTable
  api_keys: ApiKeysTable
}
