import { z } from 'zod'
import type { PurgeCandidatePage, PurgeOutcome, PurgeRequest } from '../../domain/purge/purge-view.ts'
import { purgePageSizes } from '../../domain/purge/purge-view.ts'
import { actorLabel } from '../../domain/staff/actors.ts'
import { count, storableName } from './schemas.ts'

// The API's schemas for the purge of deactivated patrons (seed 004). Part of schemas.ts's one
// source of truth: the routes validate with them and openapi.ts describes them.

const pageSizeText = purgePageSizes.join(', ')

const queryValue = (description: string) => z.string({ error: 'Give this parameter once' }).optional().describe(description)

export const purgeCandidatesQuerySchema = z.strictObject({
  page: z
    .string({ error: 'Give this parameter once' })
    .regex(/^[1-9][0-9]{0,8}$/, 'Give a page number from 1')
    .transform(Number)
    .optional()
    .describe('The page, from 1 (the default); past the last, the last.'),
  pageSize: z
    .enum(purgePageSizes.map(String) as [string, ...string[]], { error: `Give one of ${pageSizeText}` })
    .transform((value) => Number(value) as (typeof purgePageSizes)[number])
    .optional()
    .describe(`Patrons per page: ${pageSizeText} (the default 20).`),
  academicLevel: queryValue('Only patrons of this academic level, by name; an unknown one is a 422.'),
  group: queryValue('Only patrons of this library group, by name; an unknown one is a 422.'),
})

const purgeCandidateSchema = z.strictObject({
  username: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  academicLevel: z.string().nullable(),
  groups: z.array(z.string()),
  openLoans: count.describe('Loans not returned: such a patron is purged only with markLoansLost.'),
  contacts: count,
})

export const purgeCandidatePageSchema = z.strictObject({
  candidates: z.array(purgeCandidateSchema),
  page: z.int().min(1),
  pageSize: z.int(),
  total: count.describe('Deactivated patrons matching the filter, on every page.'),
  pages: z.int().min(1),
})

export const newPurgeRequestSchema = z.strictObject({
  usernames: z
    .array(storableName('A username', 200))
    .min(1, 'Name at least one patron')
    .max(100_000)
    .describe('Deactivated patrons to purge, by username. An unknown or enabled one is a 422 naming it; nothing is asked.'),
  markLoansLost: z
    .boolean()
    .default(false)
    .describe(
      'true: the loans they still have are marked lost as they are purged (the library system hears of each). false: a patron with loans out is a 422.',
    ),
})

const purgeImpactSchema = z.strictObject({
  patrons: count,
  contacts: count.describe('Contacts removed with them.'),
  loans: count.describe('Their loans, open or not.'),
  loansToMarkLost: count,
  loansKept: z
    .enum(['anonymised', 'removed'])
    .describe("The library's setting when it was asked: anonymised (kept without the patron, with the level) or removed."),
  reservations: count.describe('Reservations removed.'),
  messagesKeptWithoutAddresses: count.describe('Messages the email log keeps, without their addresses.'),
})

export const purgeRequestSchema = z.strictObject({
  id: z.int().describe('The request, as the audit log names it.'),
  status: z
    .enum(['staged', 'approved', 'applied', 'rejected', 'cancelled', 'expired', 'failed'])
    .describe('staged: waiting for another admin; approved: running (or stopped, resumed by approving again); applied: done.'),
  requestedBy: z.string().describe('Who asked: api-key:4, slack:U123.'),
  approvedBy: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string().describe('A request not approved by then expires; nothing changes.'),
  pageSize: z.int(),
  markLoansLost: z.boolean(),
  impact: purgeImpactSchema,
  progress: z.strictObject({ pagesDone: count, pages: count, purged: count, skipped: count }),
})

export const purgeOutcomeSchema = z.strictObject({
  requestId: z.int(),
  purged: count,
  contactsRemoved: count,
  loansAnonymised: count,
  loansRemoved: count,
  loansMarkedLost: count,
  reservationsRemoved: count,
  messagesWithoutAddresses: count,
  skipped: z
    .array(z.strictObject({ username: z.string(), reason: z.enum(['reactivated', 'open_loans', 'gone']) }))
    .describe('Left alone: reactivated since, given a loan since, or gone (another purge).'),
})

export const purgeIdParam = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/)
  .describe('The purge request id.')

export const purgeSchemas = {
  PurgeCandidatePage: purgeCandidatePageSchema,
  NewPurgeRequest: newPurgeRequestSchema,
  PurgeRequest: purgeRequestSchema,
  PurgeOutcome: purgeOutcomeSchema,
} as const

export type PurgeCandidatePageBody = z.infer<typeof purgeCandidatePageSchema>
export type PurgeRequestBody = z.infer<typeof purgeRequestSchema>

export function renderPurgeCandidates(page: PurgeCandidatePage): PurgeCandidatePageBody {
  return { ...page, candidates: page.candidates.map(({ patronId, ...candidate }) => candidate) }
}

export function renderPurgeRequest(request: PurgeRequest): PurgeRequestBody {
  return {
    id: request.id,
    status: request.status,
    requestedBy: actorLabel(request.requestedBy),
    approvedBy: request.approvedBy ? actorLabel(request.approvedBy) : null,
    createdAt: request.createdAt.toISOString(),
    expiresAt: request.expiresAt.toISOString(),
    pageSize: request.pageSize,
    markLoansLost: request.markLoansLost,
    impact: request.impact,
    progress: request.progress,
  }
}

export const renderPurgeOutcome = (outcome: PurgeOutcome): z.infer<typeof purgeOutcomeSchema> => outcome
