/**
 * Text that PostgreSQL cannot store: a NUL character (its text types end at byte 0), or half of
 * a UTF-16 surrogate pair, which has no UTF-8 form (JSON's "\ud800" makes one). Every door meets
 * such text (a damaged CSV file, an API body, a Slack command) and refuses it with the field.
 */
export function unstorableText(value: string): string | undefined {
  if (value.includes('\u0000')) return 'contains a NUL character (byte 0), which cannot be stored'
  if (!value.isWellFormed()) return 'contains a broken character (half of a UTF-16 surrogate pair), which cannot be stored'
  return undefined
}

/** "1 field", "3 fields": a count with its noun, for messages. */
export const countOf = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`

const quotedChars = 40

/**
 * A value as a message quotes it: at most 40 characters, so that a 5 MB cell never makes a 5 MB
 * message (a file's first 100 problems are kept and shown in Slack), and never half a character.
 * @example quoted('maybe') // '"maybe"'
 */
export function quoted(value: string): string {
  const text = value.trim()
  const printable = (part: string) => part.toWellFormed().replaceAll('\u0000', '\ufffd')
  if (text.length <= quotedChars) return `"${printable(text)}"`
  const cut = text.slice(0, /[\ud800-\udbff]/.test(text[quotedChars - 1]) ? quotedChars - 1 : quotedChars)
  return `"${printable(cut)}…"`
}
