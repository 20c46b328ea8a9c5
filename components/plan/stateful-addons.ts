import { isPinnedRef } from "../formats/image-ref";
import { quantityBytes } from "../formats/quantity";
import { SecretString } from "../heroku/secret-string";
import {
  InClusterSpec,
  inClusterSpec,
  planMemoryMb,
  STORAGE_FLOOR_GI,
  storageForPlan,
} from "./addon-catalog";
import { checkAddonData, planAddonData } from "./addon-data";
import { AddonUse, AddonUsage, Rewrites, setRewrite } from "./addon-usage";
import { objectLabels } from "./names";
import { secretSatisfies } from "./secret-values";
import { SecretTemplate } from "../heroku/secret-template";
import { CredentialPlan, EnvVar, PLACEHOLDER_DIGEST, ResourcesPlan, StatefulAddonPlan } from "./types";
import { ConnectionUrl, parseConnectionUrl } from "./urls";
import { Findings } from "./warnings";

/** MongoDB root user created in-cluster (the Heroku user name is not reused: it would need revealing). */
export const MONGO_ROOT_USER = "heroku";

/** Resources of an in-cluster add-on whose Heroku plan the catalog cannot size. */
const RESOURCES: Record<InClusterSpec["kind"], ResourcesPlan> = {
  redis: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
  mongodb: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "2Gi" } },
};

/** `n` MiB as a quantity, in Gi when whole. */
function mebibytes(n: number): string {
  return n % 1024 === 0 ? `${n / 1024}Gi` : `${n}Mi`;
}

/**
 * Resources sized from the Heroku plan's memory where it is known: Redis keeps its whole data set in
 * memory, and the fork of an RDB snapshot or AOF rewrite can copy-on-write up to as much again, so
 * the request is the plan's memory and the limit twice that (never below the defaults). A fixed
 * 1Gi limit would OOM-kill a larger plan's server in a restart loop on its first snapshot.
 */
function resourcesOf(kind: InClusterSpec["kind"], plan: string): ResourcesPlan {
  const base = RESOURCES[kind];
  const mb = planMemoryMb(kind, plan);
  if (mb === undefined) return base;
  const request = Math.max((quantityBytes(base.requests.memory) ?? 0) / 2 ** 20, Math.ceil(mb));
  const limit = Math.max((quantityBytes(base.limits.memory) ?? 0) / 2 ** 20, 2 * Math.ceil(mb));
  return {
    requests: { cpu: base.requests.cpu, memory: mebibytes(request) },
    limits: { ...base.limits, memory: mebibytes(limit) },
  };
}

export interface StatefulAddonContext {
  namespace: string;
  storageClass: string | null;
  /** Kubernetes name for each in-cluster add-on (by Heroku add-on name). */
  names: ReadonlyMap<string, string>;
}

/** The generated password of in-cluster add-on `addon` ({@link CredentialPlan} name). */
export function statefulAddonCredential(addon: string): string {
  return `${addon}-password`;
}

/**
 * In-cluster add-ons → one StatefulAddonPlan each (a shared add-on once, `usedBy` listing its apps),
 * and every connection URL its attachments own rewritten to the in-cluster Service with the server's
 * generated password (never Heroku's, so a Heroku URL that leaked unlocks nothing in-cluster).
 */
export function planStatefulAddons(
  usages: AddonUsage[],
  ctx: StatefulAddonContext,
  rewrites: Rewrites,
  findings: Findings,
): { statefulAddons: StatefulAddonPlan[]; credentials: CredentialPlan[] } {
  // Before anything is planned: an in-cluster server must never start empty unsaid.
  checkAddonData(usages);
  const statefulAddons = usages
    .filter((u) => u.disposition === "in-cluster")
    .map((u) => planStatefulAddon(u, ctx, rewrites, findings));
  const credentials = statefulAddons.map((a) => ({
    name: a.credential,
    purpose: `password of the in-cluster ${a.kind} ${a.name} (${a.addon})`,
    rotation: usages.find((u) => u.addon.name === a.addon)?.override?.rotation ?? "",
  }));
  return { statefulAddons, credentials };
}

function urlVars(use: AddonUse, spec: InClusterSpec): string[] {
  return use.vars.filter((key) => {
    const value = use.snapshot.configVars[key];
    const isUrl = secretSatisfies(value, (v) => spec.schemes.includes(parseConnectionUrl(v)?.scheme ?? ""));
    // A redacted value cannot be inspected: its attachment's `_URL` var is assumed to be the URL.
    return isUrl ?? key === `${use.attachment.name}_URL`;
  });
}

function storageOf(usage: AddonUsage, spec: InClusterSpec, findings: Findings): string {
  const name = usage.addon.name;
  const requested = usage.override?.storage;
  if (requested === undefined) return `${storageForPlan(spec.kind, usage.addon.plan)}Gi`;
  const bytes = quantityBytes(requested);
  if (bytes === null) {
    throw new Error(`addons.${name}.storage: "${requested}" is not a Kubernetes quantity (e.g. 5Gi)`);
  }
  if (bytes < STORAGE_FLOOR_GI * 2 ** 30) {
    findings.warn(
      "storage-below-floor",
      null,
      name,
      `addons.${name}.storage ${requested} is below the ${STORAGE_FLOOR_GI}Gi floor; ${STORAGE_FLOOR_GI}Gi is used.`,
    );
    return `${STORAGE_FLOOR_GI}Gi`;
  }
  return requested;
}

