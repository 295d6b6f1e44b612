/**
 * What a template is rendered with: the placeholders staff write, `{{ patron.first_name }}`,
 * `{% for loan in loans %}…{% endfor %}`. Keys are snake_case, as Liquid templates write them.
 * Each scenario offers a part of it (src/domain/templates/placeholders.ts says which); a
 * composer fills what its scenario offers. Dates are 'YYYY-MM-DD' (the library's calendar), and
 * their `_text` twins are written out for people ("Monday 2 March 2026").
 */
export type NoticeContext = {
  library: { name: string }
  /** How the notice greets its readers: the addressees of its To recipients ("Mrs Silva and Mr Silva"), else the patron's first name. */
  addressee: string
  patron?: { first_name: string; last_name: string; full_name: string; username: string }
  /** The loans the notice concerns (circulation notices, recall, loan receipt), most overdue first. */
  loans?: LoanContext[]
  reservation?: {
    title: string
    author: string
    barcode: string
    placed_on: string
    placed_on_text: string
    pickup_by: string | null
    pickup_by_text: string | null
  }
  order?: {
    number: string
    placed_on: string
    placed_on_text: string
    supplier: { name: string }
    lines: Array<{ line_no: number; title: string; quantity: number } & Record<string, unknown>>
  }
  /** The password-reset link: put into the email when it is sent, never stored in the readable body. */
  reset_link?: string
}

export type LoanContext = {
  title: string
  author: string
  barcode: string
  checked_out_on: string
  checked_out_on_text: string
  due_date: string
  due_date_text: string
  /** Days past the due date on the night it is sent (0 or less when not yet due). */
  days_overdue: number
  /** Days left until the due date (pre-overdue). */
  days_until_due: number
}
