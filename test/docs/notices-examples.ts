import { isScenarioName } from '../../src/domain/scenarios/catalogue.ts'
import { defaultTemplates } from '../../src/domain/templates/defaults.ts'
import { exampleContext } from '../../src/domain/templates/example-context.ts'
import { compileTemplate } from '../../src/domain/templates/render.ts'

// docs/staff/notices.md shows, under `<!-- example email: <scenario> -->`, the plain-text part of
// the scenario's default template as a parent reads it. notices-doc.test.ts holds it to the code;
// `node test/docs/notices-examples.ts docs/staff/notices.md` writes them afresh.

export const exampleLibrary = { libraryName: 'Riverside School Library', today: '2026-03-10' }

/** The example of `scenario`, as the guide shows it: the subject line, a blank line, the text. */
export function exampleEmail(scenario: string): string {
  if (!isScenarioName(scenario)) throw new Error(`${scenario} is not a scenario`)
  const email = compileTemplate(defaultTemplates[scenario]).render(exampleContext(scenario, exampleLibrary))
  return `Subject: ${email.subject}\n\n${email.text.trimEnd()}`
}

const marker = /<!-- example email: ([a-z_.0-9]+) -->\n(?:\n```text\n[\s\S]*?\n```\n)?/g

/** The guide with each marker followed by its example, in place of the one it had. */
export function withExamples(guide: string): string {
  return guide.replace(marker, (_, scenario: string) => `<!-- example email: ${scenario} -->\n\n\`\`\`text\n${exampleEmail(scenario)}\n\`\`\`\n`)
}

if (import.meta.main) {
  const { readFileSync, writeFileSync } = await import('node:fs')
  const path = process.argv[2]
  writeFileSync(path, withExamples(readFileSync(path, 'utf8')))
}
