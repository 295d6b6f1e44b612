import type { BlacklistReason } from '../../domain/bounces/blacklist.ts'
import type { BlacklistNote } from '../../domain/bounces/queries.ts'
import { escapeMrkdwn } from '../views.ts'

const reasonLabels: Record<BlacklistReason, string> = {
  bounce: ':no_entry: Bounced',
  complaint: ':warning: Marked a notice as spam',
  soft_bounces: ':no_entry: Bounced again and again (temporarily)',
  suppressed: ':no_entry: On Amazon SES’s suppression list',
  manual: ':lock: Blacklisted by hand',
}

/** Why an address is blacklisted, in words: the kind, and SES's diagnostic or who added it. */
export function reasonWords(entry: Pick<BlacklistNote, 'reason' | 'detail' | 'addedBy'>): string {
  const by = entry.reason === 'manual' && entry.addedBy ? ` by ${actorWords(entry.addedBy)}` : ''
  const detail = entry.detail ? `: ${escapeMrkdwn(entry.detail)}` : ''
  return `${reasonLabels[entry.reason]}${by}${detail}`
}

// slack:U0123ABCD as a mention; other actors (api-key:4) as they are.
function actorWords(label: string): string {
  const member = /^slack:([UW][A-Z0-9]+)$/.exec(label)
  return member ? `<@${member[1]}>` : `\`${escapeMrkdwn(label)}\``
}
