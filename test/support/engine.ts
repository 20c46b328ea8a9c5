/**
 * The real Pulumi engine for end-to-end tests, through the Automation API.
 *
 * `ensureEngine()` (tools/engine) builds the CLI and the Kubernetes plugin from Go modules the first
 * time, then reuses its cache, and links our Node.js language host next to the CLI;
 * `createSandbox()` gives each suite its own file:// backend, PULUMI_HOME and passphrase, with
 * every command's output recorded so tests can scan it. Never calls `PulumiCommand.install()`: this machine cannot download the CLI.
 */
import { spawnSync, type SpawnSyncReturns } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import * as yaml from "js-yaml";
import {
  ConfigMap,
  EngineEvent,
  LocalWorkspace,
  PulumiCommand,
  PulumiFn,
  Stack,
} from "@pulumi/pulumi/automation";

import { Engine, ensureEngine, OFFLINE_ENV } from "../../tools/engine";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** Everything the engine printed, per command, for assertions and secret scans. */
export interface EngineLog {
  /** stdout + stderr of every command run with `sandbox.ops()`, in order. */
  text(): string;
  /**
   * Engine events of every `up`/`preview`/`refresh`/`destroy` as JSON lines, without the
   * debug-severity diagnostics (see `debugEvents`).
   */
  events(): string;
  /**
   * The debug-severity diagnostics, shown to a user only with `--debug` or `-v`. Not secret-free:
   * @pulumi/pulumi's runtime logs raw RegisterResource responses there, secret values unwrapped
   * (e.g. a Kubernetes Secret's base64 `data`), which is upstream behaviour.
   */
  debugEvents(): string;
  /** Writes text and events under `sandbox.dir/logs/` and returns the paths (kept for debugging). */
  flush(): string[];
}

/** Operation options that record into the sandbox's log. */
export interface OpOptions {
  onOutput: (s: string) => void;
  onError: (s: string) => void;
  onEvent: (e: EngineEvent) => void;
  color: "never";
  /** `-v` level when asked for; by default none, as a user runs `pulumi up`. */
  logVerbosity?: number;
  logToStdErr?: true;
}

export interface Sandbox {
  readonly engine: Engine;
  readonly pulumiCommand: PulumiCommand;
  /** Temp root of this sandbox; removed by `cleanup()`. */
  readonly dir: string;
  /** The file backend's directory (`.pulumi/stacks/...` lives under it). */
  readonly stateDir: string;
  readonly pulumiHome: string;
  /** This sandbox's secrets passphrase (random; itself a secret the scans look for). */
  readonly passphrase: string;
  /** Env for every command: backend, passphrase, no update check, no plugin downloads. */
  readonly envVars: Record<string, string>;
  /**
   * The whole environment of a command typed by hand in this sandbox: this process's as it is now
   * (a suite may set variables after creating the sandbox), `envVars` and PULUMI_HOME.
   */
  readonly cliEnv: NodeJS.ProcessEnv;
  readonly log: EngineLog;
  /** Operation options that record into `log`. */
  ops(extra?: { logVerbosity?: number; events?: EngineEvent[] }): OpOptions;
  /** Every file of the backend's state (checkpoints, history, backups), as text. */
  stateFiles(): { file: string; text: string }[];
  /**
   * A stack of the project in `workDir` (default: this repo, running index.ts through the language
   * host). Its stack config goes to Pulumi.<stack>.yaml there; `cleanup()` deletes that file and
   * what the program wrote under `out/<stack>/` there (the report, rendered manifests, metadata).
   * `structuredConfig` (full keys, objects allowed) is written into that file as YAML, as a user
   * would; `config` goes through `pulumi config set` (use it for secrets).
   */
  localStack(
    stackName: string,
    opts?: { workDir?: string; config?: ConfigMap; structuredConfig?: Record<string, unknown> },
  ): Promise<Stack>;
  /** A stack running `program` in-process (no language host needed). */
  inlineStack(
    projectName: string,
    stackName: string,
    program: PulumiFn,
    opts?: { config?: ConfigMap },
  ): Promise<Stack>;
  cleanup(): void;
}

