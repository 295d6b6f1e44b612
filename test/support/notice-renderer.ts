import type { NoticeRenderer } from '../../src/domain/templates/render.ts'

/**
 * The templates stand in as plain lines that say whom the notice greets and what it lists, so a
 * test reads what an email would say.
 */
export const plainRenderer: NoticeRenderer = async () => (scenario, context) => ({
  subject: `${scenario} for ${context.patron?.username ?? context.addressee}`,
  html: `<p>Dear ${context.addressee}</p>${context.reset_link === undefined ? '' : `<a href="${context.reset_link}">Reset</a>`}`,
  text: [
    `Dear ${context.addressee}`,
    ...(context.loans ?? []).map((loan) => `${loan.title} by ${loan.author}, due ${loan.due_date_text}`),
    ...(context.reservation
      ? [`${context.reservation.title}, placed ${context.reservation.placed_on}, pick up by ${context.reservation.pickup_by ?? '-'}`]
      : []),
    ...(context.order
      ? [
          `Order ${context.order.number} of ${context.order.placed_on_text} for ${context.order.supplier.name}`,
          ...context.order.lines.map((line) => `${line.line_no}. ${line.quantity} x ${line.title}${line.isbn === undefined ? '' : ` (ISBN ${line.isbn})`}`),
        ]
      : []),
    ...(context.reset_link === undefined ? [] : [`Reset: ${context.reset_link}`]),
  ].join('\n'),
})
