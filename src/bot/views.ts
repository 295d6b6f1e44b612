import type { types } from '@slack/bolt'
import type { NotAllowed, Permission } from '../domain/staff/permissions.ts'

/** A message as Slack shows it: blocks, and the text for notifications and screen readers. */
export type SlackMessage = { text: string; blocks: types.KnownBlock[] }

/** Escapes what Slack's mrkdwn would read as markup (`<@U1>`, `<https://…|x>`) in text we did not write. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** A one-paragraph message; `text` is mrkdwn we wrote, with user input already escaped. */
export function notice(text: string): SlackMessage {
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] }
}

/** A modal that only says something, replacing the one a submission came from. */
export function noticeModal(title: string, text: string): types.ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: title.slice(0, 24) },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  }
}

/** What someone is told when the workspace they type in is not linked to a library. */
export function unlinkedWorkspaceText(teamId: string | undefined): string {
  const team = teamId ?? 'TEAM_ID'
  return [
    'This Slack workspace is not linked to a library in library-comms yet, so there is nothing to show here.',
    `Please ask your IT admin to link it by running:\n\`npx library-comms library add --name "Your School Library" --slack-team ${team} --time-zone Area/City\``,
    '(with the library’s own name and time zone, for example `Australia/Sydney`).',
  ].join('\n')
}

/**
 * What someone is told when their request failed on our side (an outage, a bug). Every change is
 * one transaction, so it was made whole or not at all; which one, the asker can see by looking.
 */
export function somethingWentWrong(): SlackMessage {
  return notice(
    ':warning: Sorry, something went wrong on our side and your request could not be finished. ' +
      'Nothing was left half-done: each change is saved whole or not at all. Please try again in a moment; if it keeps happening, tell your IT admin.',
  )
}

/** What each permission lets staff do, in the words after "you can’t". */
const permissionWords: Record<Permission, string> = {
  lookUpContacts: 'look up contacts',
  changeContacts: 'change contacts',
  changePatrons: 'import or change patrons',
  importContacts: 'import contacts',
  replaceContacts: 'replace contacts',
  deactivatePatrons: 'deactivate patrons',
  releaseImports: 'release an import',
  seeStaff: 'see the staff',
  manageStaff: 'manage staff',
  readAudit: 'read the audit log',
  changeNoticeSettings: 'change how notices go out',
  editTemplates: 'edit templates',
  reviewBlacklist: 'review bounced addresses',
  readEmailLog: 'read the email log',
  sendNotices: 'send notices or recall loans',
  feedCirculation: 'report circulation',
  runPreferencesBatch: 'change contact preferences in bulk',
  purgePatrons: 'purge patrons',
}

/** A polite refusal naming what was refused and the role it needs. */
export function notAllowedText(refusal: Pick<NotAllowed, 'permission' | 'needed' | 'role'>, libraryName: string): string {
  const doing = permissionWords[refusal.permission]
  const library = `*${escapeMrkdwn(libraryName)}*`
  if (refusal.role === null) {
    return `Sorry, you can’t ${doing}: you are not on the staff of ${library} in library-comms. An admin can add you with \`/staff add @you viewer\` (or \`staff\`).`
  }
  return `Sorry, you can’t ${doing}: that needs the *${refusal.needed}* role, and you have the *${refusal.role}* role in ${library}. An admin can change your role with \`/staff role\`.`
}

/** A radio or select option as the forms show it. Slack allows 75 characters in each part. */
export type Choice = { label: string; description?: string }

/** The options of `choices`, `initial` selected: for a radio buttons or static select element. */
export function choicesOf<T extends string>(choices: Record<T, Choice>, initial: T) {
  const options = (Object.entries(choices) as Array<[T, Choice]>).map(([value, choice]) => ({
    text: { type: 'plain_text' as const, text: choice.label },
    ...(choice.description && { description: { type: 'plain_text' as const, text: choice.description } }),
    value,
  }))
  return { options, initial_option: options.find((option) => option.value === initial) }
}

/** Counts as staff read them: "12,000". */
export const number = new Intl.NumberFormat('en')
/** "12,000 rows", "1 row". */
export const counted = (n: number, noun: string) => `${number.format(n)} ${noun}${n === 1 ? '' : 's'}`

/** How far long work has gone, to see at a glance: `▰▰▰▱▱▱▱▱▱▱ 30%`. Never full before it is done. */
export function progressBar(done: number, total: number): string {
  const share = total <= 0 ? 0 : Math.min(1, Math.max(0, done / total))
  const percent = done < total ? Math.min(99, Math.floor(share * 100)) : 100
  const filled = Math.round(percent / 10)
  return `${'▰'.repeat(filled)}${'▱'.repeat(10 - filled)} ${percent}%`
}
