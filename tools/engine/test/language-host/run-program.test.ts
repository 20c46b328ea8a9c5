/**
 * Run's command line and environment (as Pulumi's official host builds them), locating the SDK's
 * runner from the program directory, and how a program's exit becomes a RunResponse — the last with
 * real node child processes.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import {
  EXIT_CODE_ERROR_ALREADY_REPORTED,
  ProgramControl,
  RunInputs,
  buildRunInvocation,
  findOnPath,
  locateRunner,
  runProgram,
  toLegacyConfigKey,
} from "../../language-host/run-program";
import { PACKAGE_ROOT, REPO_ROOT } from "../support/sandbox";

const inputs: RunInputs = {
  runPath: "/p/node_modules/@pulumi/pulumi/cmd/run/index.js",
  monitorAddress: "127.0.0.1:1001",
  engineAddress: "127.0.0.1:1002",
  organization: "acme",
  project: "proj",
  stack: "dev",
  rootDirectory: "/p",
  programDirectory: "/p/src",
  entryPoint: ".",
  args: ["extra"],
  dryRun: true,
  parallel: 16,
  tracing: "",
  config: { "proj:greeting": "hi", "aws:config:region": "eu-west-1" },
  configSecretKeys: ["proj:greeting"],
  options: { typescript: true, tsconfig: "", nodeargs: "", packagemanager: "auto" },
};

describe("run-program: buildRunInvocation", () => {
  it("passes the engine's request as the SDK runner's flags, in the official host's order", () => {
    const { args } = buildRunInvocation(inputs);
    assert.deepStrictEqual(args, [
      inputs.runPath,
      "--monitor",
      "127.0.0.1:1001",
      "--engine",
      "127.0.0.1:1002",
      "--organization",
      "acme",
      "--project",
      "proj",
      "--root-directory",
      "/p",
      "--stack",
      "dev",
      "--pwd",
      "/p/src",
      "--dry-run",
      "--parallel",
      "16",
      ".",
      "extra",
    ]);
  });

  it("omits empty flags and --dry-run for an update, but always passes --parallel", () => {
    const { args } = buildRunInvocation({
      ...inputs,
      organization: "",
      dryRun: false,
      parallel: 0,
      args: [],
    });
    assert.ok(!args.includes("--organization") && !args.includes("--dry-run"));
    assert.deepStrictEqual(args.slice(-3), ["--parallel", "0", "."]);
  });

  it("puts nodeargs before the runner and tracing after parallel", () => {
    const { args } = buildRunInvocation({
      ...inputs,
      tracing: "http://127.0.0.1:9411",
      options: { ...inputs.options, nodeargs: "--max-old-space-size=4096 '--title=a b'" },
    });
    assert.deepStrictEqual(args.slice(0, 3), ["--max-old-space-size=4096", "--title=a b", inputs.runPath]);
    assert.deepStrictEqual(args.slice(-4, -2), ["--tracing", "http://127.0.0.1:9411"]);
  });

  it("hands config over in the legacy <ns>:config:<name> form, with the secret keys as given", () => {
    const { env } = buildRunInvocation(inputs);
    assert.deepStrictEqual(JSON.parse(env.PULUMI_CONFIG), {
      "proj:config:greeting": "hi",
      "aws:config:region": "eu-west-1",
    });
    assert.deepStrictEqual(JSON.parse(env.PULUMI_CONFIG_SECRET_KEYS), ["proj:greeting"]);
  });

  it("sets the TypeScript variables from the runtime options", () => {
    assert.strictEqual(buildRunInvocation(inputs).env.PULUMI_NODEJS_TYPESCRIPT, "true");
    const js = buildRunInvocation({
      ...inputs,
      options: { ...inputs.options, typescript: false, tsconfig: "tsconfig.pulumi.json" },
    }).env;
    assert.strictEqual(js.PULUMI_NODEJS_TYPESCRIPT, undefined);
    assert.strictEqual(js.PULUMI_NODEJS_TSCONFIG_PATH, "tsconfig.pulumi.json");
  });

  it("rejects a config key that is not <namespace>:<name>, naming it", () => {
    assert.throws(
      () => buildRunInvocation({ ...inputs, config: { nonamespace: "x" } }),
      /could not parse nonamespace/,
    );
    assert.throws(() => toLegacyConfigKey("a:b:c"), /could not parse a:b:c/);
    assert.strictEqual(toLegacyConfigKey("a:config:c"), "a:config:c");
  });
});

describe("run-program: locateRunner and findOnPath", () => {
  it("resolves @pulumi/pulumi/cmd/run from the program directory's node_modules", () => {
    assert.strictEqual(
      locateRunner(path.join(REPO_ROOT, "components"), {}),
      require.resolve("@pulumi/pulumi/cmd/run", { paths: [REPO_ROOT] }),
    );
  });

  it("tells the user to install the SDK when the program has none", () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "lh-norunner-"));
    try {
      assert.throws(
        () => locateRunner(empty, {}),
        /Pulumi SDK has not been installed. Have you run pulumi install\?/,
      );
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it("honours PULUMI_LANGUAGE_NODEJS_RUN_PATH", () => {
    const script = path.join(PACKAGE_ROOT, "language-host", "bootstrap.js");
    assert.strictEqual(locateRunner("/", { PULUMI_LANGUAGE_NODEJS_RUN_PATH: script }), script);
  });

  it("finds node on PATH and nothing for a missing command", () => {
    assert.match(findOnPath("node") ?? "", /node$/);
    assert.strictEqual(findOnPath("definitely-not-a-command-3f9a"), undefined);
  });
});

describe("run-program: runProgram exit handling (real node processes)", function () {
  this.timeout(30_000);
  const node = process.execPath;
  const run = (code: string, onStart: (c: ProgramControl) => void = () => undefined) =>
    runProgram(node, { args: ["-e", code], env: { LH_TEST_VALUE: "seen" } }, onStart, 1000);

  it("succeeds on exit 0 and passes the added environment", async () => {
    assert.deepStrictEqual(await run("process.exit(process.env.LH_TEST_VALUE === 'seen' ? 0 : 5)"), {
      error: "",
      bail: false,
    });
  });

  it("bails quietly on the SDK's 'already reported' exit code", async () => {
    assert.deepStrictEqual(await run(`process.exit(${EXIT_CODE_ERROR_ALREADY_REPORTED})`), {
      error: "",
      bail: true,
    });
  });

  it("reports any other exit code", async () => {
    assert.deepStrictEqual(await run("process.exit(7)"), {
      error: "Program exited with non-zero exit code: 7",
      bail: false,
    });
  });

  it("adds the out-of-memory hint when V8 printed its OOM report", async () => {
    const outcome = await run("process.stderr.write('<--- Last few GCs --->\\n'); process.exit(134)");
    assert.match(
      outcome.error,
      /^Program exited with non-zero exit code: 134\. Detected a possible out of memory/,
    );
  });

  it("interrupt stops a running program (SIGINT)", async () => {
    const outcome = await run("setInterval(() => {}, 1000)", (c) => setTimeout(() => c.interrupt(), 300));
    assert.deepStrictEqual(outcome, { error: "Program exited with non-zero exit code: -1", bail: false });
  });

  it("a host that exits takes its running program with it (no orphan)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lh-orphan-"));
    const pidFile = path.join(dir, "pid");
    try {
      // The "host": starts a program that records its pid and idles, then exits as on engine loss.
      const program = `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`;
      const host = [
        `const { runProgram } = require(${JSON.stringify(path.join(PACKAGE_ROOT, "language-host", "run-program.ts"))});`,
        `void runProgram(process.execPath, { args: ["-e", ${JSON.stringify(program)}], env: {} }, () => undefined);`,
        `const t = setInterval(() => { if (require("fs").existsSync(${JSON.stringify(pidFile)})) process.exit(1); }, 50);`,
      ].join("\n");
      const r = spawnSync(node, ["-r", "ts-node/register/transpile-only", "-e", host], {
        cwd: PACKAGE_ROOT,
        timeout: 20_000,
      });
      assert.strictEqual(r.status, 1, String(r.stderr));
      const pid = Number(fs.readFileSync(pidFile, "utf8"));
      const alive = (): boolean => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      for (let i = 0; i < 40 && alive(); i++) await new Promise((res) => setTimeout(res, 50));
      const stillAlive = alive();
      if (stillAlive) process.kill(pid, "SIGKILL");
      assert.strictEqual(stillAlive, false, "the program outlived its host");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports a runtime that cannot start", async () => {
    const outcome = await runProgram("/nonexistent/node-3f9a", { args: [], env: {} }, () => undefined);
    assert.match(outcome.error, /^Problem executing program \(could not run language executor\): .*ENOENT/);
  });
});
