import type { webApi } from '@slack/bolt'
import type { ImportFile } from '../../domain/imports/stage-file.ts'

/** Slack would not hand over the file; `reason` is for the staff member, not a secret. */
export class SlackFileUnavailable extends Error {
  readonly reason: string
  constructor(reason: string) {
    super(`the file could not be read from Slack: ${reason}`)
    this.name = 'SlackFileUnavailable'
    this.reason = reason
  }
}

/**
 * A file shared through the modal's file input, as an import reads it: its name from
 * `files.info`, and its bytes streamed from `url_private_download` as they arrive (files run to
 * millions of rows, so it is never held whole). The download starts when the import first
 * reads, so a refused import downloads nothing.
 */
export async function openSlackFile(client: webApi.WebClient, input: { fileId: string; botToken: string }): Promise<ImportFile> {
  let url: string | undefined
  let name = 'file.csv'
  try {
    const found = await client.files.info({ file: input.fileId })
    url = found.file?.url_private_download ?? found.file?.url_private
    name = found.file?.name ?? name
  } catch (error) {
    throw new SlackFileUnavailable(slackErrorCode(error) ?? 'Slack could not be reached')
  }
  if (url === undefined) throw new SlackFileUnavailable('Slack gave no download address for it')
  const download = url
  return {
    name,
    bytes: (async function* () {
      const response = await fetch(download, { headers: { authorization: `Bearer ${input.botToken}` } })
      const type = response.headers.get('content-type') ?? ''
      // Slack quirk: a file URL fetched without a token that may read it answers 200 with the
      // HTML sign-in page, not 401; read as CSV it would be a page of confusing errors.
      if (!response.ok || response.body === null || type.includes('text/html')) {
        await response.body?.cancel()
        throw new SlackFileUnavailable(response.ok ? 'Slack refused the app access to it (files:read)' : `Slack answered ${response.status}`)
      }
      yield* response.body
    })(),
  }
}

/** The `error` of a Web API call Slack refused (`file_not_found`), when it is one. */
export function slackErrorCode(error: unknown): string | undefined {
  if (error instanceof Error && 'data' in error && typeof error.data === 'object' && error.data !== null && 'error' in error.data) {
    return typeof error.data.error === 'string' ? error.data.error : undefined
  }
  return undefined
}
