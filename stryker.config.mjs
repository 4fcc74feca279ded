// Mutation testing of the pure core: every mutant of src/domain must make a test of
// test/domain fail. `npm run test:mutation` runs it (under Node 24: Stryker 10 needs Node >= 22).
// Mutants that change no behaviour (equivalent mutants) are disabled where they stand in the
// source, each with its reason (`// Stryker disable next-line <mutator>: why`).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.domain.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'src/domain/**/*.ts',
    // Re-exports only: nothing to mutate.
    '!src/domain/**/index.ts',
    // Request validation of an agent's settings: field paths and messages of 400 problem
    // documents, tested through the HTTP API (test/agents/*) against PostgreSQL, which this
    // database-free run does not start.
    '!src/domain/agents/settings.ts',
  ],
  checkers: [],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  // Only mutants whose code or covering tests changed are run again; the file is committed so
  // that CI, from a fresh clone, starts from the last recorded run.
  incremental: true,
  incrementalFile: 'test/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  thresholds: { high: 95, low: 90, break: 90 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
}
