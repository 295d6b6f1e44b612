import type { types } from '@slack/bolt'
import type { Contact } from '../../domain/contacts/contact-view.ts'
import { displayName, type Patron } from '../../domain/patrons/patron-view.ts'
import { contactScenarioNames, scenarioTitle } from '../../domain/scenarios/catalogue.ts'
import { modalInput } from '../modal-state.ts'
import { choicesOf, escapeMrkdwn } from '../views.ts'
import { bccChoices, type ContactRef, roleChoices, typeChoices, usageChoices } from './views.ts'

/** The contact modal's callback id, and the block id of each field (errors land on them). */
export const contactModalId = 'contacts.modal'
export const contactBlocks = {
  role: 'contact_role',
  type: 'contact_type',
  address: 'contact_address',
  primary: 'contact_primary',
  addressee: 'contact_addressee',
  bcc: 'contact_bcc',
  usage: 'contact_usage',
  scenarios: 'contact_scenarios',
} as const
/** The value of the Primary tick box. */
export const primaryChoice = 'primary'

/** Where a modal came from: the patron, the contact being edited, and the card to refresh after. */
export type ContactModalTarget = ContactRef & { responseUrl?: string; channelId?: string }

/** The form to add a contact (no `contact`) or edit one, with every field of a contact. */
export function contactModal(input: { target: ContactModalTarget; patron: Patron; contact?: Contact }): types.ModalView {
  const { contact, patron } = input
  const scenarios = contact?.usage === 'custom' ? contact.scenarios : contactScenarioNames
  return {
    type: 'modal',
    callback_id: contactModalId,
    private_metadata: JSON.stringify(input.target),
    title: { type: 'plain_text', text: contact ? 'Edit contact' : 'Add a contact' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: `For *${escapeMrkdwn(displayName(patron))}* (\`${escapeMrkdwn(patron.username)}\`)` }] },
      {
        type: 'input',
        block_id: contactBlocks.role,
        label: { type: 'plain_text', text: 'Role' },
        element: { type: 'radio_buttons', action_id: modalInput, ...choicesOf(roleChoices, contact?.role ?? 'guardian') },
      },
      {
        type: 'input',
        block_id: contactBlocks.type,
        label: { type: 'plain_text', text: 'Type' },
        element: { type: 'radio_buttons', action_id: modalInput, ...choicesOf(typeChoices, contact?.type ?? 'email') },
      },
      {
        type: 'input',
        block_id: contactBlocks.address,
        label: { type: 'plain_text', text: 'Address' },
        hint: { type: 'plain_text', text: 'An email address, a phone number, or a social media handle, as the type says.' },
        element: {
          type: 'plain_text_input',
          action_id: modalInput,
          max_length: 320,
          ...(contact && { initial_value: contact.address }),
          placeholder: { type: 'plain_text', text: 'name@example.org' },
        },
      },
      {
        type: 'input',
        block_id: contactBlocks.primary,
        optional: true,
        label: { type: 'plain_text', text: 'Primary' },
        element: {
          type: 'checkboxes',
          action_id: modalInput,
          options: [primaryOption],
          ...(contact?.isPrimary && { initial_options: [primaryOption] }),
        },
      },
      {
        type: 'input',
        block_id: contactBlocks.addressee,
        optional: true,
        label: { type: 'plain_text', text: 'Addressee' },
        hint: { type: 'plain_text', text: 'How notices greet this contact, for example “Mrs Smith”.' },
        element: {
          type: 'plain_text_input',
          action_id: modalInput,
          max_length: 200,
          ...(contact && contact.addressee !== '' && { initial_value: contact.addressee }),
        },
      },
      {
        type: 'input',
        block_id: contactBlocks.bcc,
        label: { type: 'plain_text', text: 'BCC' },
        element: { type: 'radio_buttons', action_id: modalInput, ...choicesOf(bccChoices, contact?.bcc ?? 'default') },
      },
      {
        type: 'input',
        block_id: contactBlocks.usage,
        label: { type: 'plain_text', text: 'Usage' },
        element: { type: 'radio_buttons', action_id: modalInput, ...choicesOf(usageChoices, contact?.usage ?? 'any') },
      },
      {
        type: 'input',
        block_id: contactBlocks.scenarios,
        optional: true,
        label: { type: 'plain_text', text: 'Matching scenarios' },
        hint: { type: 'plain_text', text: 'Used only when usage is Custom.' },
        element: {
          type: 'multi_static_select',
          action_id: modalInput,
          options: contactScenarioNames.map(scenarioOption),
          ...(scenarios.length > 0 && { initial_options: scenarios.map(scenarioOption) }),
        },
      },
    ],
  }
}

const primaryOption: types.Option = {
  text: { type: 'plain_text', text: 'Primary contact' },
  description: { type: 'plain_text', text: 'Best practice: the patron themself. It does not change who receives mail.' },
  value: primaryChoice,
}

function scenarioOption(name: string): types.PlainTextOption {
  return { text: { type: 'plain_text', text: scenarioTitle(name) }, value: name }
}
