// Mocha reporter: the spec reporter's output, plus the run's counts appended to $TEST_SUMMARY_FILE
// so scripts/test-all.sh can print one closing "N passed, N failed, N skipped" line for all suites.
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
      fs.appendFileSync(
        file,
        JSON.stringify({ passes: s.passes || 0, failures: s.failures || 0, pending: s.pending || 0 }) + "\n",
      );
    });
  }
}
module.exports = SummaryReporter;
