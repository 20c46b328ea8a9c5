/**
 * `Run`: starts `node …/@pulumi/pulumi/cmd/run` on the user's program with the command line and
 * environment Pulumi's official Node.js language host gives it, and turns the way it exits into a
 * RunResponse (error text, or "bail" when the program already showed the user its error).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { NodeRuntimeOptions, splitShellWords } from "./runtime-options";

/** The SDK exits with this code after printing an actionable message; nothing more must be shown. */
export const EXIT_CODE_ERROR_ALREADY_REPORTED = 32;

/** What the engine asked for, taken from a RunRequest. */
export interface RunInputs {
  /** Absolute path of the SDK's program runner (`@pulumi/pulumi/cmd/run`), resolved from the program dir. */
  readonly runPath: string;
  /** Resource monitor the program registers resources with. */
  readonly monitorAddress: string;
  /** Engine address (logging, etc.); "" when unknown. */
  readonly engineAddress: string;
  /** Pulumi organization of the stack; "" when the backend has none. */
  readonly organization: string;
  /** Project name from Pulumi.yaml. */
  readonly project: string;
  /** Stack name. */
  readonly stack: string;
  /** Directory holding Pulumi.yaml. */
  readonly rootDirectory: string;
  /** Directory the program runs in (`--pwd`). */
  readonly programDirectory: string;
  /** Program entry point relative to programDirectory ("." means package.json's main/exports). */
  readonly entryPoint: string;
  /** Extra arguments for the program. */
  readonly args: readonly string[];
  /** True for a preview (no changes are made). */
  readonly dryRun: boolean;
  /** Resource operations the program may run at once (the CLI's --parallel). */
  readonly parallel: number;
  /** Zipkin endpoint from the host's `-tracing` flag; "" for none. */
  readonly tracing: string;
  /** Stack config, keys in `<namespace>:<name>` form, values as strings (secrets decrypted). */
  readonly config: Readonly<Record<string, string>>;
  /** Config keys whose values are secrets. */
  readonly configSecretKeys: readonly string[];
  readonly options: NodeRuntimeOptions;
}

/** The node command line (without the node binary) and the variables added to the environment. */
export interface RunInvocation {
  /** Arguments after the node binary: node args, the runner, its flags, entry point, program args. */
  readonly args: string[];
  /** Variables added to the host's own environment for the program. */
  readonly env: Record<string, string>;
}

/**
 * Rewrites `<namespace>:<name>` to `<namespace>:config:<name>`: the official host still hands the SDK
 * the old key form (newer SDKs read both), and we keep the SDK's view identical.
 */
export function toLegacyConfigKey(key: string): string {
  const parts = key.split(":");
  if (parts.length === 2 && parts[0] !== "" && parts[1] !== "") return `${parts[0]}:config:${parts[1]}`;
  if (parts.length === 3 && parts[1] === "config" && parts[0] !== "" && parts[2] !== "") return key;
  throw new Error(
    `could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`,
  );
}

