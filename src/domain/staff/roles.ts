/** Staff roles per library. Viewers look; staff change contacts; admins also manage staff. */
export const staffRoles = ['admin', 'staff', 'viewer'] as const
export type StaffRole = (typeof staffRoles)[number]

const rank: Record<StaffRole, number> = { viewer: 1, staff: 2, admin: 3 }

/**
 * Who is asking, as every use case sees it. `role` is null for someone who is not staff of
 * the library; `label` is what the audit log records (`slack:U123`, `api-key:4`, `cli`).
 */
export type Actor = { label: string; role: StaffRole | null }

export type NotAllowed = { code: 'not_allowed'; needed: StaffRole; role: StaffRole | null }

/** Returns the refusal when `actor` holds less than `needed`, otherwise undefined. */
export function checkRole(actor: Actor, needed: StaffRole): NotAllowed | undefined {
  if (actor.role !== null && rank[actor.role] >= rank[needed]) return undefined
  return { code: 'not_allowed', needed, role: actor.role }
}
