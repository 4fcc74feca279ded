// Mutation testing of the pure core: every mutant of src/domain must make a test of
// test/domain fail. `npm run test:mutation` runs it (under Node 24: Stryker 10 needs Node >= 22).
// Mutants that change no behaviour (equivalent mutants) are disabled where they stand in the
// source, each with its reason (`// Stryker disable next-line <mutator>: why`).
//
// Survivors left on purpose (39 of 2,789, score 98.60%, at the last run), where a disable
// comment would also hide killed siblings of the same mutator on the line (outbound-policy.ts's
// 12, equivalent, are not yet disabled in its source). src/domain/anchoring has none: its 786
// mutants are killed (9 of them by a timeout), and its 12 equivalent ones are disabled where they
// stand, with the reason (poseidon.ts's reduction schedule changes the speed, never the hash).
// - market-maker/lmsr.ts:350, `hi = lo + step` → `lo - step` in the bracket's doubling loop: that
//   loop is reached only by rare property inputs (see its disable comments), so the mutant is
//   killed or survives depending on whether a run's random inputs reach it.
// - decision-rule/randomized.ts, apportion's loop for a negative leftover (15, 13 of them without
//   coverage): a defensive path for weights summing above 1 by rounding; no input among 3·10^5
//   random ones reached it, and apportion is private.
// - randomized.ts, the sort's last tie-break `a.i - b.i` → `a.i + b.i`: Array.prototype.sort is
//   stable and the array is built in index order, so ties already keep the lower index first.
// - market-maker/lmsr.ts, logMoveFactor's choice of evaluation (`lp > -700 && x < 700` at its
//   boundaries, always direct, `y >= -0.5`; 4): at the boundaries both forms are accurate, and
//   where the direct form overflows or loses p (NaN, 0·∞) it falls through to the log-space form.
// - money.ts, the `= ''` defaults of the sign and whole-part groups (2, no coverage): those groups
//   always take part in a match, so the defaults are never used (the decimals' default is, and
//   its mutant is killed).
// - money.ts, the leading-zeros suggestion's `/^0+(?=[0-9])/` without `^`: that branch is taken
//   only when the whole part starts with "0" and has another digit, so the leftmost match of the
//   unanchored pattern starts at index 0 too and removes the same zeros (its other three Regex
//   mutants are killed).
// - decision-rule/score.ts, scalarValueFromScore's isFinite(lo)/isFinite(hi) (2): an infinite or
//   NaN end also fails `lo < hi` or isFinite(hi - lo), so removing them refuses the same inputs.
// - outbound-policy.ts, addressBytes (8): the zone id's `/%.*$/` without `$` (differs only before
//   a line break, which isIP refuses either way); `toUpperCase` for `toLowerCase` (parseInt reads
//   hex in either case, the dotted-quad pattern reads digits only); the embedded IPv4 pattern
//   without `$` (isIP accepts a dotted quad only at the end); `tail = ["…"]` (length 1, so never
//   spliced in); keeping the dotted quad instead of slicing it off (`${text}0:0`: still two groups,
//   and bytes 12-15 they give are overwritten by the quad); an empty group list as `["…"]` (one
//   NaN group where "::" would put a zero: NaN >> 8 and NaN & 0xff are both 0); `right` as
//   groups(undefined) (also []).
// - outbound-policy.ts, range's `if (!bytes) throw` (2, the message without coverage): range()
//   runs only on the module's constants and on allow-list entries that compile() has already
//   found to be addresses; without the check, `bytes.length` throws a TypeError anyway.
// - outbound-policy.ts, parseAllowEntry's `bits !== undefined ||` for a name: a value with "/"
//   that is no address fails HOST_NAME anyway, "/" not being in its alphabet.
// - outbound-policy.ts, hostOf's `/^\[|\]$/g` without either anchor (2): URL.hostname has brackets
//   only around an IPv6 literal, one at each end.
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
  // that CI, from a fresh clone, starts from the last recorded run. A surviving mutant of a
  // module-level value (a static mutant, such as AMOUNT_FORM's text) is covered by no test in
  // particular, so a new test that kills it does not make it run again: after adding one, run
  // `npm run test:mutation -- --force --mutate 'FILE:FROM-TO'` for its lines (e.g. src/domain/money.ts:33-34).
  incremental: true,
  incrementalFile: 'test/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  thresholds: { high: 95, low: 90, break: 90 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
}
