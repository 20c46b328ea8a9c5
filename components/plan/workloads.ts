import { AppSnapshot, FormationEntry } from "../heroku/snapshot";
import { DEFAULT_DYNO_SIZE, resourcesForDynoSize } from "./dyno-sizes";
import { objectLabels } from "./names";
import { EnvVar, LedgerKind, ProbePlan, ResourcesPlan, WEB_PORT, WorkloadPlan } from "./types";
import { compareStrings, Findings } from "./warnings";

/** Heroku sends SIGTERM, waits 30 s, then SIGKILLs (DC `dyno-shutdown-behavior`). */
export const TERMINATION_GRACE_SECONDS = 30;
/** Heroku's web boot timeout (R10): 60 s, 90 s for JVM buildpacks. */
export const BOOT_SECONDS = 60;
export const JVM_BOOT_SECONDS = 90;
const STARTUP_PERIOD_SECONDS = 5;

/** The release phase's process type: a Job, not a workload. */
export const RELEASE_TYPE = "release";
export const WEB_TYPE = "web";

/** One process type of an app: from the formation, else only from the slug's Procfile. */
export interface ProcessType {
  type: string;
  command: string;
  /** Formation quantity; 0 for a type only in the slug. */
  quantity: number;
  size: string;
  /** False when the type is only in the slug's process types (never scaled on Heroku). */
  inFormation: boolean;
}

/** The app's process types, sorted: formation entries, plus slug process types absent from it. */
export function processTypes(snapshot: AppSnapshot): ProcessType[] {
  const types: ProcessType[] = snapshot.formation.map((f: FormationEntry) => ({
    type: f.type,
    command: f.command !== "" ? f.command : (snapshot.slug?.processTypes[f.type] ?? ""),
    quantity: f.quantity,
    size: f.size,
    inFormation: true,
  }));
  for (const [type, command] of Object.entries(snapshot.slug?.processTypes ?? {})) {
    if (!types.some((t) => t.type === type)) {
      types.push({ type, command, quantity: 0, size: smallestSize(snapshot), inFormation: false });
    }
  }
  return types.sort((a, b) => compareStrings(a.type, b.type));
}

/** The formation's size with the least memory (the default for types and jobs without one). */
export function smallestSize(snapshot: AppSnapshot): string {
  const sized = snapshot.formation
    .map((f) => ({
      size: f.size,
      memory: memoryMi(resourcesForDynoSize(f.size, snapshot.dynoSizes).resources),
    }))
    .sort((a, b) => a.memory - b.memory || compareStrings(a.size, b.size));
  return sized[0]?.size ?? DEFAULT_DYNO_SIZE;
}

function memoryMi(r: ResourcesPlan): number {
  const m = /^(\d+)(Mi|Gi)$/.exec(r.requests.memory);
  return m ? Number(m[1]) * (m[2] === "Gi" ? 1024 : 1) : 0;
}

/** Resources for `size`, warning (once per subject) when the size is unknown. */
export function resourcesFor(
  snapshot: AppSnapshot,
  size: string,
  subject: { kind: LedgerKind; name: string },
  findings: Findings,
): ResourcesPlan {
  const { resources, known } = resourcesForDynoSize(size, snapshot.dynoSizes);
  if (!known) {
    findings.warned(
      snapshot.app.name,
      subject.kind,
      subject.name,
      "unknown-dyno-size",
      `dyno size ${size} of ${subject.name} is unknown; it gets ${DEFAULT_DYNO_SIZE} resources ` +
        `(${resources.requests.cpu} CPU, ${resources.requests.memory} memory): adjust if needed.`,
    );
  }
  return resources;
}

/** Non-secret env every dyno-like pod gets: DYNO from the pod name (Heroku's is e.g. `web.1`). */
export function dynoEnv(): EnvVar[] {
  return [{ name: "DYNO", fieldPath: "metadata.name" }];
}

/** `args` keeping the image ENTRYPOINT (see WorkloadPlan.args). */
export function shellArgs(command: string): string[] {
  return ["/bin/sh", "-c", command];
}

