import type { webApi } from '@slack/bolt'
import type { ImportFile } from '../../domain/imports/stage-file.ts'
import { slackErrorCode } from '../failures.ts'

/**
 * Why Slack would not hand over a file: it is gone (deleted since it was chosen), the app may not
 * read it, Slack could not be reached, or Slack refused for another reason.
 */
export type SlackFileProblem = 'file_gone' | 'no_access' | 'unreachable' | 'refused'

// Slack's answers that mean the file is no longer there.
const goneErrors = new Set(['file_not_found', 'file_deleted'])
const noAccessErrors = new Set(['missing_scope', 'access_denied', 'not_allowed_token_type', 'no_permission'])

/**
 * Slack would not hand over the file: the user's to fix (or Slack's), not a fault of ours, so it
 * is told to the user and logged as a warning. `detail` is Slack's error code or HTTP status, for
 * the log; neither holds the file's content or name.
 */
export class SlackFileUnavailable extends Error {
  readonly problem: SlackFileProblem
  readonly detail: string
  constructor(problem: SlackFileProblem, detail: string) {
    super(`the file could not be read from Slack: ${problem} (${detail})`)
    this.name = 'SlackFileUnavailable'
    this.problem = problem
    this.detail = detail
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
    const code = slackErrorCode(error)
    if (code === undefined) throw new SlackFileUnavailable('unreachable', error instanceof Error ? error.name : 'no answer')
    throw new SlackFileUnavailable(goneErrors.has(code) ? 'file_gone' : noAccessErrors.has(code) ? 'no_access' : 'refused', code)
  }
  if (url === undefined) throw new SlackFileUnavailable('refused', 'no download address')
  const download = url
  return {
    name,
    bytes: (async function* () {
      let response: Response
      try {
        response = await fetch(download, { headers: { authorization: `Bearer ${input.botToken}` } })
      } catch (error) {
        throw new SlackFileUnavailable('unreachable', error instanceof Error ? error.name : 'no answer')
      }
      const type = response.headers.get('content-type') ?? ''
      // Slack quirk: a file URL fetched without a token that may read it answers 200 with the
      // HTML sign-in page, not 401; read as CSV it would be a page of confusing errors.
      if (!response.ok || response.body === null || type.includes('text/html')) {
        await response.body?.cancel()
        if (response.ok) throw new SlackFileUnavailable('no_access', 'sign-in page')
        const problem = response.status === 404 || response.status === 410 ? 'file_gone' : response.status === 403 ? 'no_access' : 'refused'
        throw new SlackFileUnavailable(problem, `HTTP ${response.status}`)
      }
      yield* response.body
    })(),
  }
}