function imageOf(usage: AddonUsage, spec: InClusterSpec, findings: Findings): string {
  const name = usage.addon.name;
  const image = usage.override?.image ?? spec.image;
  if (!isPinnedRef(image)) {
    throw new Error(
      `addons.${name}.image: "${image}" must be pinned by digest (repo@sha256:<64 hex digits>)`,
    );
  }
  if (image.endsWith(`@${PLACEHOLDER_DIGEST}`)) {
    findings.warn(
      "addon-image-placeholder",
      null,
      name,
      `${name} runs in-cluster with the catalog's placeholder image ${image}, which cannot be pulled: set ` +
        `addons.${name}.image to a ${spec.kind} image pinned by digest.`,
    );
  }
  return image;
}

/**
 * The in-cluster URL for a Heroku URL: the Service's host and port, the generated password, and the
 * Heroku URL's path (Redis database number, MongoDB database), which is all it keeps of it.
 */
function rewriteUrl(
  value: SecretString,
  spec: InClusterSpec,
  host: string,
  credential: string,
): SecretTemplate {
  const address = `${host}:${spec.port}`;
  const password = SecretTemplate.credential(credential, { uriEncoded: true });
  const pathOf = (v: string) => (parseConnectionUrl(v) as ConnectionUrl).path;
  if (spec.kind === "redis") {
    // Redis ≥ 6 treats a user name as an ACL user, and Heroku's `h` user does not exist in-cluster.
    return SecretTemplate.join("redis://:", password, `@${address}`, value.map(pathOf));
  }
  return SecretTemplate.join(
    `mongodb://${MONGO_ROOT_USER}:`,
    password,
    `@${address}`,
    value.map((v) => pathOf(v) || "/"),
    "?authSource=admin",
  );
}

/**
 * redis-server flags: durable (AOF), the generated password from the env the component fills from the
 * add-on Secret, and, for a known plan, Heroku's `maxmemory` (the plan's size; Heroku's default policy
 * `noeviction` is Redis' own), so a full data set refuses writes as on Heroku instead of growing
 * until the container's memory limit kills it.
 */
function redisArgs(plan: string, passwordEnvVar: string): string[] {
  const memoryMb = planMemoryMb("redis", plan);
  return [
    "--appendonly",
    "yes",
    ...(memoryMb === undefined ? [] : ["--maxmemory", `${memoryMb}mb`]),
    "--requirepass",
    `$(${passwordEnvVar})`,
  ];
}

function planStatefulAddon(
  usage: AddonUsage,
  ctx: StatefulAddonContext,
  rewrites: Rewrites,
  findings: Findings,
): StatefulAddonPlan {
  const { addon } = usage;
  const spec = inClusterSpec(addon.service) as InClusterSpec;
  const name = ctx.names.get(addon.name) as string;
  const host = `${name}.${ctx.namespace}.svc`;

  const credential = statefulAddonCredential(addon.name);
  // Where a copy reads the Heroku data from: the first URL found (uses list the billing app first).
  let source: { app: string; key: string; value: SecretString } | null = null;
  for (const use of usage.uses) {
    for (const key of urlVars(use, spec)) {
      const value = use.snapshot.configVars[key];
      source ??= { app: use.app, key, value };
      setRewrite(rewrites, use.app, key, rewriteUrl(value, spec, host, credential));
      if (secretSatisfies(value, (v) => parseConnectionUrl(v)?.scheme === "rediss")) {
        findings.warned(
          use.app,
          "config-var",
          key,
          "rediss-url",
          `${key} was a rediss:// (TLS) URL and is now plain redis:// to the in-cluster Service: remove TLS ` +
            `options (e.g. verify_mode/ssl_cert_reqs) the app set for Heroku's self-signed certificate.`,
        );
      }
    }
  }

  const passwordEnvVar = spec.kind === "redis" ? "REDIS_PASSWORD" : "MONGO_INITDB_ROOT_PASSWORD";
  const env: EnvVar[] =
    spec.kind === "mongodb" ? [{ name: "MONGO_INITDB_ROOT_USERNAME", value: MONGO_ROOT_USER }] : [];
  const args = spec.kind === "redis" ? redisArgs(addon.plan, passwordEnvVar) : [];
  const usedBy = [...new Set(usage.uses.map((u) => u.app))].sort();

  return {
    addon: addon.name,
    service: addon.service,
    kind: spec.kind,
    name,
    labels: objectLabels({ name, component: spec.kind, instance: name, partOf: name }),
    image: imageOf(usage, spec, findings),
    imageIsPlaceholder: (usage.override?.image ?? spec.image).endsWith(`@${PLACEHOLDER_DIGEST}`),
    port: spec.port,
    storage: storageOf(usage, spec, findings),
    storageClass: usage.override?.storageClass ?? ctx.storageClass,
    dataPath: spec.dataPath,
    credential,
    username: spec.kind === "mongodb" ? MONGO_ROOT_USER : null,
    passwordEnvVar,
    env,
    readinessProbe: { tcpPort: spec.port, periodSeconds: 10, failureThreshold: 3 },
    host,
    args,
    resources: resourcesOf(spec.kind, addon.plan),
    usedBy,
    plan: addon.plan,
    data: planAddonData(usage, spec, source),
  };
}
