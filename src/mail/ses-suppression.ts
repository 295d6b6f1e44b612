import { DeleteSuppressedDestinationCommand, ListSuppressedDestinationsCommand, NotFoundException, type SESv2Client } from '@aws-sdk/client-sesv2'

/** An address on SES's account-level suppression list: SES will not mail it for anyone. */
export type SuppressedAddress = { address: string; reason: 'bounce' | 'complaint'; updatedAt: Date }

/**
 * SES's account-level suppression list, as the blacklist needs it. Only in `EMAIL_TRANSPORT=ses`
 * mode; the file transport has none.
 */
export type SuppressionList = {
  /** Every address suppressed (or updated) at or after `since` (all of them without it), page by page. */
  listSuppressed(input: { since?: Date }): AsyncIterable<SuppressedAddress[]>
  /** Takes an address off SES's list; one that is not on it counts as done. */
  removeSuppressed(address: string): Promise<void>
}

/** The largest page SES answers (ListSuppressedDestinations' PageSize may be at most 1,000). */
const pageSize = 1_000

/**
 * The suppression list through the AWS SDK: region, credentials and endpoint come from the
 * client (the SDK's own chain, `AWS_REGION`, `AWS_ENDPOINT_URL_SESV2`).
 */
export function createSesSuppressionList(client: SESv2Client): SuppressionList {
  return {
    async *listSuppressed({ since }) {
      let nextToken: string | undefined
      do {
        const page = await client.send(new ListSuppressedDestinationsCommand({ PageSize: pageSize, NextToken: nextToken, ...(since && { StartDate: since }) }))
        yield (page.SuppressedDestinationSummaries ?? []).flatMap((summary) =>
          summary.EmailAddress
            ? [
                {
                  address: summary.EmailAddress,
                  reason: summary.Reason === 'COMPLAINT' ? ('complaint' as const) : ('bounce' as const),
                  updatedAt: summary.LastUpdateTime ?? new Date(0),
                },
              ]
            : [],
        )
        nextToken = page.NextToken
      } while (nextToken)
    },
    async removeSuppressed(address) {
      try {
        await client.send(new DeleteSuppressedDestinationCommand({ EmailAddress: address }))
      } catch (error) {
        // Never on SES's list, or already taken off it: what we wanted.
        if (error instanceof NotFoundException || (error as { name?: string }).name === 'NotFoundException') return
        throw error
      }
    },
  }
}
