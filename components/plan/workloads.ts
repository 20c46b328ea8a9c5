import { AppSnapshot, FormationEntry } from "../heroku/snapshot";
import { DEFAULT_DYNO_SIZE, resourcesForDynoSize } from "./dyno-sizes";
import { objectLabels } from "./names";
import { EnvVar, ProbePlan, ResourcesPlan, WEB_PORT, WorkloadPlan } from "./types";
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
  subject: { kind: string; name: string },
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

export interface WorkloadNaming {
  /** Deployment name of a process type. */
  workloadName(type: string): string;
  /** Selector component of a process type (unique within the app). */
  component(type: string): string;
  appBase: string;
  partOf: string;
}

/**
 * One WorkloadPlan per process type except `release`, sorted by type. Records each process type in
 * the ledger.
 */
export function planWorkloads(
  snapshot: AppSnapshot,
  replicaOverrides: Record<string, number>,
  naming: WorkloadNaming,
  findings: Findings,
): WorkloadPlan[] {
  const app = snapshot.app.name;
  const types = processTypes(snapshot);
  for (const type of Object.keys(replicaOverrides).sort(compareStrings)) {
    const n = replicaOverrides[type];
    if (!types.some((t) => t.type === type) || type === RELEASE_TYPE) {
      throw new Error(
        `replicas.${app}.${type}: app ${app} has no process type ${type} ` +
          `(process types: ${
            types
              .map((t) => t.type)
              .filter((t) => t !== RELEASE_TYPE)
              .join(", ") || "none"
          })`,
      );
    }
    if (!Number.isInteger(n) || n < 0) {
      throw new Error(`replicas.${app}.${type}: must be a whole number ≥ 0, got ${n}`);
    }
  }
  const preboot = snapshot.features.some((f) => f.name === "preboot" && f.enabled);
  const jvm = snapshot.buildpacks.some((b) => JVM_BUILDPACK.test(b.name ?? b.url));
  const bootSeconds = jvm ? JVM_BOOT_SECONDS : BOOT_SECONDS;

  const workloads: WorkloadPlan[] = [];
  for (const pt of types) {
    if (pt.type === RELEASE_TYPE) continue;
    const isWeb = pt.type === WEB_TYPE;
    const name = naming.workloadName(pt.type);
    const resources = resourcesFor(snapshot, pt.size, { kind: "process-type", name: pt.type }, findings);
    const replicas = replicaOverrides[pt.type] ?? pt.quantity;
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
        isWeb && preboot
          ? { maxUnavailable: 0, maxSurge: "100%" }
          : { maxUnavailable: "25%", maxSurge: "25%" },
    });
    const origin = pt.inFormation ? `${pt.quantity} × ${pt.size}` : "in the Procfile only, never scaled";
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
