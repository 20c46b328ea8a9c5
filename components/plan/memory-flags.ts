import { AppSnapshot } from "../heroku/snapshot";
import { quantityBytes } from "../formats/quantity";
import { secretSatisfies } from "./secret-values";
import { CronJobPlan, LedgerKind, ReleaseJobPlan, ResourcesPlan, WorkloadPlan } from "./types";
import { compareStrings, Findings } from "./warnings";

/** Config vars whose value can set a heap limit: V8's and the JVM's option variables. */
export const HEAP_VARS: readonly string[] = [
  "NODE_OPTIONS",
  "JAVA_OPTS",
  "JAVA_TOOL_OPTIONS",
  "JDK_JAVA_OPTIONS",
  "_JAVA_OPTIONS",
];

/**
 * A heap limit at or above this share of the container's memory limit leaves too little for the
 * rest of the process (code, stacks, buffers, native memory): the kernel kills the container before
 * the garbage collector works to stay under the heap limit. On Heroku the dyno swapped instead.
 */
export const HEAP_SHARE_LIMIT = 0.9;

const V8_HEAP = /--max[-_]old[-_]space[-_]size[= ](\d+)/g;
const JVM_HEAP = /(?:^|\s)-Xmx(\d+)([kKmMgGtT]?)(?=\s|$)/g;
const JVM_UNITS: Record<string, number> = { "": 1 / 2 ** 20, k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };

/**
 * The heap limit `text` (a command line or an option variable's value) sets, in MiB: the last
 * `--max-old-space-size=<MB>` or `-Xmx<size>` (the one that wins), or null when it sets none.
 */
export function heapLimitMi(text: string): number | null {
  let last: { at: number; mi: number } | null = null;
  for (const m of text.matchAll(V8_HEAP)) last = { at: m.index ?? 0, mi: Number(m[1]) };
  for (const m of text.matchAll(JVM_HEAP)) {
    const at = m.index ?? 0;
    if (last === null || at > last.at) last = { at, mi: Number(m[1]) * JVM_UNITS[m[2].toLowerCase()] };
  }
  return last?.mi ?? null;
}

function limitMi(r: ResourcesPlan): number {
  return (quantityBytes(r.limits.memory) ?? Infinity) / 2 ** 20;
}

interface Target {
  kind: LedgerKind;
  /** Process type or scheduled job name. */
  name: string;
  command: string;
  resources: ResourcesPlan;
}

/**
 * Warns where a heap limit from the Procfile command (shown: commands are not secret) or from a
 * heap option config var (its value never shown) does not fit the container's memory limit.
 */
export function planMemoryChecks(
  snapshot: AppSnapshot,
  plan: { workloads: WorkloadPlan[]; releaseJob: ReleaseJobPlan | null; cronJobs: CronJobPlan[] },
  findings: Findings,
): void {
  const app = snapshot.app.name;
  const targets: Target[] = [
    ...plan.workloads.map((w) => ({
      kind: "process-type" as const,
      name: w.processType,
      command: w.command,
      resources: w.resources,
    })),
    ...(plan.releaseJob
      ? [
          {
            kind: "process-type" as const,
            name: "release",
            command: plan.releaseJob.command,
            resources: plan.releaseJob.resources,
          },
        ]
      : []),
    ...plan.cronJobs.map((c) => ({
      kind: "scheduled-job" as const,
      name: c.job,
      command: c.command,
      resources: c.resources,
    })),
  ];
  for (const t of targets) {
    const heap = heapLimitMi(t.command);
    const limit = limitMi(t.resources);
    if (heap === null || heap < HEAP_SHARE_LIMIT * limit) continue;
    findings.warned(
      app,
      t.kind,
      t.name,
      "heap-above-memory-limit",
      `${t.name}'s command sets a ${Math.round(heap)} MiB heap, at or above ${HEAP_SHARE_LIMIT * 100}% of its ` +
        `memory limit (${t.resources.limits.memory}): the container is killed before the garbage collector ` +
        `keeps it under that heap. Lower the heap or give ${t.name} a larger dyno size.`,
    );
  }
  for (const key of HEAP_VARS.filter((k) => snapshot.configVars[k] !== undefined)) {
    const value = snapshot.configVars[key];
    const over = targets
      .filter(
        (t) =>
          secretSatisfies(value, (v) => (heapLimitMi(v) ?? 0) >= HEAP_SHARE_LIMIT * limitMi(t.resources)) ===
          true,
      )
      .sort((a, b) => compareStrings(a.name, b.name));
    if (over.length === 0) continue;
    findings.warned(
      app,
      "config-var",
      key,
      "heap-above-memory-limit",
      `${key} sets a heap limit at or above ${HEAP_SHARE_LIMIT * 100}% of the memory limit of ` +
        `${over.map((t) => `${t.name} (${t.resources.limits.memory})`).join(", ")}: the container is killed ` +
        `before the garbage collector keeps it under that heap. Lower it, or give those a larger dyno size.`,
    );
  }
}
