import type { types } from '@slack/bolt'
import { assertNever } from '../../domain/result.ts'
import type { StaffError, StaffMember } from '../../domain/staff/errors.ts'
import { type StaffRole, staffRoles } from '../../domain/staff/roles.ts'
import { escapeMrkdwn, notAllowedText, notice, number, type SlackMessage } from '../views.ts'

const roleTitles: Record<StaffRole, string> = {
  admin: 'Admins: also manage staff',
  staff: 'Staff: look up and change contacts',
  viewer: 'Viewers: look up contacts',
}

/** How to use `/staff`, after what was wrong with the last try. */
export function staffHelp(problem?: string): SlackMessage {
  return notice(
    [
      ...(problem ? [escapeMrkdwn(problem), ''] : []),
      '*Manage the library’s staff* (admins)',
      '`/staff`: who is on staff, with their roles',
      '`/staff add @person staff`: give someone a role (admin, staff or viewer)',
      '`/staff role @person admin`: change someone’s role',
      '`/staff remove @person`: take someone off the staff',
      'Viewers look up contacts; staff also change them; admins also manage staff.',
    ].join('\n'),
  )
}

/** Everyone with a role in the library, grouped by role. */
export function staffList(members: StaffMember[], libraryName: string): SlackMessage {
  const title = `Staff of ${libraryName}`
  const blocks: types.KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } }]
  for (const role of staffRoles) {
    const holders = members.filter((member) => member.role === role)
    const lines = holders.map((member) => `<@${member.slackUserId}>${member.fromConfiguration ? ' (from SLACK_ADMIN_USER_IDS)' : ''}`)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*${roleTitles[role]}*\n${lines.length > 0 ? lines.join('\n') : '_nobody_'}` } })
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Admins change roles with `/staff add`, `/staff role` and `/staff remove`.' }] })
  return { text: `${title}: ${number.format(members.length)} ${members.length === 1 ? 'person' : 'people'}`, blocks }
}

/** The answer to `/staff add` and `/staff role`. */
export function roleSetText(member: StaffMember, libraryName: string): string {
  return `<@${member.slackUserId}> now has the *${member.role}* role in *${escapeMrkdwn(libraryName)}*.`
}

/** The answer to `/staff remove`. */
export function removedText(removed: { slackUserId: string; role: StaffRole }, libraryName: string): string {
  return `<@${removed.slackUserId}> is no longer on the staff of *${escapeMrkdwn(libraryName)}* (was *${removed.role}*).`
}

/** Why a `/staff` request changed nothing. */
export function staffErrorText(error: StaffError, libraryName: string): string {
  switch (error.code) {
    case 'not_allowed':
      return notAllowedText(error, libraryName)
    case 'staff_not_found':
      return `<@${error.slackUserId}> is not on the staff of *${escapeMrkdwn(libraryName)}*, so there is nothing to remove.`
    case 'last_admin':
      return `<@${error.slackUserId}> is the library’s last admin, so they stay admin. Make someone else admin first.`
    case 'configured_admin':
      return `<@${error.slackUserId}> is an admin of every library through the service’s configuration (SLACK_ADMIN_USER_IDS), so \`/staff\` cannot change them. Ask your IT admin.`
    case 'invalid_role':
      return `“${escapeMrkdwn(error.role)}” is not a role. Use admin, staff or viewer.`
    case 'invalid_slack_user':
      return `“${escapeMrkdwn(error.slackUserId)}” is not a Slack member. Mention them: \`/staff add @name staff\`.`
    case 'library_not_found':
      return 'This library is no longer in library-comms. Please ask your IT admin.'
    default:
      return assertNever(error)
  }
}
