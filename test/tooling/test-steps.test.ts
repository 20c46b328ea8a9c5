/**
 * The test runner itself (scripts/test-all.sh, test/support/test-steps.js, the summary reporter):
 * its closing line cannot be fooled. Fixture suites (test/fixtures/test-steps/) run through the
 * same step logic, with the real mocha configs' options.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const REPO = path.resolve(__dirname, "..", "..");
const STEPS = path.join(REPO, "test", "support", "test-steps.js");
const FIXTURES = path.join(REPO, "test", "fixtures", "test-steps");
const MOCHA = require.resolve("mocha/bin/mocha.js");
const CONFIGS = ["test/.mocharc.json", "test/.mocharc.e2e.json"];

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { judgeSuite } = require(STEPS) as {
  judgeSuite: (
    exit: number,
    records: object[],
  ) => { problems: string[]; counts: { passes: number; failures: number; pending: number } };
};

interface Config {
  spec: string[];
  reporter: string;
  "forbid-only"?: boolean;
  "forbid-pending"?: boolean;
  [k: string]: unknown;
}
const readConfig = (file: string): Config =>
  JSON.parse(fs.readFileSync(path.join(REPO, file), "utf8")) as Config;

describe("test runner: judging a suite step", () => {
  const run = { tests: 3, passes: 3, failures: 0, pending: 0, dryRun: false, filtered: false };

  it("passes a real run that exited 0", () => {
    assert.deepStrictEqual(judgeSuite(0, [run]), {
      problems: [],
      counts: { passes: 3, failures: 0, pending: 0 },
    });
  });

  it("fails a step that exited 0 without counts, with two runs' counts, or with 0 tests", () => {
    assert.match(judgeSuite(0, []).problems.join(), /reported no counts/);
    assert.match(judgeSuite(0, [run, run]).problems.join(), /reported 2 runs/);
    assert.deepStrictEqual(judgeSuite(0, [{ ...run, tests: 0, passes: 0 }]).problems, ["ran 0 tests"]);
  });

  it("fails a dry run, a --grep selection, a skipped test, and an exit status that disagrees with the counts", () => {
    assert.deepStrictEqual(judgeSuite(0, [{ ...run, dryRun: true }]).problems, [
      "was a dry run (tests listed, none run)",
    ]);
    assert.deepStrictEqual(judgeSuite(0, [{ ...run, filtered: true }]).problems, [
      "ran a --grep/--fgrep selection, not the suite",
    ]);
    assert.deepStrictEqual(judgeSuite(0, [{ ...run, pending: 1 }]).problems, ["skipped 1 test(s)"]);
    assert.deepStrictEqual(judgeSuite(3, [run]).problems, ["exited 3 although no test failed"]);
    assert.deepStrictEqual(judgeSuite(0, [{ ...run, passes: 2, failures: 1 }]).problems, [
      "reported 1 failure(s) but exited 0",
    ]);
  });

  it("takes failing tests that made mocha exit non-zero as the tests' failures, not a step problem", () => {
    assert.deepStrictEqual(judgeSuite(2, [{ ...run, passes: 1, failures: 2 }]), {
      problems: [],
      counts: { passes: 1, failures: 2, pending: 0 },
    });
  });
});

describe("test runner: fixture suites through test-steps.js", function () {
  this.timeout(120_000);
  let dir: string;
  let stepsFile: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "test-steps-"));
    stepsFile = path.join(dir, "steps.jsonl");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs test-steps.js with its own steps file (never the enclosing run's). */
  const steps = (...args: string[]): { code: number | null; out: string } => {
    const env: NodeJS.ProcessEnv = { ...process.env, TEST_STEPS_FILE: stepsFile };
    delete env.TEST_SUMMARY_FILE;
    const r = spawnSync(process.execPath, [STEPS, ...args], { cwd: REPO, env, encoding: "utf8" });
    return { code: r.status, out: r.stdout + r.stderr };
  };
  /** A mocha config with the unit suite's real options, for one fixture file. */
  const configFor = (fixture: string): string => {
    const {
      spec: _spec,
      ignore: _ignore,
      require: _require,
      extension: _ext,
      ...options
    } = readConfig(CONFIGS[0]);
    const file = path.join(dir, `${fixture}.mocharc.json`);
    fs.writeFileSync(
      file,
      JSON.stringify({ ...options, spec: [path.join(FIXTURES, `${fixture}.fixture.js`)] }),
    );
    return file;
  };
  const suite = (fixture: string, ...mochaArgs: string[]): void => {
    steps("suite", fixture, "--", process.execPath, MOCHA, "--config", configFor(fixture), ...mochaArgs);
  };
  const close = (): { code: number | null; out: string } => steps("close");

  it("a passing suite: the closing line counts its tests and the run passes", () => {
    suite("passing");
    const r = close();
    assert.strictEqual(r.code, 0, r.out);
    assert.match(r.out, /^2 passed, 0 failed, 0 skipped$/m);
    assert.doesNotMatch(r.out, /FAILED/);
  });

  it("a failing test fails the run and is counted once", () => {
    suite("failing");
    const r = close();
    assert.strictEqual(r.code, 1);
    assert.match(r.out, /failing: 1 failing test\(s\)/);
    assert.match(r.out, /^1 passed, 1 failed, 0 skipped$/m);
  });

  it("a suite that ran 0 tests fails the run", () => {
    suite("empty");
    const r = close();
    assert.strictEqual(r.code, 1);
    assert.match(r.out, /empty: ran 0 tests/);
    assert.match(r.out, /^0 passed, 1 failed, 0 skipped$/m);
  });

  it("a leftover .only fails the run (forbid-only), though the test it kept passes", () => {
    suite("only");
    const r = close();
    assert.strictEqual(r.code, 1);
    assert.match(r.out, /only: reported no counts.*exited 1 although no test failed/);
    assert.match(r.out, /^0 passed, 1 failed, 0 skipped$/m);
  });

  it("pending and skipped tests fail the run (forbid-pending), each counted", () => {
    suite("pending");
    const r = close();
    assert.strictEqual(r.code, 1);
    assert.match(r.out, /^1 passed, 2 failed, 0 skipped$/m);
  });

  it("a dry run or a --grep selection fails the run, even with every listed test 'passing'", () => {
    suite("passing", "--dry-run");
    suite("passing", "--grep", "passes too");
    suite("passing", "--grep", "matches nothing");
    const r = close();
    assert.strictEqual(r.code, 1);
    assert.match(r.out, /passing: was a dry run/);
    assert.match(r.out, /passing: ran a --grep\/--fgrep selection, not the suite\n/);
    assert.match(r.out, /passing: ran a --grep\/--fgrep selection, not the suite; ran 0 tests/);
  });

  it("a suite step that exits 0 without its runner's counts fails the run", () => {
    steps("suite", "silent", "--", process.execPath, "-e", "process.exit(0)");
    const r = close();
    assert.strictEqual(r.code, 1);
    assert.match(r.out, /silent: reported no counts/);
    assert.match(r.out, /^0 passed, 1 failed, 0 skipped$/m);
  });

  it("a failed check step (type check, lint, engine) fails the run; a passing one adds no test", () => {
    steps("check", "lint", "--", process.execPath, "-e", "process.exit(0)");
    assert.strictEqual(close().code, 0);
    steps("check", "type check", "--", process.execPath, "-e", "process.exit(4)");
    const r = close();
    assert.strictEqual(r.code, 1);
    assert.match(r.out, /type check: exited 4/);
    assert.match(r.out, /^0 passed, 1 failed, 0 skipped$/m);
  });

  it("no step at all is a failure, and a malformed call is refused", () => {
    const r = close();
    assert.strictEqual(r.code, 1);
    assert.match(r.out, /no step ran: 0 passed, 1 failed/);
    assert.strictEqual(steps("suite", "no command").code, 2);
  });
});

