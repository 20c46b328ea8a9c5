/**
 * A throwaway Pulumi installation for language-host tests: a bin dir holding the real CLI built by
 * scripts/engine/ensure.sh, our `pulumi-language-nodejs` shim and the SDK's dynamic-provider plugin,
 * plus a private PULUMI_HOME and file:// backend. The CLI is hard-linked (else copied), not
 * symlinked, so it finds its "bundled" language host next to itself — ours, as installed for real.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
export const HOST_SHIM = path.join(REPO_ROOT, "scripts", "language-host", "pulumi-language-nodejs");

/** The cache scripts/engine/ensure.sh builds into (same variables, same default). */
function engineCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.HEROKU_TO_HASURA_ENGINE_CACHE) return env.HEROKU_TO_HASURA_ENGINE_CACHE;
  const cacheHome = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(cacheHome, "heroku-to-hasura", "engine");
}

/**
 * The `pulumi` CLI to test with: `PULUMI_CLI`, else the newest `<engine cache>/<key>/bin/pulumi`.
 * Throws (never skips) when there is none, saying how to build it.
 */
export function locatePulumiCli(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PULUMI_CLI) {
    if (!fs.existsSync(env.PULUMI_CLI)) throw new Error(`PULUMI_CLI=${env.PULUMI_CLI} does not exist`);
    return env.PULUMI_CLI;
  }
  const cache = engineCacheDir(env);
  const candidates = (fs.existsSync(cache) ? fs.readdirSync(cache) : [])
    .map((key) => path.join(cache, key, "bin", "pulumi"))
    .filter((p) => fs.existsSync(p))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (candidates.length === 0) {
    throw new Error(
      `no Pulumi CLI found (PULUMI_CLI is unset and ${cache}/*/bin/pulumi does not exist): ` +
        "run `bash scripts/engine/ensure.sh` first",
    );
  }
  return candidates[0];
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
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
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
