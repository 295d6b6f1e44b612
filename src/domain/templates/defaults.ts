import type { ScenarioName } from '../scenarios/catalogue.ts'
import type { TemplateSource } from './render.ts'

// The templates every library starts with. They are written for whoever reads them (a parent, a
// student, a teacher, a supplier) in plain, warm school English, and read well as they are. The
// HTML is the body only: render.ts puts it in a page with the fonts, so Gmail and Outlook show the
// same thing; tables are real tables with headers, for screen readers; no images at all.
// Each part fits in a Slack text input (3,000 characters), so staff can edit it there.

const th = (label: string) => `<th scope="col" align="left" style="border-bottom:2px solid #999">${label}</th>`
const cell = 'style="border-bottom:1px solid #ddd;vertical-align:top"'

/** The loans as a table: title and author, then the due date and, for overdue ones, how late. */
function loanTable(extra: 'overdue' | 'due' | 'none'): string {
  const late =
    extra === 'overdue'
      ? '<br>{{ loan.days_overdue }} {% if loan.days_overdue == 1 %}day{% else %}days{% endif %} overdue'
      : extra === 'due'
        ? '<br>in {{ loan.days_until_due }} {% if loan.days_until_due == 1 %}day{% else %}days{% endif %}'
        : ''
  return [
    '<table cellpadding="6" cellspacing="0" style="border-collapse:collapse;margin:8px 0 16px">',
    `<tr>${th('Title')}${th('Due date')}</tr>`,
    '{% for loan in loans %}',
    `<tr><td ${cell}><strong>{{ loan.title }}</strong>{% if loan.author != blank %}<br>{{ loan.author }}{% endif %}</td><td ${cell}>{{ loan.due_date_text }}${late}</td></tr>`,
    '{% endfor %}',
    '</table>',
  ].join('\n')
}

/** The loans as a list in the plain text part. */
function loanList(extra: 'overdue' | 'due' | 'none'): string {
  const late =
    extra === 'overdue'
      ? ' ({{ loan.days_overdue }} {% if loan.days_overdue == 1 %}day{% else %}days{% endif %} overdue)'
      : extra === 'due'
        ? ' (in {{ loan.days_until_due }} {% if loan.days_until_due == 1 %}day{% else %}days{% endif %})'
        : ''
  return [
    '{% for loan in loans -%}',
    `- {{ loan.title }}{% if loan.author != blank %}, by {{ loan.author }}{% endif %}: ${extra === 'overdue' ? 'was due back' : 'due back'} {{ loan.due_date_text }}${late}`,
    '{% endfor %}',
  ].join('\n')
}

const itThem = (one: string, many: string) => `{% if loans.size == 1 %}${one}{% else %}${many}{% endif %}`

/** A circulation notice: a greeting, what it is about, the loans, what to do, and the sign-off. */
function loanNotice(input: { subject: string; opening: string; after: string[]; extra: 'overdue' | 'due' | 'none'; signOff: string }): TemplateSource {
  const html = [
    '<p>Dear {{ addressee }},</p>',
    `<p>${input.opening}</p>`,
    loanTable(input.extra),
    ...input.after.map((paragraph) => `<p>${paragraph}</p>`),
    `<p>${input.signOff},<br>{{ library.name }}</p>`,
  ].join('\n')
  const text = [
    'Dear {{ addressee }},',
    '',
    input.opening,
    '',
    loanList(input.extra),
    '',
    ...input.after.flatMap((paragraph) => [paragraph, '']),
    `${input.signOff},`,
    '{{ library.name }}',
  ].join('\n')
  return { subject: input.subject, html, text }
}

/** A reservation notice: one item, with what happens next. */
function reservationNotice(input: { subject: string; paragraphs: string[] }): TemplateSource {
  const item = '{{ reservation.title }}{% if reservation.author != blank %}, by {{ reservation.author }}{% endif %}'
  const htmlItem = '<strong>{{ reservation.title }}</strong>{% if reservation.author != blank %}, by {{ reservation.author }}{% endif %}'
  const html = [
    '<p>Dear {{ addressee }},</p>',
    ...input.paragraphs.map((paragraph) => `<p>${paragraph.replaceAll('ITEM', htmlItem)}</p>`),
    '<p>Happy reading,<br>{{ library.name }}</p>',
  ].join('\n')
  const text = [
    'Dear {{ addressee }},',
    '',
    ...input.paragraphs.flatMap((paragraph) => [paragraph.replaceAll('ITEM', item), '']),
    'Happy reading,',
    '{{ library.name }}',
  ].join('\n')
  return { subject: input.subject, html, text }
}

