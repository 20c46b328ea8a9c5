/**
 * PlanSettings: the planner's input besides the snapshots. The config layer (components/config)
 * validates the stack config into these; the planner never reads raw config, and nothing here
 * knows how a setting is spelled in `Pulumi.<stack>.yaml`.
 */

/** What to do with an add-on. */
export type Disposition = "migrate" | "in-cluster" | "keep";
export const DISPOSITIONS: readonly Disposition[] = ["migrate", "in-cluster", "keep"];

export interface PlanSettings {
  /** Pulumi stack name (used in labels and the report). */
  stack: string;
  /** Kubernetes namespace for every object. Hasura clusters put user microservices in `default`. */
  namespace: string;
  /** The Hasura cluster's Postgres: the import target and where migrated DATABASE_URLs point. */
  postgres: TargetPostgresSettings;
  /** Per add-on overrides of the catalog, keyed by add-on name (e.g. `redis-curved-11111`). */
  addons: Record<string, AddonOverride>;
  /** Heroku Scheduler jobs (not readable from the API), keyed by app name. */
  schedules: Record<string, ScheduledJob[]>;
  /** Per app, per process type replica overrides (default: the formation's quantity). */
  replicas: Record<string, Record<string, number>>;
  ingress: IngressSettings;
  /** Storage class for in-cluster add-on PVCs; null = the cluster default. */
  storageClass: string | null;
  /**
   * Per app, per process type: whether it must run as a single pod (a scheduler: Celery beat, a
   * clock), overriding the planner's recognition by name and command. Default: recognised.
   */
  singletons: Record<string, Record<string, boolean>>;
  /**
   * Where the cluster runs: a Heroku region name (`us`, `eu`, `frankfurt`…) or a cloud region code
   * (`eu-west-1`, `europe-west4`, `westeurope`…), compared by geography with each app's Heroku region
   * for data residency and latency; null when not given.
   */
  clusterRegion: string | null;
}

export interface TargetPostgresSettings {
  /** Host the import (run where `pulumi up` runs) connects to, e.g. `localhost` through a port-forward. */
  host: string;
  port: number;
  /** Admin role on the target server, used to create databases and roles. */
  adminUser: string;
  /** Host apps inside the cluster use in their DATABASE_URL, e.g. `postgres.hasura.svc`. Default: `host`. */
  clusterHost: string;
  /** Port apps inside the cluster use. Default: `port`. */
  clusterPort: number;
  /** `sslmode` query parameter put on migrated DATABASE_URLs; null = none. */
  sslMode: string | null;
}

export interface AddonOverride {
  disposition?: Disposition;
  /** PVC size for `in-cluster` (Kubernetes quantity, e.g. `5Gi`); floor 1Gi. */
  storage?: string;
  /** Storage class for this add-on's PVC; overrides PlanSettings.storageClass. */
  storageClass?: string;
  /** Container image (by digest) for `in-cluster`; default from the catalog. */
  image?: string;
  /**
   * Any text: changing it generates a new password for the add-on's new credential (the migrated
   * database's owner role, the in-cluster server's password). Default "".
   */
  rotation?: string;
  /**
   * `in-cluster` only: the user's word that the in-cluster server starts empty (its Heroku data is not
   * copied, or they restore it themselves). An in-cluster add-on needs this or `copy`.
   */
  startEmpty?: boolean;
  /** `in-cluster` Redis only: copy the Heroku data once, verified (components/data/redis). */
  copy?: AddonCopySettings;
}

/** How `pulumi up` copies an add-on's data into its in-cluster server (`addons.<name>.copy`). */
export interface AddonCopySettings {
  /**
   * Host where the machine running `pulumi up` reaches the in-cluster server: `127.0.0.1` through
   * `kubectl port-forward`, or the Service's name when `up` runs inside the cluster.
   */
  host: string;
  /** Port at `host`; default the server's own port (6379). */
  port?: number;
  /** Connect to `host:port` with TLS (no certificate check). Default false. */
  tls?: boolean;
  /** How long the copy waits for `host:port` to answer (time to start the port-forward). Default 600. */
  waitSeconds?: number;
  /** Largest TTL difference the verification accepts between a source key and its copy. Default 5000. */
  ttlToleranceMs?: number;
  /** Names the copy; a different id asks for a new copy (into an empty server). Default: generated. */
  importId?: string;
  /** File the copy appends its progress lines to. */
  progressFile?: string;
}

export interface ScheduledJob {
  /** DNS-1123-safe job name, unique within the app. */
  name: string;
  /** Cron expression (UTC), e.g. `0 3 * * *`. */
  schedule: string;
  command: string;
  /** Dyno size name for resources; default: the app's smallest formation size. */
  size?: string;
}

export interface IngressSettings {
  /** `spec.ingressClassName`; null = cluster default. */
  className: string | null;
  /** cert-manager ClusterIssuer name put in the `cert-manager.io/cluster-issuer` annotation; null = none. */
  clusterIssuer: string | null;
  /**
   * Seconds `pulumi up` waits for the ingress controller to report an Ingress's address (its
   * `status.loadBalancer`); 0 = do not wait (a cluster whose controller never reports one).
   */
  addressTimeoutSeconds: number;
}
