import { SecretString } from "../heroku/secret-string";
import { SecretTemplate } from "../heroku/secret-template";
import type { Disposition } from "./settings";
import type { WarningCode } from "./warning-codes";

/**
 * MigrationPlan: what the migration will create, as plain data computed by pure functions from
 * AppSnapshots + PlanSettings. Components render it into Pulumi resources and decide nothing.
 *
 * Contract between the planner (components/plan) and the components (components/k8s,
 * components/data, components/k8s/heroku-app-migration.ts). Add fields freely; rename or remove only
 * together with every reader.
 */

// ---------------------------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------------------------

export interface MigrationPlan {
  stack: string;
  namespace: string;
  apps: AppPlan[];
  /** One per add-on moved in-cluster; shared add-ons appear once and list every app using them. */
  statefulAddons: StatefulAddonPlan[];
  /** One per Heroku Postgres add-on with disposition `migrate`. */
  databases: DatabasePlan[];
  /** Every warning of every app and add-on, in a stable order. */
  warnings: PlanWarning[];
  /** Every Heroku fact of every snapshot and what became of it (mapped or warned): the report's body. */
  ledger: LedgerEntry[];
  /**
   * Every credential the migration generates instead of reusing Heroku's, sorted by name: the owner
   * role of each migrated database, the password of each in-cluster server. Secret values that embed
   * one (URLs) are {@link SecretTemplate}s naming it.
   */
  credentials: CredentialPlan[];
}

/**
 * A credential generated once for the migration (a `GeneratedSecret`), never taken from Heroku, so
 * a Heroku password unlocks nothing on the cluster. Components create one per name and fill it into
 * the {@link SecretTemplate}s that name it.
 */
export interface CredentialPlan {
  /** Resource name, unique in the plan (e.g. `postgresql-concave-52656-owner`). Changing it generates a new value. */
  name: string;
  /** What it unlocks, for the report (never a value). */
  purpose: string;
  /** Changing it generates a new value (`addons.<name>.rotation`); "" by default. */
  rotation: string;
}

export interface PlanWarning {
  /** Stable machine code, e.g. `log-drain`, `unknown-dyno-size`, `scheduler-no-jobs` (see WARNING_CODES). */
  code: WarningCode;
  /** Heroku app the warning concerns, or null for an add-on-level warning. */
  app: string | null;
  /** What it is about: a process type, add-on, domain, feature, config key… (never a value). */
  subject: string;
  /** One or two sentences a user can act on. Never contains a secret value. */
  message: string;
}

export type LedgerOutcome = "mapped" | "warned" | "not-needed";

/** Kinds of Heroku facts the ledger accounts for. */
export const LEDGER_KINDS = [
  "app",
  "config-var",
  "process-type",
  "scheduled-job",
  "addon",
  "attachment",
  "domain",
  "sni-endpoint",
  "log-drain",
  "feature",
  "buildpack",
  "pipeline",
  "release",
  "slug",
] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export interface LedgerEntry {
  app: string;
  /** Kind of fact. */
  kind: LedgerKind;
  /** The fact's name (process type, config key, add-on name, hostname…). */
  subject: string;
  outcome: LedgerOutcome;
  /** What it became (e.g. `Deployment acme-api-web`) or why it was not carried over. */
  detail: string;
}

/** Recommended labels; `selector` is the minimal, stable subset used as the Deployment selector. */
export interface ObjectLabels {
  /** All labels for metadata (app.kubernetes.io/name, /instance, /component, /part-of, /managed-by). */
  labels: Record<string, string>;
  /** Immutable selector: `app.kubernetes.io/name` + `app.kubernetes.io/component` only. */
  selector: Record<string, string>;
}

export interface AppPlan {
  /** Heroku app name. */
  app: string;
  /** DNS-1123 base name for this app's objects, unique across apps. */
  baseName: string;
  /** Config vars that go into the app's Secret (runtime vars excluded). Sorted by key. */
  secretEntries: SecretEntry[];
  /** One per non-release process type, sorted by type. */
  workloads: WorkloadPlan[];
  /** Release phase Job, or null when the slug has no `release` process type. */
  releaseJob: ReleaseJobPlan | null;
  /** ClusterIP Service for `web`, or null. */
  service: ServicePlan | null;
  /** Ingress for custom domains of `web`, or null. */
  ingress: IngressPlan | null;
  /** CronJobs from declared Scheduler jobs. */
  cronJobs: CronJobPlan[];
  /** Per attachment on this app: what happened to its add-on and its vars. */
  addons: AppAddonPlan[];
  warnings: PlanWarning[];
}

export type ConfigVarOrigin =
  | { kind: "user" }
  | { kind: "addon"; addon: string; attachment: string; service: string; disposition: Disposition };