describe("test runner: npm test and its configs", () => {
  it("npm test takes no arguments: a --grep or --dry-run cannot narrow the suite", () => {
    for (const args of [["--grep", "x"], ["--dry-run"], ["test/plan/index.test.ts"]]) {
      const r = spawnSync("bash", [path.join(REPO, "scripts", "test-all.sh"), ...args], {
        cwd: REPO,
        encoding: "utf8",
      });
      assert.strictEqual(r.status, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /takes no arguments.*\n.*npm run test:files/);
    }
  });

  it("both suites forbid .only and pending tests and report counts", () => {
    for (const file of CONFIGS) {
      const c = readConfig(file);
      assert.strictEqual(c["forbid-only"], true, file);
      assert.strictEqual(c["forbid-pending"], true, file);
      assert.strictEqual(c.reporter, "test/support/summary-reporter.js", file);
    }
  });

  it("test:unit and test:e2e run those configs, and npm test runs test:unit and test:e2e", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    assert.match(pkg.scripts["test:unit"], /mocha --config test\/\.mocharc\.json$/);
    assert.match(pkg.scripts["test:e2e"], /mocha --config test\/\.mocharc\.e2e\.json$/);
    const testAll = fs.readFileSync(path.join(REPO, "scripts", "test-all.sh"), "utf8");
    assert.match(testAll, /^step suite "[^"]+" -- npm run --silent test:unit$/m);
    assert.match(testAll, /^step suite "[^"]+" -- npm run --silent test:e2e$/m);
  });

  it("every test file is in exactly one suite: unit or end-to-end", () => {
    const unit = readConfig(CONFIGS[0]);
    const e2e = readConfig(CONFIGS[1]);
    const ignored = (unit.ignore as string[]).map((g) => g.replace(/\/\*\*$/, "/"));
    const e2eRoots = e2e.spec.map((g) => g.replace(/\*\*\/\*\.test\.ts$/, ""));
    assert.deepStrictEqual([...ignored].sort(), [...e2eRoots].sort());
  });
});