/** Builds the runner's command line and environment; throws on bad config keys or `nodeargs`. */
export function buildRunInvocation(inputs: RunInputs): RunInvocation {
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(inputs.config)) config[toLegacyConfigKey(k)] = v;
  const env: Record<string, string> = {
    PULUMI_CONFIG: JSON.stringify(config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(inputs.configSecretKeys),
  };
  if (inputs.options.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (inputs.options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = inputs.options.tsconfig;

  const args = [...splitShellWords(inputs.options.nodeargs), inputs.runPath];
  const flag = (name: string, value: string): void => {
    if (value !== "") args.push(`--${name}`, value);
  };
  flag("monitor", inputs.monitorAddress);
  flag("engine", inputs.engineAddress);
  flag("organization", inputs.organization);
  flag("project", inputs.project);
  flag("root-directory", inputs.rootDirectory);
  flag("stack", inputs.stack);
  flag("pwd", inputs.programDirectory);
  if (inputs.dryRun) args.push("--dry-run");
  flag("parallel", String(inputs.parallel));
  flag("tracing", inputs.tracing);
  args.push(inputs.entryPoint, ...inputs.args);
  return { args, env };
}

/**
 * Resolves the SDK's runner from the program directory (the program's own @pulumi/pulumi must run it,
 * not ours). `PULUMI_LANGUAGE_NODEJS_RUN_PATH` overrides the module, as with the official host.
 */
export function locateRunner(programDirectory: string, env: NodeJS.ProcessEnv = process.env): string {
  const mod = env.PULUMI_LANGUAGE_NODEJS_RUN_PATH || "@pulumi/pulumi/cmd/run";
  try {
    return require.resolve(mod, { paths: [programDirectory] });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND") {
      throw new Error("It looks like the Pulumi SDK has not been installed. Have you run pulumi install?", {
        cause: err,
      });
    }
    throw err;
  }
}

/** First `name` on PATH that is an executable file, else undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** Outcome of one program run, as RunResponse fields. */
export interface RunOutcome {
  /** "" on success; otherwise what the CLI prints as the failure. */
  readonly error: string;
  /** True when the program already reported its error (exit 32): the CLI must stay quiet. */
  readonly bail: boolean;
}

/** Lets the host interrupt a running program (Cancel RPC, or the engine dropping the Run call). */
export interface ProgramControl {
  /** Sends SIGINT, then SIGKILL if the program has not exited after `graceMs`. */
  interrupt(): void;
}

const OOM_MARKERS = [
  "<--- Last few GCs --->",
  // The SDK's inspector hooks can turn an OOM into this failed assertion (pulumi/pulumi#16596).
  "Check failed: needs_context && current_scope_ == closure_scope_",
];
const OOM_HINT =
  "Detected a possible out of memory error. Consider increasing the memory available to the nodejs process " +
  "by setting the `nodeargs` runtime option in Pulumi.yaml to `nodeargs: --max-old-space-size=<size>` where " +
  "`<size>` is the maximum memory in megabytes that can be allocated to nodejs. " +
  "See https://www.pulumi.com/docs/concepts/projects/project-file/#runtime-options";

/**
 * Runs node with the invocation. The program's stdout goes straight to ours (the CLI shows it); its
 * stderr is copied to ours while being watched for V8's out-of-memory report.
 */
export function runProgram(
  nodeBin: string,
  invocation: RunInvocation,
  onStart: (control: ProgramControl) => void,
  graceMs = 5000,
): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const child = spawn(nodeBin, invocation.args, {
      env: { ...process.env, ...invocation.env },
      stdio: ["ignore", "inherit", "pipe"],
    });
    let oom = false;
    let tail = "";
    child.stderr.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk);
      if (oom) return;
      const text = tail + chunk.toString("utf8");
      oom = OOM_MARKERS.some((m) => text.includes(m));
      tail = text.slice(-200);
    });
    let killTimer: NodeJS.Timeout | undefined;
    onStart({
      interrupt() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill("SIGINT");
        killTimer ??= setTimeout(() => child.kill("SIGKILL"), graceMs);
        killTimer.unref();
      },
    });
    // A host that exits (engine gone, signal) must not leave the program running on its own.
    const killOnExit = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    };
    process.once("exit", killOnExit);
    let settled = false;
    const finish = (outcome: RunOutcome): void => {
      if (settled) return;
      settled = true;
      process.off("exit", killOnExit);
      if (killTimer) clearTimeout(killTimer);
      resolve(outcome);
    };
    child.on("error", (err) =>
      finish({
        error: `Problem executing program (could not run language executor): ${err.message}`,
        bail: false,
      }),
    );
    // "close" waits for stderr to drain, so the OOM check sees all output; a grandchild holding
    // stderr open must not hang the run, hence the fallback after "exit".
    const onDone = (code: number | null): void => {
      if (code === 0) return finish({ error: "", bail: false });
      if (code === EXIT_CODE_ERROR_ALREADY_REPORTED) return finish({ error: "", bail: true });
      const shown = code ?? -1;
      const error = `Program exited with non-zero exit code: ${shown}`;
      finish({ error: oom ? `${error}. ${OOM_HINT}` : error, bail: false });
    };
    child.on("close", onDone);
    child.on("exit", (code) => setTimeout(() => onDone(code), graceMs).unref());
  });
}
