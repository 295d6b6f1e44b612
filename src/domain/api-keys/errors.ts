/** The role a key acts with, read by the permission table as a staff member's: staff or admin. */
export const apiKeyRoles = ['staff', 'admin'] as const
export type ApiKeyRole = (typeof apiKeyRoles)[number]

export type ApiKeySummary = {
  id: number
  libraryId: number
  name: string
  prefix: string
  role: ApiKeyRole
  createdAt: Date
  lastUsedAt: Date | null
  revokedAt: Date | null
}

export type ApiKeyError =
  | { code: 'library_not_found'; libraryId: number }
  | { code: 'api_key_not_found'; id: number }
  | { code: 'invalid_name' }
  | { code: 'invalid_api_key_role'; role: string }