/** Creates an isolated backend + PULUMI_HOME using the shared, already-built engine. */
export async function createSandbox(): Promise<Sandbox> {
  const eng = ensureEngine();
  const pulumiCommand = await PulumiCommand.get({ root: eng.root });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "h2h-e2e-"));
  const stateDir = path.join(dir, "state");
  const pulumiHome = path.join(dir, "home");
  fs.mkdirSync(stateDir);
  fs.mkdirSync(pulumiHome);
  // Plugins are shared read-only; credentials and workspace files stay per sandbox.
  fs.symlinkSync(path.join(eng.home, "plugins"), path.join(pulumiHome, "plugins"));
  const passphrase = crypto.randomBytes(18).toString("base64url");
  const envVars: Record<string, string> = {
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    ...OFFLINE_ENV,
  };

  const chunks: string[] = [];
  const events: string[] = [];
  const debugEvents: string[] = [];
  const log: EngineLog = {
    text: () => chunks.join(""),
    events: () => events.join("\n"),
    debugEvents: () => debugEvents.join("\n"),
    flush: () => {
      const logs = path.join(dir, "logs");
      fs.mkdirSync(logs, { recursive: true });
      const a = path.join(logs, "engine.log");
      const b = path.join(logs, "events.jsonl");
      fs.writeFileSync(a, log.text());
      fs.writeFileSync(b, log.events());
      const c = path.join(logs, "debug-events.jsonl");
      fs.writeFileSync(c, log.debugEvents());
      return [a, b, c];
    },
  };
  const ops = (extra: { logVerbosity?: number; events?: EngineEvent[] } = {}): OpOptions => ({
    onOutput: (s) => chunks.push(s),
    onError: (s) => chunks.push(s),
    onEvent: (e) => {
      // The typings omit "debug", which the engine does send.
      ((e.diagnosticEvent?.severity as string | undefined) === "debug" ? debugEvents : events).push(
        JSON.stringify(e),
      );
      extra.events?.push(e);
    },
    color: "never",
    ...(extra.logVerbosity !== undefined
      ? { logVerbosity: extra.logVerbosity, logToStdErr: true as const }
      : {}),
  });

  const localStackFiles: string[] = [];
  const inlineRoot = path.join(dir, "inline");

  const wsOpts = { pulumiHome, pulumiCommand, envVars };

  return {
    engine: eng,
    pulumiCommand,
    dir,
    stateDir,
    pulumiHome,
    passphrase,
    envVars,
    get cliEnv() {
      return { ...process.env, ...envVars, PULUMI_HOME: pulumiHome };
    },
    log,
    ops,
    stateFiles: () => listFiles(stateDir).map((file) => ({ file, text: fs.readFileSync(file, "utf8") })),
    async localStack(stackName, opts = {}) {
      const workDir = opts.workDir ?? REPO_ROOT;
      localStackFiles.push(
        path.join(workDir, `Pulumi.${stackName}.yaml`),
        path.join(workDir, "out", stackName),
      );
      const stack = await LocalWorkspace.createOrSelectStack({ stackName, workDir }, wsOpts);
      if (opts.structuredConfig) {
        const file = path.join(workDir, `Pulumi.${stackName}.yaml`);
        const doc = (fs.existsSync(file) ? yaml.load(fs.readFileSync(file, "utf8")) : null) ?? {};
        const settings = doc as { config?: Record<string, unknown> };
        settings.config = { ...settings.config, ...opts.structuredConfig };
        fs.writeFileSync(file, yaml.dump(settings));
      }
      if (opts.config) await stack.setAllConfig(opts.config);
      return stack;
    },
    async inlineStack(projectName, stackName, program, opts = {}) {
      // The dynamic-provider plugin resolves @pulumi/pulumi from the project dir.
      const workDir = path.join(inlineRoot, projectName);
      fs.mkdirSync(workDir, { recursive: true });
      const nm = path.join(workDir, "node_modules");
      if (!fs.existsSync(nm)) fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), nm);
      const stack = await LocalWorkspace.createOrSelectStack(
        { projectName, stackName, program },
        { ...wsOpts, workDir, projectSettings: { name: projectName, runtime: "nodejs" } },
      );
      if (opts.config) await stack.setAllConfig(opts.config);
      return stack;
    },
    cleanup() {
      for (const f of localStackFiles) fs.rmSync(f, { recursive: true, force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? listFiles(p) : [p];
  });
}

/**
 * Runs this sandbox's `pulumi` CLI on `stack` in this checkout, as a user types it: for what the
 * Automation API does not offer (`state unprotect`, a `destroy` that previews first).
 */
export function pulumiCli(sb: Sandbox, stack: Stack, args: string[]): SpawnSyncReturns<string> {
  return spawnSync(path.join(sb.engine.bin, "pulumi"), [...args, "--stack", stack.name], {
    cwd: REPO_ROOT,
    env: sb.cliEnv,
    encoding: "utf8",
  });
}

