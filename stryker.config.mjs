// Mutation testing of the pure core: every mutant of src/domain must make a test of
// test/domain fail. `npm run test:mutation` runs it (under Node 24: Stryker 10 needs Node >= 22).
// Mutants that change no behaviour (equivalent mutants) are disabled where they stand in the
// source, each with its reason (`// Stryker disable next-line <mutator>: why`).
//
// Survivors left on purpose (26 of 1,736 at the last full run, score 98.5%), where a disable
// comment would also hide killed siblings of the same mutator on the line:
// - decision-rule/randomized.ts, apportion's loop for a negative leftover (15, 13 of them without
//   coverage): a defensive path for weights summing above 1 by rounding; no input among 3·10^5
//   random ones reached it, and apportion is private.
// - randomized.ts, the sort's last tie-break `a.i - b.i` → `a.i + b.i`: Array.prototype.sort is
//   stable and the array is built in index order, so ties already keep the lower index first.
// - market-maker/lmsr.ts, sharesForAmount's upward gallop body (2, no coverage): the estimate is
//   within one step of the answer (test/domain/market-maker-edges.test.ts), so it never iterates.
// - lmsr.ts, logMoveFactor's choice of evaluation (`lp > -700 && x < 700` at its boundaries, always
//   direct, `y >= -0.5`; 4): at the boundaries both forms are accurate, and where the direct form
//   overflows or loses p (NaN, 0·∞) it falls through to the log-space form anyway.
// - money.ts, the `= ''` defaults of the sign and whole-part groups (2, no coverage): those groups
//   always take part in a match, so the defaults are never used.
// - decision-rule/score.ts, scalarValueFromScore's isFinite(lo)/isFinite(hi) (2): an infinite or
//   NaN end also fails `lo < hi` or isFinite(hi - lo), so removing them refuses the same inputs.
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