const whose = '{{ patron.full_name }}'

/** The default template of every scenario. */
export const defaultTemplates: Record<ScenarioName, TemplateSource> = {
  'circulation.pre_overdue': loanNotice({
    subject: `Reminder: ${itThem('a library book is', 'library books are')} due back soon`,
    opening: `This is a friendly reminder from the library. ${itThem(`This book borrowed by ${whose} is`, `These books borrowed by ${whose} are`)} due back soon:`,
    after: [`Please bring ${itThem('it', 'them')} back by the due date. If more time is needed, just ask at the library desk and we will be happy to help.`],
    extra: 'due',
    signOff: 'Happy reading',
  }),
  'circulation.overdue': loanNotice({
    subject: `Overdue library ${itThem('book', 'books')} for {{ patron.first_name }}`,
    opening: `${itThem(`This book borrowed by ${whose} is`, `These books borrowed by ${whose} are`)} now past ${itThem('its', 'their')} due date:`,
    after: [
      `Please return ${itThem('it', 'them')} to the library as soon as you can, so that other readers can enjoy ${itThem('it', 'them')} too.`,
      `If you have already returned ${itThem('it', 'them')}, thank you, and please ignore this email.`,
    ],
    extra: 'overdue',
    signOff: 'Thank you',
  }),
  'circulation.escalation_1': loanNotice({
    subject: `Second reminder: overdue library ${itThem('book', 'books')} for {{ patron.first_name }}`,
    opening: `We have not yet had back ${itThem(`this book borrowed by ${whose}`, `these books borrowed by ${whose}`)}, and ${itThem('it is', 'they are')} now well overdue:`,
    after: [
      `Please return ${itThem('it', 'them')} to the library this week. If a book has been lost or damaged, please let us know so that we can sort it out together.`,
      `If you have already returned ${itThem('it', 'them')}, thank you, and please ignore this email.`,
    ],
    extra: 'overdue',
    signOff: 'Thank you for your help',
  }),
  'circulation.escalation_2': loanNotice({
    subject: `Important: library ${itThem('book', 'books')} still overdue for {{ patron.first_name }}`,
    opening: `Despite our earlier reminders, ${itThem(`this book borrowed by ${whose} has`, `these books borrowed by ${whose} have`)} not been returned:`,
    after: [
      `Please return ${itThem('it', 'them')} within the next few days, or contact the library to tell us what has happened.`,
      'If a book cannot be found, we may need to ask for it to be replaced.',
    ],
    extra: 'overdue',
    signOff: 'Yours sincerely',
  }),
  'circulation.escalation_3': loanNotice({
    subject: `Final notice: overdue library ${itThem('book', 'books')} for {{ patron.first_name }}`,
    opening: `This is our final reminder. ${itThem(`This book borrowed by ${whose} is`, `These books borrowed by ${whose} are`)} still overdue:`,
    after: [
      `Please return ${itThem('it', 'them')} to the library now, or contact us straight away.`,
      `If we do not hear from you, the library will have to treat ${itThem('it', 'them')} as lost and ask for ${itThem('it', 'them')} to be paid for or replaced.`,
    ],
    extra: 'overdue',
    signOff: 'Yours sincerely',
  }),
  'circulation.recall': loanNotice({
    subject: `Please return a library ${itThem('book', 'books')} early: another reader needs ${itThem('it', 'them')}`,
    opening: `Another reader is waiting for ${itThem(`this book borrowed by ${whose}`, `these books borrowed by ${whose}`)}, so we have recalled ${itThem('it', 'them')}:`,
    after: [`Please return ${itThem('it', 'them')} to the library as soon as you can. Thank you for helping us share our books fairly.`],
    extra: 'none',
    signOff: 'Many thanks',
  }),
  'reservation.requested': reservationNotice({
    subject: 'Reservation received: {{ reservation.title }}',
    paragraphs: [
      'Thank you: the library has received the reservation for ITEM, placed for {{ patron.full_name }} on {{ reservation.placed_on_text }}.',
      'We will email again as soon as it is ready to collect.',
    ],
  }),
  'reservation.ready': reservationNotice({
    subject: 'Ready to collect: {{ reservation.title }}',
    paragraphs: [
      'Good news: ITEM, reserved for {{ patron.full_name }}, is ready to collect from the library desk.',
      '{% if reservation.pickup_by_text %}Please collect it by {{ reservation.pickup_by_text }}. After that it goes to the next reader.{% else %}Please collect it soon, as it is kept for a short time only.{% endif %}',
    ],
  }),
  'reservation.expiring': reservationNotice({
    subject: 'Reminder: please collect {{ reservation.title }}',
    paragraphs: [
      'ITEM, reserved for {{ patron.full_name }}, is still waiting at the library desk.',
      '{% if reservation.pickup_by_text %}Please collect it by {{ reservation.pickup_by_text }}, or it will go to the next reader.{% else %}Please collect it soon, or it will go to the next reader.{% endif %}',
    ],
  }),
  'reservation.expired': reservationNotice({
    subject: 'Reservation expired: {{ reservation.title }}',
    paragraphs: [
      'ITEM, reserved for {{ patron.full_name }}, was not collected{% if reservation.pickup_by_text %} by {{ reservation.pickup_by_text }}{% endif %}, so the reservation has ended and the item has gone to the next reader or back on the shelf.',
      'If it is still wanted, please ask at the library and we will gladly reserve it again.',
    ],
  }),
  'reservation.cancelled': reservationNotice({
    subject: 'Reservation cancelled: {{ reservation.title }}',
    paragraphs: [
      'The reservation of ITEM, placed for {{ patron.full_name }}, has been cancelled.',
      'If you did not expect this, or it is still wanted, please ask at the library desk and we will be glad to help.',
    ],
  }),
  'lending.loan_receipt': loanNotice({
    subject: `Library receipt: ${itThem('1 item', '{{ loans.size }} items')} borrowed by {{ patron.first_name }}`,
    opening: `Here is a receipt for ${itThem('the item', 'the items')} ${whose} has just borrowed from the library:`,
    after: [`Please return ${itThem('it', 'them')} by the due ${itThem('date', 'dates')}. Keep this email as a record of the loan.`],
    extra: 'none',
    signOff: 'Happy reading',
  }),
  'account.password_reset': {
    subject: 'Reset your library password',
    html: [
      '<p>Dear {{ addressee }},</p>',
      '<p>We received a request to reset the password of the library account <strong>{{ patron.username }}</strong>.</p>',
      '<p><a href="{{ reset_link }}" style="display:inline-block;padding:10px 18px;background:#1f5f8b;color:#ffffff;text-decoration:none;border-radius:4px">Choose a new password</a></p>',
      '<p>If the button does not work, copy this address into your web browser:<br>{{ reset_link }}</p>',
      '<p>The link works only for a short time and expires once it has been used.</p>',
      '<p>If you did not ask to reset your password, you can safely ignore this email: your password will stay as it is.</p>',
      '<p>{{ library.name }}</p>',
    ].join('\n'),
    text: [
      'Dear {{ addressee }},',
      '',
      'We received a request to reset the password of the library account {{ patron.username }}.',
      '',
      'To choose a new password, open this link:',
      '{{ reset_link }}',
      '',
      'The link works only for a short time and expires once it has been used.',
      '',
      'If you did not ask to reset your password, you can safely ignore this email: your password will stay as it is.',
      '',
      '{{ library.name }}',
    ].join('\n'),
  },
  'acquisitions.order': {
    subject: 'Purchase order {{ order.number }} from {{ library.name }}',
    html: [
      '<p>Dear {{ addressee }},</p>',
      '<p>Please supply the following for {{ library.name }}, under our order <strong>{{ order.number }}</strong> of {{ order.placed_on_text }}:</p>',
      '<table cellpadding="6" cellspacing="0" style="border-collapse:collapse;margin:8px 0 16px">',
      `<tr>${th('Line')}${th('Title')}${th('Quantity')}</tr>`,
      '{% for line in order.lines %}',
      `<tr><td ${cell}>{{ line.line_no }}</td><td ${cell}>{{ line.title }}</td><td ${cell} align="right">{{ line.quantity }}</td></tr>`,
      '{% endfor %}',
      '</table>',
      '<p>Please quote the order number {{ order.number }} on your delivery note and invoice. If anything is unavailable or will be delayed, please reply to this email.</p>',
      '<p>Kind regards,<br>{{ library.name }}</p>',
    ].join('\n'),
    text: [
      'Dear {{ addressee }},',
      '',
      'Please supply the following for {{ library.name }}, under our order {{ order.number }} of {{ order.placed_on_text }}:',
      '',
      '{% for line in order.lines -%}',
      '{{ line.line_no }}. {{ line.title }}, quantity {{ line.quantity }}',
      '{% endfor %}',
      '',
      'Please quote the order number {{ order.number }} on your delivery note and invoice. If anything is unavailable or will be delayed, please reply to this email.',
      '',
      'Kind regards,',
      '{{ library.name }}',
    ].join('\n'),
  },
}
