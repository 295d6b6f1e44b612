import { expect } from 'vitest'
import { importBlocks } from '../../../src/bot/imports/modal-views.ts'
import type { SlackCall } from '../../support/fake-slack.ts'
import { postToSlackEvents, type SlackTestService, slackUser, stateFromView, viewSubmissionBody } from '../../support/slack-request.ts'

/** A choice in the import form, by block: a value, several, or none. */
export type ImportChoices = Partial<Record<(typeof importBlocks)[keyof typeof importBlocks], string | string[] | null>>

// Progress lines start with the hourglass; the dry run, the counts and every refusal do not.
export const isProgress = (call: SlackCall) => String(call.args.text).startsWith(':hourglass_flowing_sand:')

/** A staff member who imports files from Slack: /import, the form, the buttons under the dry run. */
export function importingUser(slack: SlackTestService, lib: { slackTeamId: string }, userId: string) {
  const { fake, eventsUrl } = slack
  const teamId = lib.slackTeamId
  const user = slackUser({ eventsUrl, fake, teamId, userId })
  return {
    /** Types `/import` with `text` after it. */
    command: (text = '') => user.command('/import', text),

    /** Types `/import` and returns the form Slack was asked to open. */
    async openForm(text = ''): Promise<any> {
      expect((await user.command('/import', text)).status).toBe(200)
      return (await fake.next('views.open')).args.view
    },

    /** Shares `file` in the form's file input (or none), makes the choices, and presses Dry run. */
    submit(view: any, input: { file?: { name: string; content: string }; choices?: ImportChoices }): Promise<Response> {
      const others = { ...view, blocks: view.blocks.filter((block: any) => block.block_id !== importBlocks.file) }
      const values = stateFromView(others, input.choices ?? {})
      const fileId = input.file === undefined ? undefined : fake.shareFile({ ...input.file, chunkBytes: 7 })
      values[importBlocks.file] = { input: { type: 'file_input', files: fileId === undefined ? [] : [{ id: fileId, name: input.file!.name }] } }
      return postToSlackEvents(eventsUrl, viewSubmissionBody({ teamId, userId, view, values }))
    },

    /** Presses a button on the import's message (a message the app posted, so not ephemeral). */
    click(button: { action_id: string; value: string }, message: { channel: string; ts: string }): Promise<Response> {
      const payload = {
        type: 'block_actions',
        user: { id: userId, username: `user-${userId}`, team_id: teamId },
        api_app_id: 'A0LIBCOMMS',
        token: 'deprecated-verification-token',
        container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
        trigger_id: `trigger-${Date.now()}`,
        team: { id: teamId, domain: 'school' },
        channel: { id: message.channel, name: 'library' },
        message: { type: 'message', ts: message.ts },
        response_url: fake.responseUrl(),
        actions: [
          {
            type: 'button',
            block_id: 'b',
            action_id: button.action_id,
            value: button.value,
            text: { type: 'plain_text', text: 'x' },
            action_ts: '1700000000.000200',
          },
        ],
      }
      return postToSlackEvents(eventsUrl, new URLSearchParams({ payload: JSON.stringify(payload) }).toString())
    },
  }
}

/** The import's message as Slack shows it: updated until it no longer shows progress. */
export async function followUpdates(slack: SlackTestService) {
  const updates: SlackCall[] = []
  for (;;) {
    const update = await slack.fake.next('chat.update', 10_000)
    updates.push(update)
    if (!isProgress(update)) break
  }
  const last = updates[updates.length - 1].args
  return { ref: { channel: last.channel as string, ts: last.ts as string }, progress: updates.slice(0, -1).map((u) => u.args), last }
}
