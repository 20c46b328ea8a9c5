/**
 * tools/engine/env.sh, as a user or scripts/dev.sh sources it: the shell ends up on the offline
 * engine (our CLI, our PULUMI_HOME with the plugins, a file backend, no network attempts) and keeps
 * what the user had set.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { ensureEngine } from "../..";
import { PACKAGE_ROOT, REPO_ROOT } from "../support/sandbox";

/** Sources env.sh in a clean bash with `env` overrides and returns what `script` prints. */
function sourced(script: string, env: Record<string, string> = {}): string {
  const base = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith("PULUMI_")) delete base[k];
  return execFileSync("bash", ["-c", `source tools/engine/env.sh >/dev/null 2>&1 || exit 9; ${script}`], {
    cwd: REPO_ROOT,
    env: { ...base, ...env },
    encoding: "utf8",
  });
}

describe("tools/engine/env.sh (sourced)", function () {
  before(function () {
    this.timeout(0); // the first run builds the engine
    ensureEngine();
  });

  it("puts the shell on the engine: CLI first on PATH, its PULUMI_HOME, offline switches, file backend", function () {
    const eng = ensureEngine();
    const out = sourced(
      'command -v pulumi; pulumi version; echo "$PULUMI_HOME"; echo "$PULUMI_BACKEND_URL"; ' +
        'echo "$PULUMI_SKIP_UPDATE_CHECK $PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"; ' +
        '[ -n "$PULUMI_CONFIG_PASSPHRASE" ] && echo passphrase-set',
    )
      .trim()
      .split("\n");
    assert.deepStrictEqual(out, [
      path.join(eng.bin, "pulumi"),
      eng.version,
      eng.home,
      `file://${path.join(REPO_ROOT, ".dev", "state")}`,
      "true true",
      "passphrase-set",
    ]);
  });

  it("runs this checkout's language host from this checkout's bin/, with the cached CLI hard-linked there", function () {
    const eng = ensureEngine();
    assert.strictEqual(eng.bin, path.join(REPO_ROOT, ".build", "engine", "bin"));
    assert.strictEqual(
      fs.realpathSync(path.join(eng.bin, "pulumi-language-nodejs")),
      path.join(PACKAGE_ROOT, "language-host", "pulumi-language-nodejs"),
    );
    const cli = fs.statSync(path.join(eng.bin, "pulumi"));
    assert.ok(cli.isFile() && (cli.mode & 0o111) !== 0, "bin/pulumi is an executable file");
    // The CLI's "next to myself" lookup resolves symlinks: a symlink to the shared cache would find
    // the language host there (or none), not this checkout's.
    assert.ok(!fs.lstatSync(path.join(eng.bin, "pulumi")).isSymbolicLink(), "bin/pulumi is no symlink");
    assert.ok(fs.existsSync(path.join(eng.home, "plugins")), "the shared PULUMI_HOME holds the plugins");
  });

  it("lists the kubernetes resource plugin at the npm SDK's version", function () {
    const plugins = JSON.parse(sourced("pulumi plugin ls --json")) as {
      name: string;
      kind: string;
      version: string;
    }[];
    const k8s = JSON.parse(
      fs.readFileSync(path.join(REPO_ROOT, "node_modules/@pulumi/kubernetes/package.json"), "utf8"),
    ) as { pulumi: { version: string } };
    assert.ok(
      plugins.some(
        (p) => p.kind === "resource" && p.name === "kubernetes" && p.version === k8s.pulumi.version,
      ),
      `kubernetes ${k8s.pulumi.version} in ${JSON.stringify(plugins)}`,
    );
  });

  it("keeps a backend and passphrase the user already set", function () {
    const out = sourced('echo "$PULUMI_BACKEND_URL|$PULUMI_CONFIG_PASSPHRASE"', {
      PULUMI_BACKEND_URL: "file:///tmp/somewhere-else",
      PULUMI_CONFIG_PASSPHRASE: "users-own-passphrase",
    }).trim();
    assert.strictEqual(out, "file:///tmp/somewhere-else|users-own-passphrase");
  });
});
