import type { types } from '@slack/bolt'
import { z } from 'zod'
import type { BlacklistDigest } from '../../domain/bounces/blacklist-digest.ts'
import type { ListBlacklistError, RemoveFromBlacklistError } from '../../domain/bounces/errors.ts'
import type { BlacklistPage } from '../../domain/bounces/list-blacklist.ts'
import type { BlacklistEntry } from '../../domain/bounces/queries.ts'
import { assertNever } from '../../domain/result.ts'
import { type ContactRef, contactActions } from '../contacts/views.ts'
import { counted, escapeMrkdwn, notAllowedText, number, type SlackMessage } from '../views.ts'
import { reasonWords } from './reason-words.ts'

/** The buttons of `/bounces`; fixing an address is the contact card's own Edit (`contactActions.edit`). */
export const bounceActions = { remove: 'bounces.remove' } as const

/** What the Remove button carries: the address, and the list to show again afterwards. */
export type BounceRef = { address: string; since?: string }
const bounceRefSchema = z.object({ address: z.string().min(1).max(400), since: z.string().max(40).optional() })

export function parseBounceRef(value: string | undefined): BounceRef | undefined {
  try {
    const parsed = bounceRefSchema.safeParse(JSON.parse(value ?? ''))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

/** Entries one message shows: two blocks each, within Slack's fifty. */
export const bouncesPerMessage = 20

/** What the reader may do from the list: fix a contact (changeContacts), remove from the blacklist (reviewBlacklist). */
export type BounceOptions = { canFix: boolean; canRemove: boolean; notice?: string; since?: string }

/** `/bounces`: the blacklisted addresses of the library's contacts since a date, with what each reader may do. */
export function bouncesMessage(page: BlacklistPage, options: BounceOptions): SlackMessage {
  const since = day(page.timeZone).format(page.since)
  const blocks: types.KnownBlock[] = []
  if (options.notice) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: options.notice }] })
  if (page.entries.length === 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `No address of this library’s contacts was blacklisted since ${since}.` } })
    return { text: `No blacklisted addresses since ${since}`, blocks }
  }
  const shown = page.entries.slice(0, bouncesPerMessage)
  blocks.push({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: `*Blacklisted since ${since}: ${addresses(page.entries.length)}${page.truncated ? ' or more' : ''}*\nNo notice is mailed to these addresses, from any library. Fix the contact’s address, or take an address off the blacklist once you know it works.`,
    },
  })
  for (const entry of shown) blocks.push(...entryBlocks(entry, page.timeZone, options))
  const more = page.entries.length - shown.length
  if (more > 0 || page.truncated) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${more > 0 ? addresses(more, 'more ') : 'more'}: use \`/bounces since YYYY-MM-DD\` with a later date.` }],
    })
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Times in ${escapeMrkdwn(page.timeZone)}.` }] })
  return { text: `${addresses(page.entries.length, 'blacklisted ')} since ${since}`, blocks }
}

function entryBlocks(entry: BlacklistEntry, timeZone: string, options: BounceOptions): types.KnownBlock[] {
  const whose =
    entry.patrons.length === 0
      ? '_No contact of this library has it now._'
      : `Contact of ${entry.patrons.map((p) => `${escapeMrkdwn(p.patronName || p.username)} (\`${escapeMrkdwn(p.username)}\`, ${p.role})`).join(', ')}`
  const text = [`*${escapeMrkdwn(entry.address)}* · ${when(timeZone).format(entry.createdAt)}`, reasonWords(entry), whose].join('\n')
  const section: types.KnownBlock = { type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } }
  const buttons: types.Button[] = []
  if (options.canFix) {
    for (const patron of entry.patrons.slice(0, 4)) {
      const ref: ContactRef = { patronId: patron.patronId, contactId: patron.contactId }
      const label = entry.patrons.length === 1 ? 'Fix the address' : `Fix ${patron.username}’s`
      buttons.push({ type: 'button', text: { type: 'plain_text', text: label.slice(0, 75) }, action_id: contactActions.edit, value: JSON.stringify(ref) })
    }
  }
  if (options.canRemove) {
    const ref: BounceRef = { address: entry.address, ...(options.since !== undefined && { since: options.since }) }
    const question = `Take ${escapeMrkdwn(entry.address)} off the blacklist? Notices will be mailed to it again${entry.reason === 'complaint' ? ', although its owner marked one as spam' : ''}. Do it only once you know the address works.`
    buttons.push({
      type: 'button',
      text: { type: 'plain_text', text: 'Remove from blacklist' },
      action_id: bounceActions.remove,
      value: JSON.stringify(ref).slice(0, 2000),
      confirm: {
        title: { type: 'plain_text', text: 'Remove from blacklist?' },
        text: { type: 'mrkdwn', text: question.slice(0, 300) },
        confirm: { type: 'plain_text', text: 'Remove' },
        deny: { type: 'plain_text', text: 'Keep it' },
        style: 'danger',
      },
    })
  }
  if (buttons.length === 0) return [section]
  return [section, { type: 'actions', elements: buttons }]
}

/** The line under the list after a removal. */
export function removedText(address: string): string {
  return `:white_check_mark: Took ${escapeMrkdwn(address)} off the blacklist: notices may be mailed to it again.`
}

/** `/bounces` with something after it that is not a date. */
export function bouncesHelpText(value: string): string {
  return `“${escapeMrkdwn(value)}” is not a date. Type \`/bounces\` for the last 30 days, or \`/bounces since 2026-03-01\`.`
}

