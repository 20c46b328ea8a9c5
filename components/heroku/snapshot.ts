import { SecretString } from "./secret-string";

/**
 * AppSnapshot: everything the migration needs to know about one Heroku app, read once, as plain data.
 *
 * This is the contract between the Heroku reader (API or snapshot file) and the pure planner. It holds
 * no Pulumi types and no functions; every secret (config var values, log drain URLs) is a
 * {@link SecretString}, so printing or `JSON.stringify`-ing a snapshot never shows one.
 *
 * Field names follow the Platform API's where they exist (test/support/heroku-double/schema/) but in
 * camelCase, and with only the fields the plan uses or warns about.
 */
export const SNAPSHOT_FORMAT_VERSION = 1 as const;

export interface AppSnapshot {
  /** Always {@link SNAPSHOT_FORMAT_VERSION}; a file with another version is refused. */
  formatVersion: typeof SNAPSHOT_FORMAT_VERSION;
  /** When the reader read the app (ISO 8601). */
  readAt: string;
  app: AppInfo;
  /** Current config vars, key → value. Heroku-managed runtime vars are not filtered here. */
  configVars: Record<string, SecretString>;
  /**
   * Which attachment owns each config var, from `GET /apps/{app}/config-vars-settings` (a prototype
   * endpoint). `null` when the endpoint was unavailable: the planner then falls back to each
   * add-on's `configVarNames`. Keys absent from a non-null map are user vars.
   */
  configVarOwners: Record<string, ConfigVarOwner> | null;
  /** One entry per process type in the formation (`GET /apps/{app}/formation`). */
  formation: FormationEntry[];
  /**
   * Heroku's dyno sizes (`GET /dyno-sizes`, read once per read for every app); empty when the reader
   * was told the formation's sizes are all known to the planner (see ReadNeeds.dynoSizes).
   */
  dynoSizes: DynoSizeInfo[];
  /** Add-ons attached to this app, including add-ons billed to another app and attached here. */
  addons: AddonSnapshot[];
  /** This app's add-on attachments (`GET /apps/{app}/addon-attachments`). */
  attachments: AttachmentSnapshot[];
  domains: DomainSnapshot[];
  sniEndpoints: SniEndpointSnapshot[];
  buildpacks: BuildpackSnapshot[];
  /** The current release (newest with status `succeeded`), or null for an app never released. */
  release: ReleaseSnapshot | null;
  /** The current release's slug (Cedar apps), or null (no release, or a Fir/OCI app). */
  slug: SlugSnapshot | null;
  /** Pipeline coupling, or null when the app is in no pipeline. */
  pipeline: PipelineCouplingSnapshot | null;
  logDrains: LogDrainSnapshot[];
  /** App features (`GET /apps/{app}/features`), enabled or not. */
  features: FeatureSnapshot[];
}

export interface AppInfo {
  id: string;
  name: string;
  region: string;
  /** Running stack name, e.g. `heroku-22`, `heroku-24`, or `cnb` for Fir apps. */
  stack: string;
  /** Stack used for the next build. */
  buildStack: string | null;
  /** `cedar` or `fir` (the API's `generation.name`, or its string form). */
  generation: string;
  /** Private Space, or null for the Common Runtime. */
  space: { name: string; shield: boolean } | null;
  /** Owning team name, or null for a personal app. */
  team: string | null;
  internalRouting: boolean;
  maintenance: boolean;
  /** Automated Certificate Management enabled. */
  acm: boolean;
  webUrl: string | null;
}

export interface ConfigVarOwner {
  attachmentId: string;
  /** The attachment's name when known (e.g. `DATABASE`, `HEROKU_POSTGRESQL_ONYX`). */
  attachmentName: string | null;
}

export interface FormationEntry {
  /** Process type, e.g. `web`, `worker`, `release`, `clock`. */
  type: string;
  /** Command from the Procfile of the current release. */
  command: string;
  /** Number of dynos (0 allowed). */
  quantity: number;
  /** Dyno size name as the API spells it, e.g. `Standard-2X`. */
  size: string;
}

export interface DynoSizeInfo {
  name: string;
  /** Memory quota in GB. */
  memoryGb: number;
  /** Minimum vCPUs (the API's `compute`). */
  compute: number;
  dedicated: boolean;
  privateSpaceOnly: boolean;
}

