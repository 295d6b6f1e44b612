import type { Actor } from './actors.ts'
import { type StaffRole, staffRoles } from './roles.ts'

/**
 * Who may do what: the one table. Use cases check it; Slack asks it which buttons to show; an
 * API key's role (staff or admin) reads it as a member's would. Viewers look; staff keep contacts
 * and patrons up to date; admins also do what cannot be undone or concerns everyone.
 */
export const permissions = {
  /** Find patrons and read their contacts (`/contacts`, GET /patrons). */
  lookUpContacts: 'viewer',
  /** Add, change and remove contacts. */
  changeContacts: 'staff',
  /** Create and update patrons, one at a time or by a file. */
  changePatrons: 'staff',
  /** Import contacts in add mode. */
  importContacts: 'staff',
  /** Import contacts in a replace mode: cannot be undone (seed 000). */
  replaceContacts: 'admin',
  /** Deactivate patrons, one or in bulk: they get no notices and may be purged (seed 004). */
  deactivatePatrons: 'admin',
  /** Release an import left running by a process that died. */
  releaseImports: 'admin',
  /** See who is on the library's staff, and with which role. */
  seeStaff: 'viewer',
  /** Give, change and take away staff roles. */
  manageStaff: 'admin',
  /** Read the library's audit log. */
  readAudit: 'admin',
  /** Switch scenarios on and off, set their schedules, exclusions and the library's settings. */
  changeNoticeSettings: 'admin',
  /** Edit, preview and reset templates. */
  editTemplates: 'admin',
  /** Review bounced addresses and remove them from the blacklist. */
  reviewBlacklist: 'staff',
  /** Read the email log: what was sent, to whom, and what was skipped and why (`/emaillog`). */
  readEmailLog: 'viewer',
  /** Send a patron's overdue notice now, or recall a loan, from the patron's card. */
  sendNotices: 'staff',
  /** Report circulation: items, loans, reservations, suppliers, orders, password resets (the library system's key). */
  feedCirculation: 'staff',
  /** Run the contact preferences batch (seed 003). */
  runPreferencesBatch: 'admin',
  /** Ask for and approve the purge of deactivated patrons (seed 004). */
  purgePatrons: 'admin',
} as const satisfies Record<string, StaffRole>

export type Permission = keyof typeof permissions

export type NotAllowed = { code: 'not_allowed'; permission: Permission; needed: StaffRole; role: StaffRole | null }

const rank: Record<StaffRole, number> = { viewer: 1, staff: 2, admin: 3 }

/** Whether `actor` may do `permission`. */
export function can(actor: Pick<Actor, 'role'>, permission: Permission): boolean {
  return actor.role !== null && rank[actor.role] >= rank[permissions[permission]]
}

/** The refusal when `actor` may not do `permission`, otherwise undefined. */
export function checkPermission(actor: Pick<Actor, 'role'>, permission: Permission): NotAllowed | undefined {
  return can(actor, permission) ? undefined : { code: 'not_allowed', permission, needed: permissions[permission], role: actor.role }
}

/** Whether `value` is a role (`/staff role @x staff`, `--role`). */
export const isStaffRole = (value: string): value is StaffRole => (staffRoles as readonly string[]).includes(value)