export interface SecretEntry {
  key: string;
  origin: ConfigVarOrigin;
  /**
   * The value to put in the Secret: the Heroku value (`keep`, user vars), or the rewritten one (a
   * migrated database's URL, an in-cluster add-on's URL) with the generated credential it names.
   */
  value: SecretTemplate;
  /** True when `value` differs from Heroku's (rewritten to point into the cluster). */
  rewritten: boolean;
}

export interface EnvVar {
  name: string;
  /** A literal (non-secret) value, e.g. PORT. */
  value?: string;
  /** A downward-API field, e.g. `metadata.name` for DYNO. */
  fieldPath?: string;
}

export interface ResourcesPlan {
  requests: { cpu: string; memory: string };
  limits: { cpu?: string; memory: string };
}

export interface ProbePlan {
  tcpPort: number;
  periodSeconds: number;
  failureThreshold: number;
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
}

export interface WorkloadPlan {
  processType: string;
  /** DNS-1123 Deployment name, unique across apps and process types. */
  name: string;
  labels: ObjectLabels;
  /** Procfile command. */
  command: string;
  /**
   * Container args, always `["/bin/sh", "-c", command]`. The container `command` is left unset so the
   * image's ENTRYPOINT is kept: the slug image's entrypoint sources `.profile` and `.profile.d/*.sh`
   * (as Heroku's dyno manager does) and then `exec`s its args, so `$PORT` and other variables in the
   * Procfile command are expanded by `sh` after the profile scripts ran. An image whose ENTRYPOINT
   * does not exec its args must be built so that it does.
   */
  args: string[];
  /** Formation quantity, or the `replicas` override from settings; 0 stays 0. */
  replicas: number;
  /** Heroku dyno size name the resources came from. */
  dynoSize: string;
  resources: ResourcesPlan;
  /** Container port (web only; PORT is set to it: {@link WEB_PORT}), or null. */
  port: number | null;
  /** Non-secret env: PORT (web), DYNO (from the pod name)… */
  env: EnvVar[];
  terminationGracePeriodSeconds: number;
  /** Startup probe giving Heroku's boot window (60 s), web only. */
  startupProbe: ProbePlan | null;
  readinessProbe: ProbePlan | null;
  /**
   * Rolling update (preboot web: maxUnavailable 0, maxSurge 100%), or `Recreate` for a singleton:
   * the old pod stops before the new one starts, so two schedulers never overlap.
   */
  strategy:
    | { type: "RollingUpdate"; maxUnavailable: string | number; maxSurge: string | number }
    | { type: "Recreate" };
  /**
   * Why this process type must run as one pod (a scheduler recognised by name or command, or
   * `singletons` config), or null. A singleton has at most 1 replica and the Recreate strategy.
   */
  singleton: string | null;
}

/**
 * The container port web processes listen on (the value of `PORT`). Apps read `$PORT`, so any port
 * works; 5000 is foreman's (and long was `heroku local`'s) default, so Procfiles that fall back to it
 * keep working. The Service exposes it on port 80.
 */
export const WEB_PORT = 5000;

export interface ReleaseJobPlan {
  /** Base name; the component suffixes it so a new image gives a new Job. */
  name: string;
  labels: ObjectLabels;
  command: string;
  args: string[];
  resources: ResourcesPlan;
  env: EnvVar[];
  /** Heroku's release phase hard timeout: 3600 s. */
  activeDeadlineSeconds: number;
  /** 0: Heroku fails the release on the first non-zero exit and does not retry. */
  backoffLimit: number;
  /** Dyno size the resources came from: the `release` formation entry's, else web's. */
  dynoSize: string;
}

export interface ServicePlan {
  name: string;
  labels: ObjectLabels;
  port: number;
  targetPort: number;
}

export interface IngressPlan {
  name: string;
  labels: ObjectLabels;
  className: string | null;
  annotations: Record<string, string>;
  rules: { host: string; serviceName: string; servicePort: number }[];
  tls: { hosts: string[]; secretName: string }[];
  /** Seconds `pulumi up` waits for the Ingress's address; 0 = not at all (IngressSettings). */
  addressTimeoutSeconds: number;
}

export interface CronJobPlan {
  name: string;
  labels: ObjectLabels;
  /** Declared job name (settings.schedules). */
  job: string;
  schedule: string;
  command: string;
  args: string[];
  /** Dyno size the resources came from. */
  dynoSize: string;
  resources: ResourcesPlan;
  env: EnvVar[];
}

export interface AppAddonPlan {
  addon: string;
  attachment: string;
  /** The attachment's namespace, e.g. `credential:analytics`, or null. */
  namespace: string | null;
  service: string;
  /** Heroku plan name, e.g. `heroku-redis:premium-0`. */
  plan: string;
  disposition: Disposition;
  /** Config var keys this attachment contributes to the app's Secret. */
  configVars: string[];
  /** The StatefulAddonPlan.name or DatabasePlan.addon it now points at, or null for `keep`. */
  target: string | null;
}

