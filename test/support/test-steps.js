// The steps of scripts/test-all.sh, judged so that its closing line cannot be fooled.
//
//   node test/support/test-steps.js check <title> -- <command…>   a step that runs no tests (type
//                                                                  check, lint, engine build): its
//                                                                  exit status decides
//   node test/support/test-steps.js suite <title> -- <command…>   a mocha run with
//                                                                  test/support/summary-reporter.js
//   node test/support/test-steps.js close                          prints the failed steps and the
//                                                                  closing "N passed, N failed,
//                                                                  N skipped" line; exits 1 if any
//                                                                  step failed or none ran
//
// Verdicts accumulate in $TEST_STEPS_FILE (one JSON line per step). A suite step passes only when
// it exits 0 and its reporter wrote exactly one record of a real run: at least one test, none
// failed or skipped, not a dry run, no --grep/--fgrep. Anything else fails the step; a step that
// failed for a reason other than failing tests (no record, 0 tests, a dry run…) counts as one
// failure in the closing line, so that line never reads "0 failed" for a failed run.
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

/** What is wrong with a suite step, from its exit status and its reporter's records. */
function judgeSuite(exit, records) {
  const problems = [];
  if (records.length === 0) {
    problems.push("reported no counts (a suite step must run mocha with test/support/summary-reporter.js)");
  } else if (records.length > 1) {
    problems.push(`reported ${records.length} runs (one mocha run per step; a nested run leaked its counts)`);
  }
  const sum = (k) => records.reduce((n, r) => n + (Number(r[k]) || 0), 0);
  const counts = { passes: sum("passes"), failures: sum("failures"), pending: sum("pending") };
  if (records.length > 0) {
    if (records.some((r) => r.dryRun)) problems.push("was a dry run (tests listed, none run)");
    if (records.some((r) => r.filtered)) problems.push("ran a --grep/--fgrep selection, not the suite");
    if (sum("tests") === 0) problems.push("ran 0 tests");
    if (counts.pending > 0) problems.push(`skipped ${counts.pending} test(s)`);
    if (counts.failures > 0 && exit === 0)
      problems.push(`reported ${counts.failures} failure(s) but exited 0`);
  }
  if (exit !== 0 && counts.failures === 0) problems.push(`exited ${exit} although no test failed`);
  return { problems, counts };
}

/** Runs `command` (inheriting stdio) and returns its exit status; a signal counts as 128 + its number. */
function run(command, env) {
  const r = spawnSync(command[0], command.slice(1), { stdio: "inherit", env });
  if (r.error) {
    console.error(`could not start ${command[0]}: ${r.error.message}`);
    return 127;
  }
  if (r.status !== null) return r.status;
  return 128 + (os.constants.signals[r.signal] || 0);
}

function stepsFile() {
  const file = process.env.TEST_STEPS_FILE;
  if (!file) throw new Error("TEST_STEPS_FILE is not set (scripts/test-all.sh sets it)");
  return file;
}

function record(verdict) {
  fs.appendFileSync(stepsFile(), JSON.stringify(verdict) + "\n");
}

function step(kind, title, command) {
  console.log(`\n=== ${title}`);
  if (kind === "check") {
    const exit = run(command, process.env);
    const problems = exit === 0 ? [] : [`exited ${exit}`];
    record({ title, problems, passes: 0, failures: problems.length, pending: 0 });
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "test-step-"));
  const countsFile = path.join(dir, "counts.jsonl");
  fs.writeFileSync(countsFile, "");
  try {
    const exit = run(command, { ...process.env, TEST_SUMMARY_FILE: countsFile });
    const records = fs
      .readFileSync(countsFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    const { problems, counts } = judgeSuite(exit, records);
    // Failing tests count themselves; any other reason to fail the step counts as one failure.
    const failures = counts.failures + (problems.length > 0 && counts.failures === 0 ? 1 : 0);
    record({ title, problems, passes: counts.passes, failures, pending: counts.pending });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function close() {
  const file = stepsFile();
  const verdicts = (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  if (verdicts.length === 0) {
    console.log("\nno step ran: 0 passed, 1 failed, 0 skipped");
    return 1;
  }
  const failed = verdicts.filter((v) => v.problems.length > 0 || v.failures > 0);
  if (failed.length > 0) {
    console.log("\nFAILED:");
    for (const v of failed) {
      const why = v.problems.length > 0 ? v.problems.join("; ") : `${v.failures} failing test(s)`;
      console.log(`  ${v.title}: ${why}`);
    }
  }
  const total = (k) => verdicts.reduce((n, v) => n + v[k], 0);
  console.log(`\n${total("passes")} passed, ${total("failures")} failed, ${total("pending")} skipped`);
  return failed.length > 0 ? 1 : 0;
}

function main(argv) {
  const [kind, title, dashes, ...command] = argv;
  if (kind === "close" && argv.length === 1) return close();
  if ((kind === "check" || kind === "suite") && title && dashes === "--" && command.length > 0) {
    step(kind, title, command);
    return 0;
  }
  console.error("usage: test-steps.js check|suite <title> -- <command…> | test-steps.js close");
  return 2;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

module.exports = { judgeSuite };
