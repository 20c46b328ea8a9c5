/**
 * The offline Pulumi engine, for scripts and tests written in TypeScript: `ensureEngine()` runs
 * ensure.sh (builds the CLI and the kubernetes plugin from Go modules the first time, then reuses
 * the cache; links this checkout's language host next to the CLI) and returns where it all is.
 * Shell users source env.sh instead.
 */
import { execFileSync } from "child_process";
import * as path from "path";

/** The script that builds or finds the engine; its stdout is KEY=VALUE lines, progress on stderr. */
export const ENSURE_SCRIPT = path.join(__dirname, "ensure.sh");

/** What ensure.sh reports. */
export interface Engine {
  /** This checkout's engine root (`<repo>/.build/engine`): `root/bin/pulumi` is what `PulumiCommand.get` wants. */
  readonly root: string;
  /** `root/bin`: the CLI, this checkout's language host and the dynamic-provider shim. */
  readonly bin: string;
  /** PULUMI_HOME holding the installed resource plugins (shared by every checkout). */
  readonly home: string;
  /** `pulumi version`, e.g. "v3.276.0". */
  readonly version: string;
  /** Installed resource plugins, e.g. ["kubernetes-v4.25.0"]. */
  readonly plugins: string[];
}

/** Reads ensure.sh's stdout; throws naming the first missing key. */
export function parseEngineReport(stdout: string): Engine {
  const kv = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const m = /^(PULUMI_ENGINE_[A-Z]+)=(.*)$/.exec(line);
    if (m) kv.set(m[1], m[2]);
  }
  const need = (k: string): string => {
    const v = kv.get(k);
    if (v === undefined || v === "") throw new Error(`tools/engine/ensure.sh printed no ${k}`);
    return v;
  };
  return {
    root: need("PULUMI_ENGINE_ROOT"),
    bin: need("PULUMI_ENGINE_BIN"),
    home: need("PULUMI_ENGINE_HOME"),
    version: need("PULUMI_ENGINE_VERSION"),
    plugins: need("PULUMI_ENGINE_PLUGINS").split(",").filter(Boolean),
  };
}

let engine: Engine | undefined;

/**
 * Builds (first time only) or finds the engine for this checkout. Synchronous and memoised per
 * process; the build's progress goes to this process's stderr.
 */
export function ensureEngine(): Engine {
  engine ??= parseEngineReport(
    execFileSync("bash", [ENSURE_SCRIPT], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }),
  );
  return engine;
}

/** The switches that keep the CLI offline: no update check, no plugin downloads, no registry lookups (env.sh sets the same). */
export const OFFLINE_ENV: Readonly<Record<string, string>> = {
  PULUMI_SKIP_UPDATE_CHECK: "true",
  PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
};

/** `base` with the engine's bin/ first on PATH, its PULUMI_HOME and the offline switches. */
export function engineEnv(eng: Engine, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    PATH: `${eng.bin}${path.delimiter}${base.PATH ?? ""}`,
    PULUMI_HOME: eng.home,
    ...OFFLINE_ENV,
  };
}
