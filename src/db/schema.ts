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
  /** When the nightly run starts, local time, 'HH:MM:SS'. */
  run_at: Generated<string>
  sender_name: Generated<string>
  reply_to: string | null
  slack_channel: string | null
  /** Seed 004 "retain deleted patron loans": a purge keeps their loans anonymised (0018). */
  retain_deleted_patron_loans: Generated<boolean>
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
  kind: 'contacts' | 'patrons' | 'preferences' | 'purge'
  mode: string
  levels: ColumnType<string[], unknown, unknown>
  keep_custom: boolean
  file_name: string
  checksum: string | null
  status: 'staging' | 'staged' | 'invalid' | 'approved' | 'applied' | 'failed' | 'cancelled' | 'rejected' | 'expired'
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
  /** What was asked, when it is not a file (0017): the preferences batch's mode, filter and settings. */
  request: Json
  /** Where a purge request was posted in Slack ({channel, ts}), to update it after a restart (0018). */
  report_message: Json
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

/** A purge request's patrons, each with its page, marked done as the page commits (0018). */
export interface PurgePatronsTable {
  batch_id: number
  patron_id: number
  /** As it was when asked (0019), to name a patron gone before its page ran. */
  username: string | null
  page: number
  outcome: 'purged' | 'reactivated' | 'open_loans' | 'gone' | null
  done_at: Date | null
}

/** What library-comms changed that the library system should know (GET /api/v1/events, 0018). */
export interface EventsTable {
  id: Generated<string>
  library_id: number
  at: Generated<Date>
  type: 'loan.lost' | 'patron.purged' | 'address.blacklisted'
  subject: string
  details: Json
}

export interface Database {
  batches: BatchesTable
  purge_patrons: PurgePatronsTable
  events: EventsTable
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
  items: ItemsTable
  loans: LoansTable
  reservations: ReservationsTable
  suppliers: SuppliersTable
  purchase_orders: PurchaseOrdersTable
  order_lines: OrderLinesTable
  scenario_settings: ScenarioSettingsTable
  scenario_excluded_levels: ScenarioExcludedLevelsTable
  scenario_excluded_groups: ScenarioExcludedGroupsTable
  templates: TemplatesTable
  messages: MessagesTable
  message_recipients: MessageRecipientsTable
  message_loans: MessageLoansTable
  message_secrets: MessageSecretsTable
  notice_sends: NoticeSendsTable
  job_runs: JobRunsTable
  blacklist: BlacklistTable
  soft_bounces: SoftBouncesTable
  sns_messages: SnsMessagesTable
  recipient_choices: RecipientChoicesTable
  send_rate: SendRateTable
}

/** A calendar date as PostgreSQL writes it, 'YYYY-MM-DD' (database.ts keeps it a string). */
type CalendarDate = string

export interface ItemsTable {
  id: Generated<number>
  library_id: number
  external_id: string
  title: Generated<string>
  author: Generated<string>
  barcode: Generated<string>
}

