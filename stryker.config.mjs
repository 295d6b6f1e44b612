// Mutation testing of the domain's rule files (issue 9): would a test fail if a rule broke?
// `npm run mutate` runs them all; `npm run mutate -- --mutate src/domain/imports/columns.ts` one.
// Not in CI: it takes minutes per file. The HTML report lands in reports/mutation/.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [
    'src/domain/imports/decode-text.ts',
    'src/domain/imports/contact-rows.ts',
    'src/domain/imports/columns.ts',
    'src/domain/imports/contacts-plan.ts',
    'src/domain/contacts/contact-fields.ts',
    'src/domain/staff/roles.ts',
  ],
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: true },
  coverageAnalysis: 'perTest',
  // The machine is shared: two sandboxes at most, each running its tests on one fork.
  concurrency: 2,
  timeoutMS: 20_000,
  // Stryker's tsconfig step crashes on TypeScript 7; Node strips the types itself, so it has
  // nothing to rewrite. A file that does not exist turns the step off.
  tsconfigFile: 'tsconfig.stryker-none.json',
  ignorePatterns: ['data', 'bench/.cache', 'scratch', 'reports', 'coverage'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: null },
  cleanTempDir: 'always',
}
