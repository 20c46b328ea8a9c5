/**
 * A throwaway Pulumi installation for language-host tests: a bin dir holding the real CLI built by
 * tools/engine/ensure.sh, our `pulumi-language-nodejs` shim and the SDK's dynamic-provider plugin,
 * plus a private PULUMI_HOME and file:// backend. The CLI is hard-linked (else copied), not
 * symlinked, so it finds its "bundled" language host next to itself — ours, as installed for real.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { Engine, ensureEngine, OFFLINE_ENV } from "../..";

/** This package (tools/engine). */
export const PACKAGE_ROOT = path.resolve(__dirname, "..", "..");
/** The repository root: the Pulumi program (package.json, node_modules, Pulumi.yaml) the host serves. */
export const REPO_ROOT = path.resolve(PACKAGE_ROOT, "..", "..");
export const HOST_SHIM = path.join(PACKAGE_ROOT, "language-host", "pulumi-language-nodejs");

/**
 * The `pulumi` CLI to test with: `PULUMI_CLI`, else the one this checkout's ensure.sh reports
 * (building it the first time). Never a CLI of another checkout's cache key.
 */
export function locatePulumiCli(
  env: NodeJS.ProcessEnv = process.env,
  engine: () => Pick<Engine, "bin"> = ensureEngine,
): string {
  if (env.PULUMI_CLI) {
    if (!fs.existsSync(env.PULUMI_CLI)) throw new Error(`PULUMI_CLI=${env.PULUMI_CLI} does not exist`);
    return env.PULUMI_CLI;
  }
  const cli = path.join(engine().bin, "pulumi");
  if (!fs.existsSync(cli)) throw new Error(`tools/engine/ensure.sh reported ${cli}, which does not exist`);
  return cli;
}

/** Output of one CLI command. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout + stderr, for "shown to the user" assertions. */
  readonly output: string;
}

export interface Sandbox {
  /** Installation root: `root/bin/pulumi` (what `PulumiCommand.get({ root })` wants). */
  readonly root: string;
  readonly bin: string;
  /** Environment for every command: PATH with `bin` first, private home/backend, passphrase. */
  readonly env: NodeJS.ProcessEnv;
  /** Writes a project (files relative to it) with node_modules linked to the repo's, returns its dir. */
  project(name: string, files: Readonly<Record<string, string>>): string;
  /** Runs `pulumi <args>` in `cwd`. */
  pulumi(args: readonly string[], cwd: string): CommandResult;
  /** Removes everything the sandbox created. */
  dispose(): void;
}

export function createSandbox(): Sandbox {
  const cli = locatePulumiCli();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "language-host-test-"));
  const bin = path.join(root, "bin");
  fs.mkdirSync(bin);
  try {
    fs.linkSync(cli, path.join(bin, "pulumi"));
  } catch {
    fs.copyFileSync(cli, path.join(bin, "pulumi"));
    fs.chmodSync(path.join(bin, "pulumi"), 0o755);
  }
  fs.symlinkSync(HOST_SHIM, path.join(bin, "pulumi-language-nodejs"));
  fs.symlinkSync(
    path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "pulumi-resource-pulumi-nodejs"),
    path.join(bin, "pulumi-resource-pulumi-nodejs"),
  );
  const home = path.join(root, "home");
  const backend = path.join(root, "state");
  fs.mkdirSync(home);
  fs.mkdirSync(backend);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_HOME: home,
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: "test",
    ...OFFLINE_ENV,
    NO_COLOR: "1",
  };
  return {
    root,
    bin,
    env,
    project(name, files) {
      const dir = path.join(root, name);
      fs.mkdirSync(dir);
      fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
      for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
      return dir;
    },
    pulumi(args, cwd) {
      const r = spawnSync(path.join(bin, "pulumi"), [...args, "--non-interactive"], {
        cwd,
        env,
        encoding: "utf8",
        timeout: 300_000,
      });
      if (r.error) throw r.error;
      return { code: r.status, stdout: r.stdout, stderr: r.stderr, output: r.stdout + r.stderr };
    },
    dispose() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Fails with the command's output when it did not exit 0. */
export function ok(result: CommandResult, what: string): CommandResult {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}:\n${result.output}`);
  return result;
}