export interface AddonSnapshot {
  id: string;
  /** Globally unique add-on name, e.g. `postgresql-concave-52656`. */
  name: string;
  /** Add-on service slug, e.g. `heroku-postgresql`, `heroku-redis`, `papertrail`. */
  service: string;
  /** Plan name, e.g. `heroku-postgresql:standard-0`. */
  plan: string;
  /** The app that owns (is billed for) the add-on; differs from the reading app for a shared add-on. */
  billingApp: { id: string; name: string };
  /** Names of the config vars the add-on sets on its owning app. */
  configVarNames: string[];
  state: "provisioning" | "provisioned" | "deprovisioned";
  /** Attachments of this add-on: on any app, or only on the reading app (see `attachmentsFrom`). */
  attachments: AttachmentSnapshot[];
  /**
   * Where `attachments` came from. `addon`: the add-on's own list (`GET /addons/{addon}/addon-attachments`),
   * every attachment on any app. `app`: that list was not read (the reader was told it is not needed):
   * only the reading app's attachments. `hidden`: the API refused that list by id and by name
   * (403/404, e.g. an add-on owned by a team the token cannot see): only the reading app's attachments,
   * and which other apps use the add-on is unknown. Files written before the field existed read as `addon`.
   */
  attachmentsFrom: "addon" | "app" | "hidden";
}

export interface AttachmentSnapshot {
  id: string;
  /** Attachment name, e.g. `DATABASE`; the config vars it sets are `<NAME>_URL` and similar. */
  name: string;
  /** `null`, or e.g. `credential:analytics` for a Postgres credential attachment. */
  namespace: string | null;
  addon: { id: string; name: string; service: string };
  /** The app this attachment is on. */
  app: { id: string; name: string };
}

export interface DomainSnapshot {
  hostname: string;
  /** `heroku` for the built-in `*.herokuapp.com` domain, `custom` for the user's own. */
  kind: "heroku" | "custom";
  /** The DNS target Heroku asked for (custom domains), or null. */
  cname: string | null;
  /** ACM status for the domain, e.g. `ok`, `failed`, or null. */
  acmStatus: string | null;
  /** Name of the SNI endpoint serving this domain, or null. */
  sniEndpoint: string | null;
}

export interface SniEndpointSnapshot {
  id: string;
  name: string;
  /** Hostnames the certificate covers (its CN and SANs). */
  certificateDomains: string[];
  /** Certificate expiry (ISO 8601), when known. */
  expiresAt: string | null;
  /** True when Heroku ACM issued it (no user-supplied key to carry over). */
  acm: boolean;
}

export interface BuildpackSnapshot {
  ordinal: number;
  url: string;
  /** Registry name, e.g. `heroku/nodejs`, when the buildpack is from the registry. */
  name: string | null;
}

export interface ReleaseSnapshot {
  id: string;
  version: number;
  description: string;
  createdAt: string;
  status: "succeeded" | "failed" | "pending";
  /** Slug id of this release, or null (config-only release of a never-built app, or Fir). */
  slugId: string | null;
}

export interface SlugSnapshot {
  id: string;
  /** Procfile process types, type → command. */
  processTypes: Record<string, string>;
  /** Stack the slug was compiled for, e.g. `heroku-22`. */
  stack: string;
  /** Source commit (git SHA) or null. */
  commit: string | null;
  commitDescription: string | null;
  buildpackProvidedDescription: string | null;
  /** Compressed size in bytes, or null. */
  size: number | null;
  /** `SHA256:<hex>` checksum of the slug archive, or null. */
  checksum: string | null;
  // The blob URL is deliberately absent: it is a short-lived signed URL, read only during `up`.
}

export interface PipelineCouplingSnapshot {
  pipelineId: string;
  pipelineName: string;
  /** `review`, `development`, `staging` or `production`. */
  stage: string;
}

export interface LogDrainSnapshot {
  id: string;
  /** Full drain URL; may embed credentials, so it is a secret. */
  url: SecretString;
  /** The drain's host (safe to print in warnings), or null if the URL has none. */
  host: string | null;
  /** The add-on that created the drain (e.g. Papertrail), or null for a user drain. */
  addon: { id: string; name: string } | null;
}

export interface FeatureSnapshot {
  name: string;
  enabled: boolean;
  description: string | null;
}

/** The content of a snapshot file (`npm run snapshot`) and the reader's result for several apps. */
export interface SnapshotSet {
  formatVersion: typeof SNAPSHOT_FORMAT_VERSION;
  /** When the set was written (ISO 8601). */
  createdAt: string;
  /** True when config var values were replaced by redaction markers in the file. */
  redacted: boolean;
  apps: AppSnapshot[];
}
