import { PLACEHOLDER_DIGEST, StatefulAddonKind } from "./types";
import { Disposition } from "./settings";

/**
 * The add-on catalog: each Heroku add-on service's default disposition and, for services that can run
 * in-cluster, how to run them. Everything not listed is `keep` (its config vars are carried as they
 * are, so the app keeps using the add-on on Heroku).
 */

export interface InClusterSpec {
  kind: StatefulAddonKind;
  /** Default image: by digest; {@link PLACEHOLDER_DIGEST} until the user overrides it. */
  image: string;
  port: number;
  dataPath: string;
  /** URL schemes of this kind's connection strings (vars with other values are carried unchanged). */
  schemes: readonly string[];
}

const REDIS: InClusterSpec = {
  kind: "redis",
  image: `docker.io/library/redis:7.4@${PLACEHOLDER_DIGEST}`,
  port: 6379,
  dataPath: "/data",
  schemes: ["redis", "rediss"],
};

const MONGODB: InClusterSpec = {
  kind: "mongodb",
  image: `docker.io/library/mongo:7.0@${PLACEHOLDER_DIGEST}`,
  port: 27017,
  dataPath: "/data/db",
  schemes: ["mongodb", "mongodb+srv"],
};

/** Postgres: moved to the Hasura cluster's Postgres by the data import. */
export const POSTGRES_SERVICE = "heroku-postgresql";
/** Heroku Scheduler: its jobs become CronJobs when declared in settings.schedules. */
export const SCHEDULER_SERVICE = "scheduler";

const IN_CLUSTER: Record<string, InClusterSpec> = {
  "heroku-redis": REDIS,
  redistogo: REDIS,
  rediscloud: REDIS,
  openredis: REDIS,
  mongolab: MONGODB,
  ormongo: MONGODB,
  mongohq: MONGODB,
};

/** The catalog's disposition for an add-on service. */
export function defaultDisposition(service: string): Disposition {
  if (service === POSTGRES_SERVICE) return "migrate";
  if (IN_CLUSTER[service]) return "in-cluster";
  return "keep";
}

/** Dispositions a service supports: `keep` always; `migrate` for Postgres; `in-cluster` for catalog kinds. */
export function allowedDispositions(service: string): Disposition[] {
  if (service === POSTGRES_SERVICE) return ["migrate", "keep"];
  if (IN_CLUSTER[service]) return ["in-cluster", "keep"];
  return ["keep"];
}

/** How to run `service` in-cluster, or null when it cannot be. */
export function inClusterSpec(service: string): InClusterSpec | null {
  return IN_CLUSTER[service] ?? null;
}

/** Memory of known plans in MB (Heroku Key-Value Store / Redis plans); disk is sized from it. */
const REDIS_PLAN_MEMORY_MB: Record<string, number> = {
  hobby: 25,
  mini: 25,
  "premium-0": 50,
  "premium-1": 100,
  "premium-2": 250,
  "premium-3": 500,
  "premium-5": 1024,
  "premium-7": 7 * 1024,
  "premium-9": 10 * 1024,
  "premium-10": 25 * 1024,
  "premium-12": 50 * 1024,
  "premium-14": 100 * 1024,
};

/**
 * Memory in MB of Heroku plan `plan` (`heroku-redis:plan-name`; private/shield plans as their
 * premium twins), or undefined when the catalog does not know it (other services' plans).
 */
export function planMemoryMb(kind: StatefulAddonKind, plan: string): number | undefined {
  if (kind !== "redis") return undefined;
  const colon = plan.indexOf(":");
  // The table holds Heroku Key-Value Store plans; Redis To Go's or Redis Cloud's are other sizes.
  if (colon >= 0 && plan.slice(0, colon) !== "heroku-redis") return undefined;
  const planName = plan.slice(colon + 1);
  return REDIS_PLAN_MEMORY_MB[planName.replace(/^(private|shield)-/, "premium-")];
}

/** PVC floor: small PVCs are refused by several providers' storage classes. */
export const STORAGE_FLOOR_GI = 1;

/**
 * Storage in Gi for an in-cluster add-on on Heroku plan `plan` (`service:plan-name`): twice the
 * plan's memory (room for an RDB snapshot plus an AOF rewrite), rounded up, floor 1Gi; 1Gi when the
 * plan is not in the catalog.
 */
export function storageForPlan(kind: StatefulAddonKind, plan: string): number {
  const memoryMb = planMemoryMb(kind, plan);
  if (memoryMb === undefined) return STORAGE_FLOOR_GI;
  return Math.max(STORAGE_FLOOR_GI, Math.ceil((2 * memoryMb) / 1024));
}
