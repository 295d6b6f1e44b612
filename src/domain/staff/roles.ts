/** Staff roles per library. What each may do is the permission table's (permissions.ts). */
export const staffRoles = ['admin', 'staff', 'viewer'] as const
export type StaffRole = (typeof staffRoles)[number]
