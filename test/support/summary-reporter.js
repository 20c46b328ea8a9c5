// Mocha reporter: the spec reporter's output, plus one record of the run appended to
// $TEST_SUMMARY_FILE (when set) for test/support/test-steps.js, which judges each step of
// scripts/test-all.sh and prints the closing "N passed, N failed, N skipped" line. The record
// carries what could make a green run meaningless: no tests, a dry run, a --grep/--fgrep filter.
"use strict";
const fs = require("fs");
const Mocha = require("mocha");

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.TEST_SUMMARY_FILE;
      if (!file) return;
      const s = runner.stats || {};
      const record = {
        tests: s.tests || 0,
        passes: s.passes || 0,
        failures: s.failures || 0,
        pending: s.pending || 0,
        dryRun: Boolean(options && options.dryRun),
        filtered: Boolean(options && options.grep),
      };
      fs.appendFileSync(file, JSON.stringify(record) + "\n");
    });
  }
}
module.exports = SummaryReporter;
