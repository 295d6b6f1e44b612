import { z } from 'zod'

// One patron changed by username (PATCH /patrons/{username}). Only the flag: the rest of a patron
// belongs to the library system, which sends it in batches (POST /patrons).

export const patronChangesSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .describe('false deactivates the patron (an admin key): they get no notices and become a purge candidate. true reactivates them (a staff key will do).'),
  })
  .describe('The one field this call changes; any other is refused (422), since the library system sends the rest with POST /patrons.')

export const patronSchemas = { PatronChanges: patronChangesSchema } as const