export function listBlacklistErrorText(error: ListBlacklistError, libraryName: string): string {
  switch (error.code) {
    case 'not_allowed':
      return notAllowedText(error, libraryName)
    case 'invalid_since':
      return bouncesHelpText(error.value)
    case 'library_not_found':
      return 'This library is no longer in library-comms.'
    default:
      return assertNever(error)
  }
}

export function removeErrorText(error: RemoveFromBlacklistError, libraryName: string): string {
  switch (error.code) {
    case 'not_allowed':
      return notAllowedText(error, libraryName)
    case 'not_blacklisted':
      return `${escapeMrkdwn(error.address)} is not on the blacklist any more: someone took it off meanwhile.`
    case 'suppression_list_unreachable':
      return `:warning: ${escapeMrkdwn(error.address)} stays on the blacklist: Amazon SES could not be reached to take it off its own suppression list too. Please try again in a few minutes.`
    default:
      return assertNever(error)
  }
}

/** The daily digest for the report channel: usernames and addresses, as staff see them in `/bounces`. */
export function digestMessage(digest: BlacklistDigest & { more: number }, timeZone: string): SlackMessage | undefined {
  if (digest.entries.length === 0) return undefined
  const lines = digest.entries.map((entry) => {
    const whose = entry.patrons.length === 0 ? '' : ` (${entry.patrons.map((p) => `\`${escapeMrkdwn(p.username)}\``).join(', ')})`
    return `• ${escapeMrkdwn(entry.address)}${whose}: ${reasonWords(entry)}`
  })
  if (digest.more > 0) lines.push(`…and ${addresses(digest.more, 'more ')}.`)
  const total = digest.entries.length + digest.more
  const head = `*Bounces: ${addresses(total)} blacklisted since ${when(timeZone).format(digest.since)}*`
  const blocks: types.KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `${head}\n${lines.join('\n')}`.slice(0, 3000) } }]
  if (digest.unreachable.length > 0) {
    const names = digest.unreachable.map((p) => `\`${escapeMrkdwn(p.username)}\``).join(', ')
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:warning: *${counted(digest.unreachable.length, 'patron')} can no longer be reached* (no contact left that notices can go to): ${names}`.slice(
          0,
          3000,
        ),
      },
    })
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Review and fix them with `/bounces`.' }] })
  const unreachable = digest.unreachable.length > 0 ? `; ${counted(digest.unreachable.length, 'patron')} no longer reachable` : ''
  return { text: `Bounces: ${addresses(total)} blacklisted${unreachable}`, blocks }
}

/** "1 address", "12 more addresses". */
const addresses = (n: number, what = '') => `${number.format(n)} ${what}${n === 1 ? 'address' : 'addresses'}`

const when = (timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' })
const day = (timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' })
