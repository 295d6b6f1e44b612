import type { types } from '@slack/bolt'
import type { BlacklistNote } from '../../domain/bounces/queries.ts'
import type { BccPreference, ContactRole, ContactSource, ContactType, ContactUsage } from '../../domain/contacts/contact-fields.ts'
import type { Contact } from '../../domain/contacts/contact-view.ts'
import type { OpenLoan } from '../../domain/notices/outbox-queries.ts'
import { displayName, type Patron, type PatronWithContacts } from '../../domain/patrons/patron-view.ts'
import type { InvalidQuery, PatronLookup } from '../../domain/patrons/show-patron.ts'
import { noticeGroupTitle } from '../../domain/preferences/groups.ts'
import { scenarioTitle } from '../../domain/scenarios/catalogue.ts'
import { reasonWords } from '../bounces/reason-words.ts'
import { type Choice, counted, escapeMrkdwn, notice, number, type SlackMessage } from '../views.ts'
import { loanBlocks } from './loan-views.ts'

/** Buttons on the patron card and the pick-list. */
export const contactActions = {
  pick: 'contacts.pick',
  add: 'contacts.add',
  edit: 'contacts.edit',
  remove: 'contacts.remove',
  page: 'contacts.page',
  deactivate: 'contacts.deactivate',
  reactivate: 'contacts.reactivate',
} as const

/**
 * A button's value: which patron, and which contact, it is about; `page` is the page of the card
 * the button is on, so the card comes back on that page after a change.
 */
export type ContactRef = { patronId: number; contactId?: number; page?: number }

/** Deactivate's and Reactivate's value: the patron by username, as the use case takes them, and the card's page. */
export type PatronRef = { username: string; page?: number }

/**
 * What the card offers the person who reads it: only staff get Add, Edit and Remove; `loans`,
 * given to staff who send notices, shows the patron's open loans with Recall and "Send overdue
 * notice now".
 */
export type CardOptions = {
  canChange: boolean
  notice?: string
  page?: number
  loans?: readonly OpenLoan[]
  /** Contacts whose address is blacklisted (bounced, complained…), by contact id: shown with a warning. */
  blacklisted?: ReadonlyMap<number, BlacklistNote>
  /** Deactivate, on an enabled patron's card: admins only. */
  canDeactivate?: boolean
  /** Reactivate, on a deactivated patron's card: staff and admins. */
  canReactivate?: boolean
}

/** Each choice's short name, and what it means where a librarian picks it. */
export const roleChoices: Record<ContactRole, Choice> = {
  patron: { label: 'Patron', description: 'The patron themself' },
  guardian: { label: 'Guardian', description: 'A parent or carer' },
  other: { label: 'Other', description: 'A teacher, the head of school…' },
}
export const typeChoices: Record<ContactType, Choice> = {
  email: { label: 'Email' },
  phone: { label: 'Phone', description: 'Recorded, not used for sending' },
  social: { label: 'Social media', description: 'Recorded, not used for sending' },
}
export const bccChoices: Record<BccPreference, Choice> = {
  yes: { label: 'Yes', description: 'The address goes in Bcc' },
  no: { label: 'No', description: 'The address goes in To' },
  default: { label: 'School default', description: 'As the library is set up' },
}
export const usageChoices: Record<ContactUsage, Choice> = {
  any: { label: 'Any scenario', description: 'Every notice the role may receive' },
  none: { label: 'Record keeping only', description: 'Never mailed' },
  custom: { label: 'Custom', description: 'Only the matching scenarios chosen below' },
}
const bccSummary: Record<BccPreference, string> = { yes: 'yes', no: 'no', default: 'school default' }
const sourceLabels: Record<ContactSource, string> = {
  import: 'imported',
  api: 'from the library system',
  staff: 'added or edited by staff',
}

// A message holds at most 50 blocks. Each contact takes two (its text, its buttons), the card's
// head, page line and last buttons six more, and the open loans three: 20 contacts a page leave room.
export const contactsPerPage = 20

/** The answer to `/contacts` with nothing after it. */
export function contactsHelp(): SlackMessage {
  return notice(
    [
      '*Find a patron’s contacts*',
      '`/contacts asilva`: by username',
      '`/contacts silva` or `/contacts ana silva`: by part of a name; you pick when several patrons match',
      'The card shows each contact. Staff also get *Edit* and *Remove* beside each one, and *Add contact*.',
      'Admins can *Deactivate* a patron from the card (no more notices; a purge candidate); staff can *Reactivate* one.',
    ].join('\n'),
  )
}

/** The answer to `/contacts <query>`. */
export function lookupMessage(lookup: PatronLookup, query: string, options: CardOptions): SlackMessage {
  switch (lookup.kind) {
    case 'found':
      return patronCard(lookup.patron, options)
    case 'several':
      return pickList(lookup.candidates, lookup.more, query)
    case 'none':
      return notice(`No patron matches “${escapeMrkdwn(lookup.query)}”. Try the username, or part of the first or last name.`)
  }
}