/** `pulumi state unprotect --all`: data-bearing resources are protected, so tearing down is deliberate. */
export function unprotectAll(sb: Sandbox, stack: Stack): void {
  const r = pulumiCli(sb, stack, ["state", "unprotect", "--all", "--yes"]);
  if (r.status !== 0) throw new Error(`pulumi state unprotect failed (exit ${r.status}): ${r.stderr}`);
}

/** A named secret to look for; `label` is what a failure prints (never the value). */
export interface NeedleSpec {
  label: string;
  value: string;
}

/**
 * Where any secret value occurs in the given texts, as "<label> in <where>" (values never
 * printed). Besides the value itself it looks for its JSON-escaped and URL-encoded forms and for
 * it inside base64 (state and Kubernetes Secrets carry encoded data, and a password is usually
 * encoded as part of a longer URL: all three byte alignments are tried).
 */
export function findPlaintext(needles: NeedleSpec[], haystacks: { where: string; text: string }[]): string[] {
  const hits: string[] = [];
  for (const n of needles) {
    if (n.value.length < 6) throw new Error(`secret "${n.label}" is too short to scan for reliably`);
    const forms = encodedForms(n.value);
    for (const h of haystacks) {
      if (forms.some((f) => h.text.includes(f))) hits.push(`${n.label} in ${h.where}`);
    }
  }
  return hits;
}

/**
 * Where any of `needles`, or the sandbox's passphrase, occurs in plaintext in what the sandbox kept:
 * every state file (checkpoints, history, backups), the engine's output and its events, and `more`.
 * The debug-severity events are left out (see `EngineLog.debugEvents`).
 */
export function scanForSecrets(
  sb: Sandbox,
  needles: NeedleSpec[],
  more: { where: string; text: string }[] = [],
): string[] {
  return findPlaintext(
    [...needles, { label: "passphrase", value: sb.passphrase }],
    [
      ...sb.stateFiles().map((s) => ({ where: path.relative(sb.stateDir, s.file), text: s.text })),
      { where: "engine output", text: sb.log.text() },
      { where: "engine events", text: sb.log.events() },
      ...more,
    ],
  );
}

/** The texts that betray `value`: itself, JSON- and URL-escaped, and base64 at offsets 0, 1, 2. */
export function encodedForms(value: string): string[] {
  const forms = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]);
  const bytes = Buffer.from(value);
  for (let shift = 0; shift < 3; shift++) {
    // Preceded by `shift` bytes, the value's own base64 characters start at ceil(4·shift/3) and end
    // with its last complete 3-byte group; the characters outside depend on neighbouring bytes.
    const enc = Buffer.concat([Buffer.alloc(shift), bytes]).toString("base64");
    const end = Math.floor((shift + bytes.length) / 3) * 4;
    const fragment = enc.slice(Math.ceil((4 * shift) / 3), end);
    if (fragment.length >= 8) forms.add(fragment);
  }
  return [...forms];
}

/**
 * The resources an operation touched, as "<op> <type>::<name>" sorted (unchanged ones left out),
 * from its engine events: what a reviewer reads in `pulumi up`'s summary.
 */
export function changedResources(events: EngineEvent[]): string[] {
  const out = new Set<string>();
  for (const e of events) {
    const m = e.resourcePreEvent?.metadata;
    if (!m || m.op === "same" || m.op === "read") continue;
    const name = m.urn.split("::").pop();
    // A replacement shows as create-replacement, replace and delete-replaced steps: one change.
    const op = m.op === "create-replacement" || m.op === "delete-replaced" ? "replace" : m.op;
    out.add(`${op} ${m.type}::${name}`);
  }
  return [...out].sort();
}

/**
 * `pulumi refresh` of the resources `targets` (URNs), then a `preview`: the refresh's result and
 * what each would change (a refresh's own "refresh" steps left out). Both lists empty: state and
 * reality agree; otherwise the caller's assertion names what differs.
 */
export async function refreshThenPreview(
  sb: Sandbox,
  stack: Stack,
  targets: string[],
): Promise<{ result: string; refreshed: string[]; previewed: string[] }> {
  const events: EngineEvent[] = [];
  const res = await stack.refresh({ ...sb.ops({ events }), target: targets });
  const after: EngineEvent[] = [];
  await stack.preview({ ...sb.ops({ events: after }) });
  return {
    result: res.summary.result,
    refreshed: changedResources(events).filter((c) => !c.startsWith("refresh ")),
    previewed: changedResources(after),
  };
}
