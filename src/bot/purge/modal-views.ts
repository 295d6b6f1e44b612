import type { types } from '@slack/bolt'
import type { LoanToLose, PurgeCandidate, PurgeCandidatePage, PurgeFilter, PurgePageSize, PurgeRequestPatron } from '../../domain/purge/purge-view.ts'
import { purgePageSizes } from '../../domain/purge/purge-view.ts'
import { modalInput } from '../modal-state.ts'
import { counted, escapeMrkdwn, number } from '../views.ts'
import { contactsWords, maxSectionText, onLoanWords, patronName, purgeActions, requestPatronLine } from './views.ts'

/** The modals' callback ids, and the block ids of the candidates modal's inputs (errors land on them). */
export const purgeModalIds = { candidates: 'purge.candidates', loseLoans: 'purge.lose_loans', everyone: 'purge.everyone' } as const
export const purgeBlocks = {
  level: 'purge_level',
  group: 'purge_group',
  pageSize: 'purge_page_size',
  wholePage: 'purge_whole_page',
  /** One checkboxes block per ten patrons: `purge_pick_0`, `purge_pick_1`… */
  pickPrefix: 'purge_pick_',
} as const
/** The value of "Tick the whole page", and of "any" in the filters. */
export const wholePageChoice = 'whole_page'
export const anyChoice = '*'

/** What the candidates modal shows, kept in its private_metadata; never who may act. */
export type CandidatesState = { channelId: string; page: number; pageSize: PurgePageSize; filter: PurgeFilter }
/** The loans dialog: the list it came from, to show again once the loans are marked lost. */
export type LoseLoansState = { parentViewId: string; username: string; list: CandidatesState }
export type EveryoneState = { requestId: number; page: number }

// Slack allows 10 options in a checkboxes element, 100 in a select, and 100 blocks in a modal.
const optionsPerCheckboxes = 10
const optionsPerSelect = 99
const blocksPerModal = 100
/** "Everyone" lists this many a page, in sections of 25 lines (3,000 characters each). */
export const everyonePageSize: PurgePageSize = 50

const plain = (text: string, max = 75): types.PlainTextElement => ({ type: 'plain_text', text: text.length > max ? `${text.slice(0, max - 1)}…` : text })
const mrkdwn = (text: string): types.SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text } })

/** "Ana Silva · Year 7 · 2 contacts", as a tick box reads. */
export function candidateLabel(candidate: PurgeCandidate): string {
  return [patronName(candidate), candidate.academicLevel, contactsWords(candidate.contacts)].filter(Boolean).join(' · ')
}

const select = (blockId: string, label: string, choices: ReadonlyArray<{ text: string; value: string }>, initial: string): types.InputBlock => {
  const options = choices.map((choice) => ({ text: plain(choice.text), value: choice.value }))
  return {
    type: 'input',
    block_id: blockId,
    label: { type: 'plain_text', text: label },
    element: { type: 'static_select', action_id: modalInput, options, initial_option: options.find((o) => o.value === initial) ?? options[0] },
  }
}

const typedName = (blockId: string, label: string, chosen: string | undefined): types.InputBlock => ({
  type: 'input',
  block_id: blockId,
  optional: true,
  label: { type: 'plain_text', text: label },
  hint: { type: 'plain_text', text: 'Its name as the library has it; empty for every one. Then press Show.' },
  element: { type: 'plain_text_input', action_id: modalInput, max_length: 100, ...(chosen && { initial_value: chosen }) },
})

/**
 * The candidates of one page: the filters, the tickable patrons in boxes of ten with "Tick the whole
 * page", the patrons with items on loan apart (each with Mark as lost and purge), and Previous/Next.
 */