export type StatefulAddonKind = "redis" | "mongodb";

export interface StatefulAddonPlan {
  /** Heroku add-on name. */
  addon: string;
  service: string;
  kind: StatefulAddonKind;
  /** DNS-1123 base name for the PVC, workload, Service and Secret. */
  name: string;
  labels: ObjectLabels;
  /** Image reference by digest (`repo@sha256:…`). */
  image: string;
  /**
   * True when `image` is the catalog's placeholder digest ({@link PLACEHOLDER_DIGEST}): it cannot be
   * pulled, and the user must set `addons.<name>.image` (a warning says so).
   */
  imageIsPlaceholder: boolean;
  port: number;
  /** PVC request, floor 1Gi. */
  storage: string;
  storageClass: string | null;
  /** Where the data lives in the container. */
  dataPath: string;
  /**
   * The generated password of the in-cluster server ({@link CredentialPlan} name): never Heroku's,
   * which therefore unlocks nothing in-cluster. The rewritten URLs carry it.
   */
  credential: string;
  /**
   * MongoDB root user created in-cluster (a fixed name, `heroku`, that the rewritten URLs use), or null
   * (Redis: the default user).
   */
  username: string | null;
  /**
   * Env var the component sets from the add-on Secret's `password` key (e.g. `REDIS_PASSWORD`,
   * referenced by `args` as `$(REDIS_PASSWORD)`).
   */
  passwordEnvVar: string;
  /** Literal env for the container (e.g. `MONGO_INITDB_ROOT_USERNAME`). */
  env: EnvVar[];
  /** TCP readiness on `port`. */
  readinessProbe: ProbePlan;
  /** In-cluster DNS name of the Service. */
  host: string;
  /** Container args (e.g. redis-server flags). */
  args: string[];
  resources: ResourcesPlan;
  /** Heroku apps whose config points here, sorted. */
  usedBy: string[];
  /** Heroku plan name the storage was sized from. */
  plan: string;
  /** What happens to the add-on's Heroku data: copied once, verified, or an acknowledged empty start. */
  data: AddonDataPlan;
}

/**
 * The data of an in-cluster add-on. Never implicit: the planner refuses an in-cluster add-on whose
 * stack neither copies its data nor acknowledges that it starts empty.
 */
export type AddonDataPlan =
  | {
      mode: "copy";
      /** The Heroku URL the data is read from (the billing app's first connection URL). */
      sourceUrl: SecretString;
      /** The app and config var `sourceUrl` was taken from, for messages. */
      sourceVar: { app: string; key: string };
      /** Where `pulumi up` reaches the in-cluster server, and how (from `addons.<name>.copy`). */
      host: string;
      port: number;
      tls: boolean;
      waitSeconds: number | null;
      ttlToleranceMs: number | null;
      importId: string | null;
      progressFile: string | null;
    }
  | { mode: "empty" };

/**
 * A syntactically valid digest that names no image: the catalog's default for in-cluster add-on
 * images, because this project cannot look digests up. Users must override it per add-on
 * (`addons.<name>.image`); the planner warns while it is in use.
 */
export const PLACEHOLDER_DIGEST = "sha256:" + "0".repeat(64);

export interface DatabasePlan {
  /** Heroku add-on name (identity of the source database). */
  addon: string;
  /** App billed for the add-on. */
  ownerApp: string;
  /** Heroku plan, e.g. `heroku-postgresql:standard-0`. */
  plan: string;
  /** Target database name (valid unquoted identifier). */
  database: string;
  /** Target owner role. */
  ownerRole: string;
  /** The owner role's generated password ({@link CredentialPlan} name): never the source credential's. */
  ownerCredential: string;
  /** Source URL for the import (the primary attachment's URL on the owner app). */
  sourceUrl: SecretString;
  /** Where `sourceUrl` comes from: re-read there at copy time when a Heroku token is available. */
  sourceAttachment: { app: string; configVar: string };
  /**
   * Every Heroku app the add-on is attached to, in the stack or not (the add-on's attachment list,
   * shared attachments included), sorted: the apps a cutover freeze stops.
   */
  attachedApps: string[];
  /** Every attachment (any app) whose URL var now points at the target. */
  attachments: { app: string; attachment: string; configVar: string }[];
  /** The rewritten URL apps get (host/port from clusterHost/clusterPort, the owner's generated password). */
  targetUrl: SecretTemplate;
  /** Host and port in `targetUrl` (not secret; for the report). */
  targetHost: string;
  targetPort: number;
}