export interface LoansTable {
  id: Generated<number>
  library_id: number
  external_id: string
  /** Null once its patron was purged and the library retains loans: anonymised (0018). */
  patron_id: number | null
  /** Kept when anonymised, for statistics by level (0018). */
  academic_level_id: number | null
  anonymised_at: Date | null
  item_id: number
  checked_out_at: Date | string
  due_date: CalendarDate
  status: Generated<'open' | 'returned' | 'lost'>
  recalled_at: Date | null
  closed_at: Date | null
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface ReservationsTable {
  id: Generated<number>
  library_id: number
  external_id: string
  patron_id: number
  item_id: number
  placed_at: Date | string
  status: Generated<'placed' | 'ready' | 'cancelled' | 'collected'>
  pickup_by: CalendarDate | null
  ready_at: Date | null
  closed_at: Date | null
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface SuppliersTable {
  id: Generated<number>
  library_id: number
  external_id: string
  name: string
  email: string
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface PurchaseOrdersTable {
  id: Generated<number>
  library_id: number
  external_id: string
  supplier_id: number
  placed_at: CreatedAt
}

export interface OrderLinesTable {
  order_id: number
  line_no: number
  title: string
  quantity: number
  details: Json
}

export interface ScenarioSettingsTable {
  library_id: number
  scenario: string
  enabled: boolean
  days_before: number | null
  frequency: 'day' | 'week' | 'month' | null
  weekday: number | null
  month_day: number | null
  days_overdue: number | null
  updated_by: string
  updated_at: UpdatedAt
}

export interface ScenarioExcludedLevelsTable {
  library_id: number
  scenario: string
  academic_level_id: number
}

export interface ScenarioExcludedGroupsTable {
  library_id: number
  scenario: string
  group_id: number
}

export interface TemplatesTable {
  library_id: number
  scenario: string
  subject: string
  html: string
  text: string
  updated_by: string
  updated_at: UpdatedAt
}

export type MessageStatus = 'queued' | 'sending' | 'sent' | 'skipped' | 'failed'

/** The outbox and the email log. */
export interface MessagesTable {
  id: Generated<string>
  library_id: number
  scenario: string
  patron_id: number | null
  supplier_id: number | null
  reservation_id: number | null
  order_id: number | null
  dedupe_key: string
  subject: string
  html: string
  text: string
  status: MessageStatus
  reason: string | null
  as_of: CalendarDate | null
  requested_by: string | null
  planned_at: CreatedAt
  next_attempt_at: UpdatedAt
  lease_until: Date | null
  attempts: Generated<number>
  sent_at: Date | null
  /** The transport's id of the first recipient's copy (each copy's is on message_recipients). */
  transport_id: string | null
}

export interface MessageRecipientsTable {
  message_id: string
  position: number
  kind: 'to' | 'cc' | 'bcc'
  /** Null once the patron was purged: the email log keeps the message, not the address (0018). */
  address: string | null
  contact_id: number | null
  role: string | null
  /** What SES said of this recipient (issue 12); `skipped`: left out, its address blacklisted (0014); null: nothing yet. */
  delivery: 'delivered' | 'delayed' | 'bounced' | 'complained' | 'rejected' | 'skipped' | null
  delivery_detail: string | null
  delivery_at: Date | null
  /** When this recipient's copy was sent (0016): a message goes as one email per recipient. */
  sent_at: Date | null
  /** The transport's id of this recipient's copy: SES's message id, or the .eml file's name. */
  transport_id: string | null
  /** When this copy was handed to the transport; null before, and once its outcome is recorded. */
  handed_over_at: Date | null
}

export interface MessageLoansTable {
  message_id: string
  loan_id: number
}

export interface MessageSecretsTable {
  message_id: string
  value: string
}

/** The ledger: what was sent for which loan or reservation, at which level, for which period. */
export interface NoticeSendsTable {
  id: Generated<string>
  library_id: number
  scenario: string
  loan_id: number | null
  reservation_id: number | null
  period: Generated<string>
  message_id: string | null
  created_at: CreatedAt
}

export interface JobRunsTable {
  id: Generated<string>
  library_id: number
  job: string
  as_of: CalendarDate
  started_at: CreatedAt
  finished_at: Date | null
  status: Generated<'running' | 'done' | 'failed'>
  summary: Json
}

/** Addresses never to mail, for the whole deployment (issue 12). */
export interface BlacklistTable {
  address_key: string
  address: string
  reason: 'bounce' | 'complaint' | 'soft_bounces' | 'suppressed' | 'manual'
  detail: string | null
  source: 'ses' | 'suppression_list' | 'staff' | 'api'
  library_id: number | null
  message_id: string | null
  added_by: string | null
  created_at: CreatedAt
}

export interface SoftBouncesTable {
  id: Generated<string>
  address_key: string
  message_id: string | null
  bounced_at: Date
}

export interface SnsMessagesTable {
  message_id: string
  topic_arn: string
  type: string
  received_at: CreatedAt
}

/** A recipient's own choice from the unsubscribe page: stopped (or taken back) a kind of notice. */
export interface RecipientChoicesTable {
  contact_id: number
  notice_group: 'overdue' | 'recalls' | 'reservations' | 'loan_receipts'
  stopped: boolean
  chosen_at: CreatedAt
}

/** A token bucket shared by every instance: the sending rate (issue 12). */
export interface SendRateTable {
  name: string
  tokens: number
  refilled_at: Date
}