export function candidatesModal(input: {
  state: CandidatesState
  page: PurgeCandidatePage
  levels: readonly string[]
  groups: readonly string[]
  libraryName: string
  notice?: string
}): types.ModalView {
  const { state, page } = input
  const tickable = page.candidates.filter((c) => c.openLoans === 0)
  const withLoans = page.candidates.filter((c) => c.openLoans > 0)
  const blocks: types.KnownBlock[] = [
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text:
            `*${counted(page.total, 'deactivated patron')}* in *${escapeMrkdwn(input.libraryName)}*${state.filter.academicLevel || state.filter.group ? ' (filtered)' : ''}. ` +
            'Tick who to remove and press *Ask for approval*: nothing is removed until *another admin* approves it in the report channel.',
        },
      ],
    },
  ]
  if (input.notice) blocks.push(mrkdwn(input.notice))
  // A library with more names than a select lists has them typed, as in /preferences: a select would hide the rest.
  const filterBlock = (blockId: string, label: string, names: readonly string[], any: string, chosen: string | undefined) =>
    names.length > optionsPerSelect
      ? typedName(blockId, label, chosen)
      : select(blockId, label, [{ text: any, value: anyChoice }, ...names.map((name) => ({ text: name, value: name }))], chosen ?? anyChoice)
  if (input.levels.length > 0) blocks.push(filterBlock(purgeBlocks.level, 'Academic level', input.levels, 'Any level', state.filter.academicLevel))
  if (input.groups.length > 0) blocks.push(filterBlock(purgeBlocks.group, 'Group', input.groups, 'Any group', state.filter.group))
  const sizes = purgePageSizes.map((size) => ({ text: `${size} a page`, value: String(size) }))
  blocks.push(select(purgeBlocks.pageSize, 'Page size', sizes, String(state.pageSize)))
  blocks.push({ type: 'actions', elements: [{ type: 'button', action_id: purgeActions.show, value: 'show', text: plain('Show') }] })

  if (tickable.length > 0) {
    const wholePage: types.Option = { text: plain(`Tick the whole page (${counted(tickable.length, 'patron')})`), value: wholePageChoice }
    blocks.push({
      type: 'input',
      block_id: purgeBlocks.wholePage,
      optional: true,
      label: { type: 'plain_text', text: 'This page' },
      element: { type: 'checkboxes', action_id: modalInput, options: [wholePage] },
    })
    for (let start = 0; start < tickable.length; start += optionsPerCheckboxes) {
      const chunk = tickable.slice(start, start + optionsPerCheckboxes)
      blocks.push({
        type: 'input',
        block_id: `${purgeBlocks.pickPrefix}${start / optionsPerCheckboxes}`,
        optional: true,
        label: { type: 'plain_text', text: chunk.length === 1 ? `Patron ${start + 1}` : `Patrons ${start + 1}–${start + chunk.length}` },
        element: { type: 'checkboxes', action_id: modalInput, options: chunk.map((c) => ({ text: plain(candidateLabel(c)), value: c.username })) },
      })
    }
  } else if (withLoans.length === 0) {
    blocks.push(mrkdwn(page.total === 0 ? 'No deactivated patrons here: nobody to purge.' : 'Nobody on this page.'))
  }

  const pager = pagerBlocks(page.page, page.pages, purgeActions.page)
  if (withLoans.length > 0) {
    blocks.push({ type: 'divider' })
    blocks.push(
      mrkdwn(`*With items on loan* (${number.format(withLoans.length)}): they cannot be ticked. *Mark as lost and purge*, or leave them and chase the items.`),
    )
    const room = blocksPerModal - blocks.length - pager.length - 1
    const shown = withLoans.length > room ? withLoans.slice(0, room - 1) : withLoans
    for (const candidate of shown) {
      blocks.push({
        type: 'section',
        text: { type: 'mrkdwn', text: `${escapeMrkdwn(candidateLabel(candidate))} · *${onLoanWords(candidate.openLoans)}*` },
        accessory: { type: 'button', action_id: purgeActions.markLost, value: candidate.username, text: plain('Mark as lost and purge') },
      })
    }
    if (shown.length < withLoans.length) blocks.push(mrkdwn(`…and ${number.format(withLoans.length - shown.length)} more: choose a smaller page to see them.`))
  }
  blocks.push(...pager)
  return {
    type: 'modal',
    callback_id: purgeModalIds.candidates,
    private_metadata: JSON.stringify(state),
    title: plain('Purge patrons', 24),
    submit: plain('Ask for approval', 24),
    close: plain('Cancel', 24),
    blocks,
  }
}

