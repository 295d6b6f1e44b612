import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { exampleEmail, withExamples } from './notices-examples.ts'

const guide = () => readFileSync(new URL('../../docs/staff/notices.md', import.meta.url), 'utf8')

test('each example email in docs/staff/notices.md is what the default template sends', () => {
  const text = guide()
  expect(text.match(/<!-- example email: /g)?.length).toBeGreaterThanOrEqual(8)
  expect(text).toEqual(withExamples(text))
})

test('an overdue notice reads well as it is: it greets the addressee, names the library and lists the loans', () => {
  const email = exampleEmail('circulation.overdue')
  expect(email).toMatch(/^Subject: .+\n\n/)
  expect(email).toContain('Riverside School Library')
  expect(email).not.toMatch(/\{\{|\{%|undefined|null/)
})