/** Why a search text was not searched, and what to do. */
export function invalidQueryText(error: InvalidQuery): string {
  const what = {
    nul_character: 'a NUL character, which programs sometimes paste in unseen',
    unpaired_surrogate: 'half of an emoji or symbol, left by copying part of a text',
  }[error.reason]
  return `Your search contains a character that cannot be searched (${what}). Type the username or name again, without copying it, and try once more.`
}

function pickList(candidates: Patron[], more: boolean, query: string): SlackMessage {
  const text = `Several patrons match “${escapeMrkdwn(query)}”. Which one?`
  const blocks: types.KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text } }]
  for (const patron of candidates) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*${escapeMrkdwn(displayName(patron))}*${patron.isEnabled ? '' : ` ${deactivatedMark}`} · ${patronFacts(patron)}` },
      accessory: button('Show', contactActions.pick, { patronId: patron.id }),
    })
  }
  if (more) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'More patrons match: type more of the name, or the username.' }] })
  return { text, blocks }
}

/**
 * A patron and their contacts, a page of `contactsPerPage` at a time. Staff (`canChange`) get
 * buttons to add, edit and remove contacts; everyone can turn the pages.
 */
export function patronCard(patron: PatronWithContacts, options: CardOptions): SlackMessage {
  const name = displayName(patron)
  const count = patron.contacts.length
  const pages = Math.max(1, Math.ceil(count / contactsPerPage))
  // A page past the end (contacts were removed meanwhile) shows the last one.
  const page = Math.min(Math.max(1, Math.trunc(options.page ?? 1)), pages)
  const first = (page - 1) * contactsPerPage
  const shown = patron.contacts.slice(first, first + contactsPerPage)

  const blocks: types.KnownBlock[] = []
  if (options.notice) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: options.notice }] })
  // A deactivated patron is marked where the eye lands first: the header, then what it means.
  const header = patron.isEnabled ? name.slice(0, 150) : `${name.slice(0, 125)} · ${deactivatedMark}`
  // What it means goes with the facts, in the same block: a full page of contacts leaves no block spare.
  const facts = patron.isEnabled ? patronFacts(patron) : `${patronFacts(patron)}\n${deactivatedMeaning}`
  blocks.push(
    { type: 'header', text: { type: 'plain_text', text: header, emoji: true } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: facts }] },
    { type: 'divider' },
  )
  if (count === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: '_No contacts yet._' } })
  for (const contact of shown) {
    blocks.push(...contactBlocksOf(patron, contact, { canChange: options.canChange, page, blacklisted: options.blacklisted?.get(contact.id) }))
  }
  if (options.loans) blocks.push({ type: 'divider' }, ...loanBlocks(patron, options.loans, page))

  const buttons: types.Button[] = []
  if (pages > 1) {
    const range = `${number.format(first + 1)}–${number.format(first + shown.length)}`
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Contacts ${range} of ${number.format(count)} (page ${page} of ${pages})` }] })
    if (page > 1) buttons.push(button(`Previous ${contactsPerPage}`, contactActions.page, { patronId: patron.id, page: page - 1 }))
    if (page < pages) {
      const next = Math.min(contactsPerPage, count - (first + shown.length))
      buttons.push(button(`Next ${next}`, contactActions.page, { patronId: patron.id, page: page + 1 }))
    }
  }
  if (options.canChange) buttons.push({ ...button('Add contact', contactActions.add, { patronId: patron.id, page }), style: 'primary' })
  if (patron.isEnabled && options.canDeactivate) buttons.push(deactivateButton(patron, page))
  if (!patron.isEnabled && options.canReactivate) buttons.push(patronButton('Reactivate', contactActions.reactivate, { username: patron.username, page }))
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: 'patron', elements: buttons })
  const state = patron.isEnabled ? '' : ', deactivated'
  return { text: `${name} (${patron.username}${state}): ${counted(count, 'contact')}`, blocks }
}

/** How a deactivated patron is marked on the card, the pick-list and the email log. */
export const deactivatedMark = ':no_entry_sign: Deactivated'
const deactivatedMeaning = 'Deactivated: they get no notices, and they are a purge candidate until they are reactivated.'

/** The line above the card after Deactivate or Reactivate: what changed, or that nothing had to. */
export function patronEnabledText(patron: Patron & { changed: boolean }): string {
  const name = `*${escapeMrkdwn(displayName(patron))}*`
  if (!patron.changed) return patron.isEnabled ? `${name} is already active: nothing changed.` : `${name} was already deactivated: nothing changed.`
  return patron.isEnabled
    ? `Reactivated ${name}: their notices start again with the next run.`
    : `Deactivated ${name}: they get no notices, and they are a purge candidate.`
}