/** Lines in as few sections as Slack takes: each section's text at most 3,000 characters, a line never split. */
export function sectionsOf(lines: readonly string[]): types.SectionBlock[] {
  const sections: types.SectionBlock[] = []
  let text = ''
  for (const line of lines.map((l) => (l.length > maxSectionText ? `${l.slice(0, maxSectionText - 1)}…` : l))) {
    if (text !== '' && text.length + 1 + line.length > maxSectionText) {
      sections.push(mrkdwn(text))
      text = ''
    }
    text = text === '' ? line : `${text}\n${line}`
  }
  if (text !== '') sections.push(mrkdwn(text))
  return sections
}

function pagerBlocks(page: number, pages: number, actionId: string): types.KnownBlock[] {
  if (pages <= 1) return []
  const buttons: types.Button[] = []
  if (page > 1) buttons.push({ type: 'button', action_id: `${actionId}_previous`, value: String(page - 1), text: plain('Previous') })
  if (page < pages) buttons.push({ type: 'button', action_id: `${actionId}_next`, value: String(page + 1), text: plain('Next') })
  return [
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Page ${number.format(page)} of ${number.format(pages)}` }] },
    { type: 'actions', elements: buttons },
  ]
}

/** The action ids of a pager's buttons. */
export const pagerActions = (actionId: string) => [`${actionId}_previous`, `${actionId}_next`] as const

/** The loans a patron still has out, pushed over the candidates: marking them lost makes the patron tickable. */
export function loseLoansModal(input: { state: LoseLoansState; candidate: { name: string }; loans: readonly LoanToLose[] }): types.ModalView {
  const { loans } = input
  const lines = loans.map(
    (loan) => `• *${escapeMrkdwn(loan.title.slice(0, 120) || 'Untitled')}* · barcode ${escapeMrkdwn(loan.barcode)} · due ${escapeMrkdwn(loan.dueDate)}`,
  )
  const sections = sectionsOf(lines).slice(0, 90)
  return {
    type: 'modal',
    callback_id: purgeModalIds.loseLoans,
    private_metadata: JSON.stringify(input.state),
    title: plain('Mark as lost', 24),
    submit: plain('Mark as lost', 24),
    close: plain('Back', 24),
    blocks: [
      mrkdwn(
        `*${escapeMrkdwn(input.candidate.name)}* has *${onLoanWords(loans.length)}*. Marking them lost stops their notices, tells the library system, ` +
          'and lets you tick the patron for the purge. *Back* leaves the items on loan, to chase.',
      ),
      ...sections,
    ],
  }
}

/** Everyone a request removes, a page at a time. */
export function everyoneModal(input: { state: EveryoneState; patrons: readonly PurgeRequestPatron[]; total: number }): types.ModalView {
  const pages = Math.max(1, Math.ceil(input.total / everyonePageSize))
  const lines = input.patrons.map((p) => `${requestPatronLine(p)}${p.openLoans > 0 ? ` · ${onLoanWords(p.openLoans)}, to mark lost` : ''}`)
  const sections = sectionsOf(lines)
  return {
    type: 'modal',
    callback_id: purgeModalIds.everyone,
    private_metadata: JSON.stringify(input.state),
    title: plain(`Purge request #${input.state.requestId}`, 24),
    close: plain('Close', 24),
    blocks: [
      ...(input.total === 0
        ? // Its patrons are gone: purged by it (or another request) already.
          [mrkdwn('Nobody left to remove: these patrons have been purged. The audit log keeps who they were.')]
        : [{ type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: `${counted(input.total, 'patron')} to remove.` }] }, ...sections]),
      ...pagerBlocks(input.state.page, pages, purgeActions.everyonePage),
    ],
  }
}
