import type { ChoiceMade } from '../../domain/preferences/choose-notice.ts'
import { noticeGroups } from '../../domain/preferences/groups.ts'
import type { UnsubscribeView } from '../../domain/preferences/show-unsubscribe.ts'

// Plain HTML a phone reads without zooming: no script, no external asset, system fonts, large
// buttons (at least 48 px high), and the result said in words, not colour.
const style = `
body{margin:0;padding:24px 16px;font:18px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;background:#fff}
main{max-width:34rem;margin:0 auto}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}
p{margin:0 0 1rem}
.library{color:#444;font-size:1rem;margin-bottom:.5rem}
.status{border-left:6px solid #1a5e20;padding:.5rem 1rem;background:#f1f8f1}
button{min-height:48px;min-width:12rem;font-size:1.1rem;padding:.6rem 1.2rem;border-radius:6px;border:2px solid #0b3d91;background:#0b3d91;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0b3d91}
button:focus{outline:3px solid #f5a623;outline-offset:2px}
`

function page(title: string, body: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${style}</style>`,
    '</head>',
    '<body>',
    '<main>',
    body,
    '</main>',
    '</body>',
    '</html>',
  ].join('\n')
}

const groupOf = (view: UnsubscribeView) => noticeGroups.find((group) => group.name === view.group)!
const kindOf = (view: UnsubscribeView) => groupOf(view).title.toLowerCase()
const aboutWhom = (view: UnsubscribeView) => (view.patronFirstName.trim() === '' ? 'this patron' : view.patronFirstName.trim())

function header(view: UnsubscribeView): string {
  return [
    `<p class="library">${escapeHtml(view.libraryName)}</p>`,
    `<h1>${escapeHtml(groupOf(view).title)} about ${escapeHtml(aboutWhom(view))}</h1>`,
    `<p>These are emails from the library about ${escapeHtml(groupOf(view).about)}.</p>`,
  ].join('\n')
}

function choiceForm(view: UnsubscribeView, input: { stop: boolean; secondary?: boolean }): string {
  const label = input.stop ? `Stop ${kindOf(view)}` : `Turn ${kindOf(view)} back on`
  return [
    '<form method="post">',
    `<input type="hidden" name="choice" value="${input.stop ? 'stop' : 'resume'}">`,
    `<button type="submit"${input.secondary ? ' class="secondary"' : ''}>${escapeHtml(label)}</button>`,
    '</form>',
  ].join('\n')
}

/** The link's page: what it is about, and the button that stops (or turns back on) the notice. */
export function unsubscribePage(view: UnsubscribeView): string {
  const parts = [header(view)]
  if (view.stopped) {
    parts.push(`<p class="status" role="status">You have stopped ${escapeHtml(kindOf(view))} about ${escapeHtml(aboutWhom(view))} at this address.</p>`)
    parts.push(choiceForm(view, { stop: false, secondary: true }))
  } else {
    parts.push(`<p>Stop them being sent to your address? Other emails from the library still come, and other people who get them still do.</p>`)
    parts.push(choiceForm(view, { stop: true }))
  }
  return page(`${groupOf(view).title}: ${view.libraryName}`, parts.join('\n'))
}

/** After a choice: what now holds, and the button that undoes it. */
export function choiceMadePage(choice: ChoiceMade): string {
  const status = choice.stopped
    ? `Done: ${kindOf(choice)} about ${aboutWhom(choice)} will no longer be sent to your address.`
    : `Done: ${kindOf(choice)} about ${aboutWhom(choice)} will be sent to your address again.`
  const undo = choice.stopped ? 'Changed your mind?' : 'Want to stop them after all?'
  return page(
    `${groupOf(choice).title}: ${choice.libraryName}`,
    [
      header(choice),
      `<p class="status" role="status">${escapeHtml(status)}</p>`,
      `<p>${undo}</p>`,
      choiceForm(choice, { stop: !choice.stopped, secondary: choice.stopped }),
    ].join('\n'),
  )
}

/** A link that is not ours, was changed, or whose email is gone: nothing was changed. */
export function invalidLinkPage(): string {
  return page(
    'Link not recognised',
    [
      '<h1>This link does not work</h1>',
      '<p>It may have been cut short or changed when it was copied. Nothing was changed.</p>',
      '<p>Open the link again from the email, or ask the library to stop these emails for you.</p>',
    ].join('\n'),
  )
}

/** A genuine link whose contact now has another address: it no longer speaks for whoever holds it. */
export function linkNoLongerAppliesPage(): string {
  return page(
    'Link no longer applies',
    [
      '<h1>This link no longer applies</h1>',
      '<p>The library has changed the address this email was sent to, so the link cannot change anything for the new address. Nothing was changed.</p>',
      '<p>If you still get emails from the library, use the link in the newest one, or ask the library to stop them for you.</p>',
    ].join('\n'),
  )
}

/** A POST to the page that chose nothing: the link may be fine, the form was not. */
export function missingChoicePage(): string {
  return page(
    'Nothing chosen',
    [
      '<h1>Nothing was chosen</h1>',
      '<p>The form did not say whether to stop these emails or turn them back on (its <code>choice</code> was missing or not one of the two). Nothing was changed.</p>',
      '<p>Open the link again from the email and press the button.</p>',
    ].join('\n'),
  )
}

/** A multipart POST whose body cannot be read as a form. */
export function unreadableFormPage(): string {
  return page(
    'Form not readable',
    [
      '<h1>The form could not be read</h1>',
      '<p>Its body is not the multipart form its Content-Type says. Nothing was changed.</p>',
      '<p>Open the link again from the email and press the button.</p>',
    ].join('\n'),
  )
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}
