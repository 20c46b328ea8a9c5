import { SecretString } from "../heroku/secret-string";
import { InClusterSpec, inClusterSpec } from "./addon-catalog";
import { AddonUsage } from "./addon-usage";
import { AddonDataPlan } from "./types";

/**
 * What happens to an in-cluster add-on's Heroku data. An in-cluster server starts empty, and the
 * apps' URLs are rewritten to point at it, so the planner never lets that happen unsaid: each
 * in-cluster add-on either has its data copied (`addons.<name>.copy`: Redis, by the RedisImport
 * resource) or the stack acknowledges that it starts empty (`addons.<name>.startEmpty: true`).
 */

/** Kinds whose data this program can copy (components/data/redis). */
const COPYABLE: readonly InClusterSpec["kind"][] = ["redis"];

/** What is wrong with an add-on's data settings, as one message naming its keys; null when nothing. */
function problemsOf(usage: AddonUsage): string | null {
  const name = usage.addon.name;
  const spec = inClusterSpec(usage.addon.service);
  const o = usage.override ?? {};
  const inCluster = usage.disposition === "in-cluster" && spec !== null;
  if (!inCluster) {
    if (o.copy !== undefined || o.startEmpty !== undefined) {
      const key = o.copy !== undefined ? "copy" : "startEmpty";
      return `addons.${name}.${key}: only applies to an add-on run in-cluster (${name} is ${usage.disposition}: its data stays where it is)`;
    }
    return null;
  }
  const vars = usage.uses.flatMap((u) => u.vars.map((v) => `${u.app}'s ${v}`));
  const pointing =
    vars.length > 0 ? `while ${vars.join(", ")} ${vars.length === 1 ? "points" : "point"} at it` : "";
  const copyable = COPYABLE.includes(spec.kind);
  if (o.copy !== undefined && o.startEmpty === true) {
    return `addons.${name}: set either copy (copy the Heroku data) or startEmpty: true (start empty), not both`;
  }
  if (o.copy !== undefined && !copyable) {
    return (
      `addons.${name}.copy: this program cannot copy ${spec.kind} data (its server cannot run here to test a ` +
      `copy). Acknowledge that the in-cluster ${spec.kind} starts empty with addons.${name}.startEmpty: true and ` +
      `restore its data yourself (docs/addon-data.md: mongodump/mongorestore through a port-forward), or keep ` +
      `it on Heroku: addons.${name}.disposition: keep`
    );
  }
  if (o.copy !== undefined || o.startEmpty === true) return null;
  const what =
    `the in-cluster ${spec.kind} of add-on ${name} (${usage.addon.service}) would start empty ${pointing}`.trimEnd();
  if (copyable) {
    return (
      `addons.${name}: ${what}. Either copy its data once, verified, during \`pulumi up\`: set ` +
      `addons.${name}.copy.host (and copy.port) to where \`pulumi up\` reaches the in-cluster server, e.g. ` +
      `127.0.0.1 and 16379 with \`kubectl port-forward svc/<name> 16379:${spec.port}\` (docs/addon-data.md); or ` +
      `acknowledge that it starts empty: addons.${name}.startEmpty: true. (To keep using it on Heroku ` +
      `instead: addons.${name}.disposition: keep.)`
    );
  }
  return (
    `addons.${name}: ${what}, and this program cannot copy ${spec.kind} data. Either acknowledge that it ` +
    `starts empty (and restore the data yourself with mongodump/mongorestore through a port-forward, ` +
    `docs/addon-data.md): addons.${name}.startEmpty: true; or keep it on Heroku: ` +
    `addons.${name}.disposition: keep.`
  );
}

/**
 * Refuses, in one error listing every add-on at fault, an in-cluster add-on with neither `copy` nor
 * `startEmpty: true`, `copy` of a kind this program cannot copy, both at once, or either on an
 * add-on that does not run in-cluster.
 */
export function checkAddonData(usages: AddonUsage[]): void {
  const problems = usages.map(problemsOf).filter((p): p is string => p !== null);
  if (problems.length === 1) throw new Error(problems[0]);
  if (problems.length > 1) {
    throw new Error(
      `${problems.length} add-ons would lose their data silently:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
}

/**
 * The data plan of an in-cluster add-on already checked by {@link checkAddonData}. `source` is the
 * connection URL the planner found first (billing app first), or null when no app holds one: a copy
 * then has nothing to read from, which is an error naming the add-on.
 */
export function planAddonData(
  usage: AddonUsage,
  spec: InClusterSpec,
  source: { app: string; key: string; value: SecretString } | null,
): AddonDataPlan {
  const copy = usage.override?.copy;
  if (copy === undefined) return { mode: "empty" };
  if (source === null) {
    throw new Error(
      `addons.${usage.addon.name}.copy: no app holds a ${spec.kind} URL of ${usage.addon.name} to copy from ` +
        `(its config vars are ${usage.addon.configVarNames.join(", ") || "unknown"}); set startEmpty: true instead`,
    );
  }
  return {
    mode: "copy",
    sourceUrl: source.value,
    sourceVar: { app: source.app, key: source.key },
    host: copy.host,
    port: copy.port ?? spec.port,
    tls: copy.tls ?? false,
    waitSeconds: copy.waitSeconds ?? null,
    ttlToleranceMs: copy.ttlToleranceMs ?? null,
    importId: copy.importId ?? null,
    progressFile: copy.progressFile ?? null,
  };
}

/** One sentence on what happens to an in-cluster add-on's data, for the report. */
export function describeAddonData(data: AddonDataPlan, addon: string): string {
  if (data.mode === "empty") {
    return `starts empty: acknowledged by addons.${addon}.startEmpty (the Heroku data is not copied)`;
  }
  return (
    `copied once and verified by the RedisImport during \`pulumi up\`, from ${data.sourceVar.app}'s ` +
    `${data.sourceVar.key} through ${data.host}:${data.port}${data.tls ? " (TLS)" : ""}; the apps wait for it`
  );
}