function deactivateButton(patron: Patron, page: number): types.Button {
  const name = escapeMrkdwn(displayName(patron))
  return {
    ...patronButton('Deactivate', contactActions.deactivate, { username: patron.username, page }),
    style: 'danger',
    confirm: {
      title: { type: 'plain_text', text: 'Deactivate this patron?' },
      // Slack allows 300 characters in a confirm dialog's text.
      text: { type: 'mrkdwn', text: `*${name}* (\`${escapeMrkdwn(patron.username)}\`). They get no notices and become a purge candidate.`.slice(0, 300) },
      confirm: { type: 'plain_text', text: 'Deactivate' },
      deny: { type: 'plain_text', text: 'Keep active' },
      style: 'danger',
    },
  }
}

function patronButton(label: string, actionId: string, ref: PatronRef): types.Button {
  return { type: 'button', text: { type: 'plain_text', text: label }, action_id: actionId, value: JSON.stringify(ref) }
}

// A deactivated patron is marked beside the name (deactivatedMark), not among these facts.
function patronFacts(patron: Patron): string {
  return [
    `\`${escapeMrkdwn(patron.username)}\``,
    patron.type === 'staff' ? 'Staff' : 'Student',
    patron.academicLevel ? `Level: ${escapeMrkdwn(patron.academicLevel)}` : 'No level',
    patron.groups.length > 0 ? `Groups: ${patron.groups.map(escapeMrkdwn).join(', ')}` : 'No groups',
    ...(patron.isEnabled ? ['Enabled'] : []),
  ].join(' · ')
}

function contactBlocksOf(
  patron: PatronWithContacts,
  contact: Contact,
  options: { canChange: boolean; page: number; blacklisted: BlacklistNote | undefined },
): types.KnownBlock[] {
  const heading = [`*${roleChoices[contact.role].label}*`, typeChoices[contact.type].label]
  if (contact.isPrimary) heading.push(':star: Primary')
  const addressee = contact.addressee === '' ? '' : ` (to ${escapeMrkdwn(contact.addressee)})`
  const usage = contact.usage === 'custom' ? `custom: ${contact.scenarios.map(scenarioTitle).join(', ')}` : usageChoices[contact.usage].label.toLowerCase()
  const text = [
    heading.join(' · '),
    `${escapeMrkdwn(contact.address)}${addressee}`,
    `BCC: ${bccSummary[contact.bcc]} · Usage: ${usage} · Source: ${sourceLabels[contact.source]}`,
    ...(options.blacklisted
      ? [
          `:warning: *Blacklisted: no notice is mailed to this address.* ${reasonWords(options.blacklisted)}${options.canChange ? '\nEdit it to a working address.' : ''}`,
        ]
      : []),
    ...contact.stoppedByRecipient.map(
      (choice) => `:no_bell: Stopped ${noticeGroupTitle(choice.group).toLowerCase()} on ${slackDay(choice.at)} (their own choice)`,
    ),
  ].join('\n')
  const section: types.KnownBlock = { type: 'section', text: { type: 'mrkdwn', text } }
  if (!options.canChange) return [section]
  const ref: ContactRef = { patronId: patron.id, contactId: contact.id, page: options.page }
  const name = escapeMrkdwn(displayName(patron))
  // Slack allows 300 characters in a confirm dialog's text; an address alone may have 320.
  const question = `Remove ${name}’s ${contactSummaryOf(contact)}? Notices about ${name} will no longer go to this address.`
  return [
    section,
    {
      type: 'actions',
      block_id: `contact-${contact.id}`,
      elements: [
        button('Edit', contactActions.edit, ref),
        {
          ...button('Remove', contactActions.remove, ref),
          style: 'danger',
          confirm: {
            title: { type: 'plain_text', text: 'Remove this contact?' },
            text: { type: 'mrkdwn', text: question.slice(0, 300) },
            confirm: { type: 'plain_text', text: 'Remove' },
            deny: { type: 'plain_text', text: 'Keep it' },
            style: 'danger',
          },
        },
      ],
    },
  ]
}

// Slack writes the day in each reader's own time zone; the fallback is for old clients.
function slackDay(at: Date): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date}|${at.toISOString().slice(0, 10)}>`
}

/** "guardian contact ana@example.org", for lines saying what changes. */
export function contactSummaryOf(contact: Pick<Contact, 'role' | 'address'>): string {
  return `${roleChoices[contact.role].label.toLowerCase()} contact ${escapeMrkdwn(contact.address)}`
}

function button(label: string, actionId: string, ref: ContactRef): types.Button {
  return { type: 'button', text: { type: 'plain_text', text: label }, action_id: actionId, value: JSON.stringify(ref) }
}
