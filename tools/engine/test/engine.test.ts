/** The package's TypeScript face (index.ts) and its manifest's tie to the program it serves. */
import * as assert from "assert";
import * as path from "path";

import { engineEnv, OFFLINE_ENV, parseEngineReport } from "..";
import { hostPin, programPin } from "./support/pins";

const REPORT = [
  "PULUMI_ENGINE_ROOT=/repo/.build/engine",
  "PULUMI_ENGINE_BIN=/repo/.build/engine/bin",
  "PULUMI_ENGINE_HOME=/cache/key/home",
  "PULUMI_ENGINE_VERSION=v3.276.0",
  "PULUMI_ENGINE_PLUGINS=kubernetes-v4.25.0",
].join("\n");

describe("engine: ensure.sh's report", () => {
  it("reads every PULUMI_ENGINE_* line, ignoring anything else on stdout", () => {
    assert.deepStrictEqual(parseEngineReport(`noise\n${REPORT}\n`), {
      root: "/repo/.build/engine",
      bin: "/repo/.build/engine/bin",
      home: "/cache/key/home",
      version: "v3.276.0",
      plugins: ["kubernetes-v4.25.0"],
    });
  });

  it("names the first key missing or empty", () => {
    assert.throws(
      () => parseEngineReport(REPORT.replace(/^PULUMI_ENGINE_HOME=.*$/m, "")),
      /ensure.sh printed no PULUMI_ENGINE_HOME/,
    );
    assert.throws(
      () =>
        parseEngineReport(REPORT.replace("PULUMI_ENGINE_BIN=/repo/.build/engine/bin", "PULUMI_ENGINE_BIN=")),
      /printed no PULUMI_ENGINE_BIN/,
    );
  });

  it("puts a command on the engine: its bin/ first on PATH, its PULUMI_HOME, offline switches", () => {
    const env = engineEnv(parseEngineReport(REPORT), { PATH: "/usr/bin", KEEP: "me" });
    assert.deepStrictEqual(env, {
      PATH: `/repo/.build/engine/bin${path.delimiter}/usr/bin`,
      KEEP: "me",
      PULUMI_HOME: "/cache/key/home",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
    });
    assert.deepStrictEqual(Object.keys(OFFLINE_ENV).sort(), [
      "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION",
      "PULUMI_DISABLE_REGISTRY_RESOLVE",
      "PULUMI_SKIP_UPDATE_CHECK",
    ]);
  });
});

describe("engine: package.json", () => {
  it("pins @pulumi/pulumi exactly as the program does (the CLI is built at the program's version; the host speaks its protocol)", () => {
    assert.strictEqual(hostPin("@pulumi/pulumi"), programPin("@pulumi/pulumi"));
  });
});
