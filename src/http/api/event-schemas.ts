import { z } from 'zod'
import { blacklistReasons } from '../../domain/bounces/blacklist.ts'
import { defaultEventsLimit, maxEventsLimit } from '../../domain/events/list-events.ts'

// The events feed (issue 14): what library-comms changed that the library system should know.
// openapi.ts lists `eventSchemas` under components.

export const eventsQuerySchema = z.strictObject({
  after: z
    .string({ error: 'Give this parameter once' })
    .optional()
    .describe("The id of the last event read: the events after it. Left out (or 0): from the feed's beginning."),
  limit: z
    .string({ error: 'Give this parameter once' })
    .regex(/^[0-9]{1,6}$/, `Give a whole number from 1 to ${maxEventsLimit}`)
    .transform(Number)
    .optional()
    .describe(`Events per page, 1 to ${maxEventsLimit}; ${defaultEventsLimit} when left out.`),
})

const eventFields = {
  id: z.string().describe('The event’s id, a whole number as a string, rising: pass it as after to read the events that follow.'),
  at: z.iso.datetime().describe('When the change was made.'),
}

const eventSchema = z
  .discriminatedUnion('type', [
    z.object({
      ...eventFields,
      type: z.literal('loan.lost').describe('library-comms marked the loan lost (Mark as lost and purge): mark it lost in the library system too.'),
      subject: z.string().describe("The loan's id, as the library system sent it."),
      details: z.object({ itemId: z.string().describe("The item's id."), username: z.string().describe("The patron's username.") }),
    }),
    z.object({
      ...eventFields,
      type: z.literal('patron.purged').describe('The patron was purged: their contacts, preferences and reservations are gone.'),
      subject: z.string().describe("The patron's username."),
      details: z.object({ requestId: z.number().int().describe('The purge request that removed them.') }),
    }),
    z.object({
      ...eventFields,
      type: z.literal('address.blacklisted').describe('No notice is mailed to this address any more, from any library.'),
      subject: z.string().describe('The address, as first blacklisted.'),
      details: z.object({ reason: z.enum(blacklistReasons as [string, ...string[]]).describe('Why: bounce, complaint, soft_bounces, suppressed or manual.') }),
    }),
  ])
  .describe('One change.')

const eventsPageSchema = z.object({
  events: z.array(eventSchema).describe('In id order, oldest first.'),
  next: z
    .string()
    .nullable()
    .describe('Pass as after for the next page when more events wait; null at the end of the feed (poll later with after = the last id read).'),
})

export type EventsPageBody = z.input<typeof eventsPageSchema>

/** The named schemas of the events feed, as the OpenAPI document lists them under components. */
export const eventSchemas = { Event: eventSchema, EventsPage: eventsPageSchema } as const