const BINDS_PORT = /\$\{?PORT\b/;
/** `$DYNO`, `${DYNO}` or `ENV["DYNO"]`-style mentions in a command. */
const READS_DYNO = /\bDYNO\b/;
const JVM_BUILDPACK = /heroku\/(java|gradle|scala|clojure)|heroku-buildpack-(java|gradle|scala|clojure)/;

/** Process type names of schedulers: each runs its jobs once per pod (tokens of the name, split on -_.). */
const SINGLETON_NAMES = new Set(["clock", "clockwork", "beat", "celerybeat", "scheduler", "cron", "crond"]);
/** Commands of schedulers that must run once: what each pattern recognises, for the warning. */
const SINGLETON_COMMANDS: [RegExp, string][] = [
  [/\bcelery\b.*\sbeat\b/, "Celery beat"],
  [/\bcelery\b.*\s(-B|--beat)\b/, "a Celery worker with an embedded beat (-B)"],
  [/\bclockwork\b/, "clockwork"],
  [/\brq-?scheduler\b/, "rq-scheduler"],
  [/\bresque[:-]scheduler\b/, "resque-scheduler"],
  [/\bartisan\s+schedule:(work|run)\b/, "the Laravel scheduler"],
  [/(^|[\s/])clock(\.(js|mjs|cjs|ts|rb|py))?(\s|$)/, "a clock process"],
];

/**
 * Why process type `type` (running `command`) must run as exactly one pod, or null: a scheduler
 * run twice runs every job twice, and a rolling update briefly runs two. `override` (config
 * `singletons.<app>.<type>`) decides when given.
 */
export function singletonReason(type: string, command: string, override: boolean | undefined): string | null {
  if (override !== undefined) return override ? "declared a singleton in singletons config" : null;
  const token = type
    .toLowerCase()
    .split(/[-_.]/)
    .find((t) => SINGLETON_NAMES.has(t));
  if (token !== undefined) return `its name (${type}) is a scheduler's`;
  const match = SINGLETON_COMMANDS.find(([re]) => re.test(command));
  return match ? `its command runs ${match[1]}` : null;
}

export interface WorkloadNaming {
  /** Deployment name of a process type. */
  workloadName(type: string): string;
  /** Selector component of a process type (unique within the app). */
  component(type: string): string;
  appBase: string;
  partOf: string;
}

/**
 * The process types that become workloads: every formation entry except `release`, and a type only
 * in the Procfile when `replicas` config scales it. A Procfile-only type was never scaled on Heroku
 * (`console`, one-off tasks run with `heroku run`): it is not a workload.
 */
export function workloadTypes(
  snapshot: AppSnapshot,
  replicaOverrides: Record<string, number>,
): ProcessType[] {
  return processTypes(snapshot).filter(
    (t) => t.type !== RELEASE_TYPE && (t.inFormation || replicaOverrides[t.type] !== undefined),
  );
}

/**
 * One WorkloadPlan per workload type (see {@link workloadTypes}), sorted by type. Records each process
 * type in the ledger, a Procfile-only one as a one-off command.
 */
export function planWorkloads(
  snapshot: AppSnapshot,
  replicaOverrides: Record<string, number>,
  singletonOverrides: Record<string, boolean>,
  naming: WorkloadNaming,
  findings: Findings,
): WorkloadPlan[] {
  const app = snapshot.app.name;
  const types = processTypes(snapshot);
  // An override of a process type the app lacks is a typo: refused, naming the key and the types.
  const requireType = (key: string, type: string) => {
    if (types.some((t) => t.type === type) && type !== RELEASE_TYPE) return;
    const known = types.map((t) => t.type).filter((t) => t !== RELEASE_TYPE);
    throw new Error(
      `${key}.${app}.${type}: app ${app} has no process type ${type} ` +
        `(process types: ${known.join(", ") || "none"})`,
    );
  };
  for (const type of Object.keys(singletonOverrides).sort(compareStrings)) requireType("singletons", type);
  for (const type of Object.keys(replicaOverrides).sort(compareStrings)) {
    const n = replicaOverrides[type];
    requireType("replicas", type);
    if (!Number.isInteger(n) || n < 0) {
      throw new Error(`replicas.${app}.${type}: must be a whole number ≥ 0, got ${n}`);
    }
  }
  const preboot = snapshot.features.some((f) => f.name === "preboot" && f.enabled);
  const jvm = snapshot.buildpacks.some((b) => JVM_BUILDPACK.test(b.name ?? b.url));
  const bootSeconds = jvm ? JVM_BOOT_SECONDS : BOOT_SECONDS;

  const workloads: WorkloadPlan[] = [];
  const planned = workloadTypes(snapshot, replicaOverrides);
  for (const pt of types) {
    if (pt.type === RELEASE_TYPE || planned.some((t) => t.type === pt.type)) continue;
    findings.record(
      app,
      "process-type",
      pt.type,
      "not-needed",
      `in the Procfile only, never scaled on Heroku: a one-off command (heroku run), not a workload; run it ` +
        `in-cluster with kubectl run or a Job on the app's image and Secret (replicas.${app}.${pt.type} makes it a Deployment)`,
    );
  }
  for (const pt of planned) {
    const isWeb = pt.type === WEB_TYPE;
    const name = naming.workloadName(pt.type);
    const resources = resourcesFor(snapshot, pt.size, { kind: "process-type", name: pt.type }, findings);
    const singleton = singletonReason(pt.type, pt.command, singletonOverrides[pt.type]);
    const wanted = replicaOverrides[pt.type] ?? pt.quantity;
    if (singleton !== null && replicaOverrides[pt.type] !== undefined && wanted > 1) {
      throw new Error(
        `replicas.${app}.${pt.type}: ${wanted} replicas of a singleton (${singleton}) would run each of its ` +
          `jobs ${wanted} times; set singletons.${app}.${pt.type}: false if it is safe to run several`,
      );
    }
    const replicas = singleton !== null ? Math.min(wanted, 1) : wanted;
    const env: EnvVar[] = isWeb ? [{ name: "PORT", value: String(WEB_PORT) }, ...dynoEnv()] : dynoEnv();
    const startupProbe: ProbePlan | null = isWeb
      ? {
          tcpPort: WEB_PORT,
          periodSeconds: STARTUP_PERIOD_SECONDS,
          failureThreshold: bootSeconds / STARTUP_PERIOD_SECONDS,
          timeoutSeconds: 1,
        }
      : null;
    const readinessProbe: ProbePlan | null = isWeb
      ? { tcpPort: WEB_PORT, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 1 }
      : null;
    workloads.push({
      processType: pt.type,
      name,
      labels: objectLabels({
        name: naming.appBase,
        component: naming.component(pt.type),
        instance: name,
        partOf: naming.partOf,
      }),
      command: pt.command,
      args: shellArgs(pt.command),
      replicas,
      dynoSize: pt.size,
      resources,
      port: isWeb ? WEB_PORT : null,
      env,
      terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
      startupProbe,
      readinessProbe,
      strategy:
        singleton !== null
          ? { type: "Recreate" }
          : isWeb && preboot
            ? { type: "RollingUpdate", maxUnavailable: 0, maxSurge: "100%" }
            : { type: "RollingUpdate", maxUnavailable: "25%", maxSurge: "25%" },
      singleton,
    });
    if (singleton !== null) {
      findings.warned(
        app,
        "process-type",
        pt.type,
        "singleton-process",
        `${pt.type} runs as a single pod (${singleton}), replaced with the Recreate strategy so two never overlap` +
          (wanted > 1 ? `; it had ${wanted} dynos on Heroku, each running every job` : "") +
          `. Do not scale it (kubectl scale, an autoscaler): every extra pod runs each job again. If it is ` +
          `safe to run several, set singletons.${app}.${pt.type}: false.`,
      );
    }
    const origin = pt.inFormation ? `${pt.quantity} × ${pt.size}` : "in the Procfile only, scaled by config";
    findings.record(
      app,
      "process-type",
      pt.type,
      "mapped",
      `Deployment ${name} (${origin} → ${replicas} replicas)`,
    );
    if (READS_DYNO.test(pt.command)) {
      // Code that reads DYNO is invisible here; a command that does is the case we can point at.
      findings.warned(
        app,
        "process-type",
        pt.type,
        "dyno-name-check",
        `process type ${pt.type}'s command reads DYNO: Heroku sets it to ${pt.type}.1, ${pt.type}.2…, ` +
          `in-cluster it is the pod name (${name}-<hash>-<id>), so a test such as "$DYNO" = "${pt.type}.1" ` +
          `never matches. Run once-only work in the release phase or a scheduled job instead.`,
      );
    }
    if (!isWeb && BINDS_PORT.test(pt.command)) {
      findings.warned(
        app,
        "process-type",
        pt.type,
        "non-web-binds-port",
        `process type ${pt.type} references $PORT, but only web gets PORT and traffic; it gets neither ` +
          `in-cluster either: make it a web process or drop the port.`,
      );
    }
  }
  return workloads;
}
