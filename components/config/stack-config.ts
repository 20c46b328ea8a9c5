import type { ImportOptions } from "../data/import-options";
import { SecretString } from "../heroku/secret-string";
import { HerokuSource, PIPELINE_STAGES, PipelineStage } from "../heroku/source";
import type { HasuraConfig } from "./hasura";
import type { SslMode } from "../data/postgres-url";
import type { PlanSettings, TargetPostgresSettings } from "../plan/settings";

/**
 * The validated stack config: everything `index.ts` needs, typed. Built by `parseStackConfig` from
 * the raw `Pulumi.<stack>.yaml` values; nothing outside `components/config` reads raw config.
 */
export interface StackConfig {
  /** Pulumi project name: the config namespace in every error message. */
  project: string;
  stack: string;
  /**
   * Which apps, from the API or a snapshot file (`heroku`), with the Platform API token
   * (`herokuApiKey`, else the `HEROKU_API_KEY` environment variable) as `heroku.token`.
   */
  heroku: HerokuSource;
  /** Where Kubernetes objects go. */
  cluster: ClusterConfig;
  /** The Hasura cluster's Postgres (import target, host of migrated DATABASE_URLs). */
  postgres: PostgresConfig;
  /** The data import's options (components/data). */
  import: ImportConfig;
  /** GraphQL Engine and its metadata (components/hasura). */
  hasura: HasuraConfig;
  /** The cutover's freeze of the Heroku apps before the final import (components/cutover). */
  cutover: CutoverConfig;
  /**
   * `images` as written. Its shape is checked here with `parseImagesConfig` (./images);
   * the typed ImagesConfig depends on the selected apps, so `checkConfigAgainstApps` returns it.
   */
  images: unknown;
  /** Password of the image registry (`registryPassword`, a secret), for the images component. */
  registryPassword: SecretString | null;
  /**
   * The upstream stack this one runs the images of (`promoteFrom`, `org/project/stack`), or null
   * when this stack builds or pins its own.
   */
  promoteFrom: string | null;
  /** The planner's settings (namespace, Postgres location, add-on overrides, schedules, replicas…). */
  plan: PlanSettings;
}

export { PIPELINE_STAGES };
export type { HerokuSource, PipelineStage };

/** Where Kubernetes objects go: written as YAML to a folder, or applied with a kubeconfig. */
export type ClusterTarget =
  { kind: "render"; directory: string } | { kind: "kubeconfig"; kubeconfig: SecretString; context?: string };

export interface ClusterConfig {
  /** Namespace of every object (`cluster.namespace`, default `default` as on Hasura clusters). */
  namespace: string;
  /**
   * `cluster.createNamespace`, default false (Hasura's `default` exists): declare the namespace too,
   * so a new one needs no manual `kubectl create namespace`. Every object waits for it. It is kept
   * when removed from the program (retainOnDelete): deleting a namespace deletes all it holds, PVCs
   * included.
   */
  createNamespace: boolean;
  /**
   * `cluster.region`: where the cluster runs, a Heroku region name (`eu`, `frankfurt`) or a cloud
   * region code (`eu-west-1`, `europe-west4`, `westeurope`); each app's Heroku region is checked
   * against it (data residency, latency). Null when not given (apps outside the US are then warned).
   */
  region: string | null;
  target: ClusterTarget;
}

export interface PostgresConfig extends Omit<TargetPostgresSettings, "sslMode"> {
  /** libpq `sslmode` of every connection to the server (and on migrated URLs); undefined = none. */
  sslMode?: SslMode;
  /** Maintenance database the admin connects to; undefined = the server default (`postgres`). */
  database?: string;
  /** Admin password (`postgresPassword`), or undefined for trust/peer auth (the dev stack). */
  password?: SecretString;
  /**
   * `postgres.manageDatabase`, default true: this stack declares each migrated database and its
   * owner role (components/data TargetDatabase, `@pulumi/postgresql`) before importing into it.
   * false: the database and owner role already exist (created by the DBA, or by the dev job) and
   * only the import runs, connecting as `adminUser` to the database the plan names. Changing it from
   * true to false removes the TargetDatabase from the stack (its database is protected, so
   * `pulumi state delete` it first); the import is not replaced as long as host, port and database
   * stay the same.
   */
  manageDatabase: boolean;
}

/**
 * `import`: the Postgres data import (components/data PostgresImport). Its options (`import.jobs`,
 * `import.importId`, …) are declared once, with their meaning and defaults, in
 * components/data/import-options.ts; each is undefined when not set.
 */
export interface ImportConfig extends ImportOptions {
  /** Run the import on `pulumi up`. Default false: it is a deliberate cutover step. */
  enabled: boolean;
}

export type { HasuraConfig };

/** `cutover`: the freeze of the Heroku apps for the final import (components/cutover HerokuFreeze). */
export interface CutoverConfig {
  /**
   * `cutover.freeze`, default false: before the import, turn maintenance mode on and scale every
   * process type to 0 for every app attached to a migrated database (recording their state), wait
   * for the database's other sessions to end, and fail the import on any write to the source.
   * Needs `herokuApiKey` (write scope) and `import.enabled`.
   */
  freeze: boolean;
  /** `cutover.drainTimeoutSeconds` (0–3600), default 120: the bound on that wait. */
  drainTimeoutSeconds: number;
  /** `cutover.terminateSessions`, default false: end the sessions still connected after the wait. */
  terminateSessions: boolean;
  /** `cutover.recordDir`: the freeze journal's folder, relative to the project; undefined = the default. */
  recordDir?: string;
}
