import type { types } from '@slack/bolt'
import type { ContactRole, ContactSource, ContactType, BccPreference, ContactUsage } from '../../domain/contacts/contact-fields.ts'
import type { Contact } from '../../domain/contacts/contact-view.ts'
import { displayName, type Patron, type PatronWithContacts } from '../../domain/patrons/patron-view.ts'
import type { PatronLookup } from '../../domain/patrons/show-patron.ts'
import { scenarioTitle } from '../../domain/scenarios/catalogue.ts'
import { counted, escapeMrkdwn, notice, type Choice, type SlackMessage } from '../views.ts'

/** Buttons on the patron card and the pick-list. */
export const contactActions = {
  pick: 'contacts.pick',
  add: 'contacts.add',
  edit: 'contacts.edit',
  remove: 'contacts.remove',
} as const

/** A button's value: which patron, and which contact, it is about. */
export type ContactRef = { patronId: number; contactId?: number }

/** What the card offers the person who reads it: only staff get Add, Edit and Remove. */
export type CardOptions = { canChange: boolean; notice?: string }

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

// A message holds at most 50 blocks; each contact takes two.
const contactsShown = 20

/** The answer to `/contacts` with nothing after it. */
export function contactsHelp(): SlackMessage {
  return notice(
    [
      '*Find a patron’s contacts*',
      '`/contacts asilva`: by username',
      '`/contacts silva` or `/contacts ana silva`: by part of a name; you pick when several patrons match',
      'The card shows each contact. Staff also get *Edit* and *Remove* beside each one, and *Add contact*.',
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

function pickList(candidates: Patron[], more: boolean, query: string): SlackMessage {
  const text = `Several patrons match “${escapeMrkdwn(query)}”. Which one?`
  const blocks: types.KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text } }]
  for (const patron of candidates) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*${escapeMrkdwn(displayName(patron))}* · ${patronFacts(patron)}` },
      accessory: button('Show', contactActions.pick, { patronId: patron.id }),
    })
  }
  if (more) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'More patrons match: type more of the name, or the username.' }] })
  return { text, blocks }
}

/** A patron and their contacts; staff (`canChange`) get buttons to add, edit and remove contacts. */
export function patronCard(patron: PatronWithContacts, options: CardOptions): SlackMessage {
  const name = displayName(patron)
  const blocks: types.KnownBlock[] = []
  if (options.notice) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: options.notice }] })
  blocks.push(
    { type: 'header', text: { type: 'plain_text', text: name.slice(0, 150) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: patronFacts(patron) }] },
    { type: 'divider' },
  )
  if (patron.contacts.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: '_No contacts yet._' } })
  for (const contact of patron.contacts.slice(0, contactsShown)) blocks.push(...contactBlocksOf(patron, contact, options))
  if (patron.contacts.length > contactsShown) {
    const hidden = patron.contacts.length - contactsShown
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${counted(hidden, 'more contact')}, not shown here.` }] })
  }
  if (options.canChange) {
    blocks.push({
      type: 'actions',
      block_id: 'patron',
      elements: [{ ...button('Add contact', contactActions.add, { patronId: patron.id }), style: 'primary' }],
    })
  }
  return { text: `${name} (${patron.username}): ${counted(patron.contacts.length, 'contact')}`, blocks }
}

function patronFacts(patron: Patron): string {
  return [
    `\`${escapeMrkdwn(patron.username)}\``,
    patron.type === 'staff' ? 'Staff' : 'Student',
    patron.academicLevel ? `Level: ${escapeMrkdwn(patron.academicLevel)}` : 'No level',
    patron.groups.length > 0 ? `Groups: ${patron.groups.map(escapeMrkdwn).join(', ')}` : 'No groups',
    patron.isEnabled ? 'Enabled' : '*Deactivated*',
  ].join(' · ')
}

function contactBlocksOf(patron: PatronWithContacts, contact: Contact, options: { canChange: boolean }): types.KnownBlock[] {
  const heading = [`*${roleChoices[contact.role].label}*`, typeChoices[contact.type].label]
  if (contact.isPrimary) heading.push(':star: Primary')
  const addressee = contact.addressee === '' ? '' : ` (to ${escapeMrkdwn(contact.addressee)})`
  const usage =
    contact.usage === 'custom'
      ? `custom: ${contact.scenarios.map(scenarioTitle).join(', ')}`
      : usageChoices[contact.usage].label.toLowerCase()
  const text = [
    heading.join(' · '),
    `${escapeMrkdwn(contact.address)}${addressee}`,
    `BCC: ${bccSummary[contact.bcc]} · Usage: ${usage} · Source: ${sourceLabels[contact.source]}`,
  ].join('\n')
  const section: types.KnownBlock = { type: 'section', text: { type: 'mrkdwn', text } }
  if (!options.canChange) return [section]
  const ref: ContactRef = { patronId: patron.id, contactId: contact.id }
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

/** "guardian contact ana@example.org", for lines saying what changes. */
export function contactSummaryOf(contact: Pick<Contact, 'role' | 'address'>): string {
  return `${roleChoices[contact.role].label.toLowerCase()} contact ${escapeMrkdwn(contact.address)}`
}

function button(label: string, actionId: string, ref: ContactRef): types.Button {
  return { type: 'button', text: { type: 'plain_text', text: label }, action_id: actionId, value: JSON.stringify(ref) }
}
