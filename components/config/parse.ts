import { SecretString } from "../heroku/secret-string";
import { AddonCopySettings, AddonOverride, DISPOSITIONS, PlanSettings, ScheduledJob } from "../plan/settings";
import { SSL_MODES } from "../data/postgres-url";
import {
  IMPORT_OPTION_NAMES,
  IMPORT_OPTIONS,
  ImportOptionName,
  ImportOptions,
  OptionSpec,
} from "../data/import-options";
import { HerokuSource, PIPELINE_STAGES, PipelineStageRef } from "../heroku/source";
import { Fields, join } from "./fields";
import { cronProblem } from "../formats/cron";
import {
  DIGEST_IMAGE,
  IMPORT_ID,
  CLUSTER_REGION,
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
  HEROKU_ADDON_NAME,
  HEROKU_APP_NAME,
  HOST,
  HTTP_URL,
  JOB_NAME,
  PG_IDENTIFIER,
  PIPELINE_NAME,
  PROCESS_TYPE,
  STORAGE_QUANTITY,
} from "../formats/formats";
import { closest, IssueList } from "./issues";
import { parseHasura } from "./hasura";
import { parseImagesConfig, parsePromoteFrom } from "./images";
import { kubeconfigContextProblem } from "./kubeconfig";
import { ClusterConfig, CutoverConfig, ImportConfig, PostgresConfig, StackConfig } from "./stack-config";

/** Every top-level key of the project's config namespace. */
export const TOP_LEVEL_KEYS = [
  "heroku",
  "herokuApiKey",
  "cluster",
  "kubeconfig",
  "postgres",
  "postgresPassword",
  "addons",
  "images",
  "registryPassword",
  "promoteFrom",
  "schedules",
  "replicas",
  "singletons",
  "ingress",
  "storageClass",
  "import",
  "hasura",
  "hasuraJwtSecret",
  "hasuraAuthWebhook",
  "cutover",
] as const;

/** Keys that must hold secrets (`pulumi config set --secret`); their values are never echoed. */
export const SECRET_KEYS = [
  "herokuApiKey",
  "kubeconfig",
  "postgresPassword",
  "registryPassword",
  "hasuraJwtSecret",
  "hasuraAuthWebhook",
] as const;

export interface ParseContext {
  /** Pulumi project name: the config namespace, e.g. `heroku-to-hasura`. */
  project: string;
  stack: string;
  /** Environment variables consulted as fallbacks (`HEROKU_API_KEY`). Default: none. */
  env?: Record<string, string | undefined>;
  /** Top-level keys that were stored as secrets; when given, a secret key stored in plaintext is an error. */
  secretKeysStored?: ReadonlySet<string>;
}

/**
 * Validates the project's raw config values (keys without the `project:` prefix, structured values
 * already decoded) and returns the typed config. Throws one {@link StackConfigError} listing every
 * mistake, each naming its full key and the allowed values.
 */
export function parseStackConfig(raw: Record<string, unknown>, ctx: ParseContext): StackConfig {
  const issues = new IssueList(ctx.project);
  const f = new Fields(issues);

  f.object("", raw, TOP_LEVEL_KEYS);
  for (const k of Object.keys(raw)) {
    const meant = (TOP_LEVEL_KEYS as readonly string[]).includes(k) ? null : closest(k, TOP_LEVEL_KEYS);
    if (meant) issues.intended.add(meant);
  }
  if (ctx.secretKeysStored) {
    for (const k of SECRET_KEYS) {
      if (raw[k] !== undefined && !ctx.secretKeysStored.has(k)) {
        issues.add(k, `must be stored as a secret: pulumi config set --secret ${k} …`);
      }
    }
  }

  const herokuFields = parseHeroku(f, raw.heroku);
  const herokuApiKey = parseApiKey(f, raw.herokuApiKey, ctx.env ?? {}, herokuFields);
  const cluster = parseCluster(f, raw.cluster, raw.kubeconfig);
  const postgres = parsePostgres(f, raw.postgres, raw.postgresPassword);
  const addons = f.map("addons", raw.addons, HEROKU_ADDON_NAME, (p, v) => parseAddonOverride(f, p, v));
  const schedules = f.map("schedules", raw.schedules, HEROKU_APP_NAME, (p, v) => parseSchedules(f, p, v));
  const replicas = f.map("replicas", raw.replicas, HEROKU_APP_NAME, (p, v) =>
    f.map(p, v, PROCESS_TYPE, (pp, n) => {
      if (n === undefined || n === null) f.issues.add(pp, "must be an integer from 0 to 1000 (got null)");
      return f.integer(pp, n, 0, 1000);
    }),
  );
  const singletons = f.map("singletons", raw.singletons, HEROKU_APP_NAME, (p, v) =>
    f.map(p, v, PROCESS_TYPE, (pp, b) => {
      if (b === undefined || b === null) f.issues.add(pp, "must be true or false (got null)");
      return f.boolean(pp, b);
    }),
  );
  const ingressRaw =
    f.object("ingress", raw.ingress, ["className", "clusterIssuer", "addressTimeoutSeconds"]) ?? {};
  const ingress = {
    className: f.string("ingress.className", ingressRaw.className, { format: DNS1123_SUBDOMAIN }) ?? null,
    clusterIssuer:
      f.string("ingress.clusterIssuer", ingressRaw.clusterIssuer, { format: DNS1123_SUBDOMAIN }) ?? null,
    addressTimeoutSeconds:
      f.integer("ingress.addressTimeoutSeconds", ingressRaw.addressTimeoutSeconds, 0, 3600) ??
      DEFAULT_INGRESS_ADDRESS_TIMEOUT_SECONDS,
  };
  const storageClass = f.string("storageClass", raw.storageClass, { format: DNS1123_SUBDOMAIN }) ?? null;
  const importConfig = parseImport(f, raw.import);
  const hasura = parseHasura(f, raw.hasura, raw.hasuraJwtSecret, raw.hasuraAuthWebhook);
  const cutover = parseCutover(f, raw.cutover, importConfig, herokuApiKey);
  const promoteFrom = parsePromoteFrom(f, raw.promoteFrom);
  // The images' app names are only final once the snapshots are read (checkConfigAgainstApps); here
  // every app the config mentions counts, so only the section's shape is checked.
  parseImagesConfig(f, raw.images, imageApps(herokuFields, raw.images), { promoteFrom });
  const registryPassword = f.string("registryPassword", raw.registryPassword, { secret: true });

  issues.throwIfAny();
  const heroku = herokuFields && herokuSource(herokuFields, herokuApiKey);
  if (heroku === undefined || cluster === undefined || postgres === undefined) {
    // Each reader reports an issue whenever it returns nothing; reaching this is a bug here.
    throw new Error("stack config: a required section was refused without an error message");
  }
  const plan: PlanSettings = {
    stack: ctx.stack,
    namespace: cluster.namespace,
    postgres: {
      host: postgres.host,
      port: postgres.port,
      adminUser: postgres.adminUser,
      clusterHost: postgres.clusterHost,
      clusterPort: postgres.clusterPort,
      sslMode: postgres.sslMode ?? null,
    },
    addons,
    schedules,
    replicas,
    singletons,
    ingress,
    storageClass,
    clusterRegion: cluster.region,
  };
  return {
    project: ctx.project,
    stack: ctx.stack,
    heroku,
    cluster,
    postgres,
    import: importConfig,
    hasura,
    cutover,
    images: raw.images,
    registryPassword: registryPassword === undefined ? null : SecretString.of(registryPassword),
    promoteFrom,
    plan,
  };
}

/** `heroku` as written: at least one of its ways of naming the apps (checked, not yet exclusive). */
interface HerokuFields {
  apps?: string[];
  pipeline?: PipelineStageRef;
  snapshotFile?: string;
  apiUrl?: string;
}

function parseHeroku(f: Fields, value: unknown): HerokuFields | undefined {
  const o = f.object("heroku", value, ["apps", "pipeline", "snapshotFile", "apiUrl"]);
  if (!o) {
    if (value === undefined || value === null)
      f.issues.addMissing(
        "heroku",
        "is required: set heroku.apps (or heroku.pipeline) and/or heroku.snapshotFile",
      );
    return undefined;
  }
  const apps = f.array("heroku.apps", o.apps, (p, v) => f.requiredString(p, v, { format: HEROKU_APP_NAME }));
  if (apps) {
    apps.forEach((a, i) => {
      if (apps.indexOf(a) !== i) f.issues.add(`heroku.apps[${i}]`, `lists app "${a}" twice`);
    });
    if (Array.isArray(o.apps) && o.apps.length === 0)
      f.issues.add("heroku.apps", "must list at least one app");
  }
  let pipeline: PipelineStageRef | undefined;
  const p = f.object("heroku.pipeline", o.pipeline, ["name", "stage"]);
  if (p) {
    const name = f.requiredString("heroku.pipeline.name", p.name, { format: PIPELINE_NAME });
    if (p.stage === undefined) {
      f.issues.add("heroku.pipeline.stage", `is required: one of ${PIPELINE_STAGES.join(", ")}`);
    }
    const stage = f.oneOf("heroku.pipeline.stage", p.stage, PIPELINE_STAGES);
    if (name && stage) pipeline = { name, stage };
  }
  if (o.apps !== undefined && o.pipeline !== undefined) {
    f.issues.add("heroku.pipeline", "set either heroku.apps or heroku.pipeline, not both");
  }
  const snapshotFile = f.string("heroku.snapshotFile", o.snapshotFile);
  if (o.apps === undefined && o.pipeline === undefined && o.snapshotFile === undefined) {
    f.issues.add(
      "heroku.apps",
      "is required: name the apps (heroku.apps), a pipeline stage (heroku.pipeline), or a snapshot file (heroku.snapshotFile)",
    );
  }
  const apiUrl = f.string("heroku.apiUrl", o.apiUrl, { format: HTTP_URL });
  return defined({ apps, pipeline, snapshotFile, apiUrl });
}

/**
 * The source `heroku` names, once every issue is reported: a snapshot file (narrowed by `apps` or
 * `pipeline`), else the API for the listed apps or the pipeline stage, with the token.
 */
function herokuSource(h: HerokuFields, token: SecretString | undefined): HerokuSource | undefined {
  const { apps, pipeline, snapshotFile: file, apiUrl } = h;
  if (file !== undefined) return defined<HerokuSource>({ kind: "file", file, apps, pipeline, apiUrl, token });
  // parseApiKey reported a missing token, and parseHeroku a missing or doubled selection.
  if (token === undefined) return undefined;
  if (apps !== undefined) return defined<HerokuSource>({ kind: "apps", apps, apiUrl, token });
  if (pipeline !== undefined) return defined<HerokuSource>({ kind: "pipeline", pipeline, apiUrl, token });
  return undefined;
}

/** `o` without its undefined properties: optional config values are absent, never `undefined`-valued. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function parseApiKey(
  f: Fields,
  value: unknown,
  env: Record<string, string | undefined>,
  heroku: HerokuFields | undefined,
): SecretString | undefined {
  const key = f.string("herokuApiKey", value, { secret: true }) ?? env.HEROKU_API_KEY;
  if (key) return SecretString.of(key);
  if (
    value === undefined &&
    heroku &&
    heroku.snapshotFile === undefined &&
    (heroku.apps || heroku.pipeline)
  ) {
    f.issues.addMissing(
      "herokuApiKey",
      "is required to read apps from the Heroku API (pulumi config set --secret herokuApiKey …, or HEROKU_API_KEY); or set heroku.snapshotFile",
    );
  }
  return undefined;
}

function parseCluster(f: Fields, value: unknown, kubeconfigValue: unknown): ClusterConfig | undefined {
  const allowed = ["namespace", "createNamespace", "renderTo", "context", "region"];
  // The kubeconfig is a top-level key: a secret nested in `cluster` would make the whole object secret.
  const o = f.object("cluster", value, [...allowed, "kubeconfig"]) ?? {};
  if (o.kubeconfig !== undefined) {
    f.issues.add(
      "cluster.kubeconfig",
      "belongs in the top-level secret key instead: pulumi config set --secret kubeconfig …",
    );
    return undefined;
  }
  // A misspelled key (already reported) was most likely meant as the target: don't also report it missing.
  const misspelled = Object.keys(o).some((k) => !allowed.includes(k));
  // Hasura clusters run user microservices in `default`.
  const namespace =
    o.namespace === undefined
      ? "default"
      : f.string("cluster.namespace", o.namespace, { format: DNS1123_LABEL });
  const renderTo = f.string("cluster.renderTo", o.renderTo);
  const kubeconfig = f.string("kubeconfig", kubeconfigValue, { secret: true });
  const context = f.string("cluster.context", o.context);
  const createNamespace = f.boolean("cluster.createNamespace", o.createNamespace) ?? false;
  const region = f.string("cluster.region", o.region, { format: CLUSTER_REGION }) ?? null;
  if (o.renderTo !== undefined && kubeconfigValue !== undefined) {
    f.issues.add(
      "cluster.renderTo",
      "set either cluster.renderTo (write manifests to a folder) or kubeconfig (apply to a cluster), not both",
    );
    return undefined;
  }
  if (o.renderTo === undefined && kubeconfigValue === undefined) {
    if (misspelled) return undefined;
    f.issues.addMissing(
      "kubeconfig",
      'is required when cluster.renderTo is not set: pulumi config set --secret kubeconfig "$(cat ~/.kube/config)"',
      ["kubeconfig", "cluster"],
    );
    return undefined;
  }
  if (o.context !== undefined && o.renderTo !== undefined) {
    f.issues.add("cluster.context", "only applies with kubeconfig, not with cluster.renderTo");
  }
  if (kubeconfig) {
    const problem = kubeconfigContextProblem(kubeconfig, context ?? null);
    if (problem) {
      f.issues.add("cluster.context", problem);
      return undefined;
    }
  }
  if (namespace === undefined) return undefined;
  if (renderTo)
    return { namespace, createNamespace, region, target: { kind: "render", directory: renderTo } };
  if (kubeconfig)
    return {
      namespace,
      createNamespace,
      region,
      target: defined({ kind: "kubeconfig", kubeconfig: SecretString.of(kubeconfig), context }),
    };
  return undefined;
}

function parsePostgres(f: Fields, value: unknown, passwordValue: unknown): PostgresConfig | undefined {
  const keys = [
    "host",
    "port",
    "adminUser",
    "clusterHost",
    "clusterPort",
    "sslMode",
    "database",
    "manageDatabase",
  ];
  const o = f.object("postgres", value, keys);
  const password = f.string("postgresPassword", passwordValue, { secret: true });
  if (!o) {
    f.issues.addMissing(
      "postgres.host",
      "is required: the Hasura cluster's Postgres, where data is imported",
    );
    return undefined;
  }
  const host = f.requiredString("postgres.host", o.host, { format: HOST });
  const port = f.integer("postgres.port", o.port, 1, 65535) ?? (o.port === undefined ? 5432 : undefined);
  const adminUser = f.string("postgres.adminUser", o.adminUser) ?? "postgres";
  const clusterHost = f.string("postgres.clusterHost", o.clusterHost, { format: HOST });
  const clusterPort = f.integer("postgres.clusterPort", o.clusterPort, 1, 65535);
  const sslMode = f.oneOf("postgres.sslMode", o.sslMode, SSL_MODES);
  const database = f.string("postgres.database", o.database, { format: PG_IDENTIFIER });
  const manageDatabase = f.boolean("postgres.manageDatabase", o.manageDatabase) ?? true;
  if (manageDatabase && (sslMode === "prefer" || sslMode === "allow")) {
    // The postgresql provider that manages the database has no plaintext fallback: `prefer` would
    // break a TLS-only server or silently send the admin password in clear. Say which to pick.
    f.issues.add(
      "postgres.sslMode",
      `"${sslMode}" cannot be used while postgres.manageDatabase is true: use "disable" or "require" (or "verify-ca", "verify-full")`,
    );
  }
  if (host === undefined || port === undefined) return undefined;
  return defined({
    host,
    port,
    adminUser,
    clusterHost: clusterHost ?? host,
    clusterPort: clusterPort ?? port,
    sslMode,
    database,
    password: password ? SecretString.of(password) : undefined,
    manageDatabase,
  });
}

function parseAddonOverride(f: Fields, path: string, value: unknown): AddonOverride | undefined {
  const o = f.object(path, value, [
    "disposition",
    "storage",
    "storageClass",
    "image",
    "startEmpty",
    "copy",
    "rotation",
  ]);
  if (!o) {
    if (value === null || value === undefined)
      f.issues.add(path, "must be an object such as { disposition: keep }");
    return undefined;
  }
  const out: AddonOverride = {};
  const disposition = f.oneOf(join(path, "disposition"), o.disposition, DISPOSITIONS);
  if (disposition) out.disposition = disposition;
  const storage = f.string(join(path, "storage"), o.storage, { format: STORAGE_QUANTITY });
  if (storage) out.storage = storage;
  const storageClass = f.string(join(path, "storageClass"), o.storageClass, { format: DNS1123_SUBDOMAIN });
  if (storageClass) out.storageClass = storageClass;
  const image = f.string(join(path, "image"), o.image, { format: DIGEST_IMAGE });
  if (image) out.image = image;
  const rotation = f.string(join(path, "rotation"), o.rotation);
  if (rotation !== undefined) out.rotation = rotation;
  if (disposition === "keep" && o.rotation !== undefined) {
    f.issues.add(
      join(path, "rotation"),
      "only applies to an add-on that moves (migrate or in-cluster): this one is kept",
    );
  }
  const startEmpty = f.boolean(join(path, "startEmpty"), o.startEmpty);
  if (startEmpty !== undefined) out.startEmpty = startEmpty;
  const copy = parseAddonCopy(f, join(path, "copy"), o.copy);
  if (copy) out.copy = copy;
  if (disposition && disposition !== "in-cluster") {
    for (const k of ["storage", "storageClass", "image", "startEmpty", "copy"] as const) {
      if (o[k] !== undefined) {
        f.issues.add(
          join(path, k),
          `only applies with disposition in-cluster (this add-on is ${disposition})`,
        );
      }
    }
  }
  return out;
}

/** `addons.<name>.copy`: where `pulumi up` reaches the in-cluster server to copy the data into it. */
function parseAddonCopy(f: Fields, path: string, value: unknown): AddonCopySettings | undefined {
  if (value === undefined) return undefined;
  const o = f.object(path, value, [
    "host",
    "port",
    "tls",
    "waitSeconds",
    "ttlToleranceMs",
    "importId",
    "progressFile",
  ]);
  if (!o) {
    if (value === null) f.issues.add(path, "must be an object such as { host: 127.0.0.1, port: 16379 }");
    return undefined;
  }
  const host = f.requiredString(join(path, "host"), o.host, { format: HOST });
  const out: AddonCopySettings = { host: host ?? "" };
  const port = f.integer(join(path, "port"), o.port, 1, 65535);
  if (port !== undefined) out.port = port;
  const tls = f.boolean(join(path, "tls"), o.tls);
  if (tls !== undefined) out.tls = tls;
  const waitSeconds = f.integer(join(path, "waitSeconds"), o.waitSeconds, 0, 86400);
  if (waitSeconds !== undefined) out.waitSeconds = waitSeconds;
  const tolerance = f.integer(join(path, "ttlToleranceMs"), o.ttlToleranceMs, 0, 3_600_000);
  if (tolerance !== undefined) out.ttlToleranceMs = tolerance;
  const importId = f.string(join(path, "importId"), o.importId, { format: IMPORT_ID });
  if (importId !== undefined) out.importId = importId;
  const progressFile = f.string(join(path, "progressFile"), o.progressFile);
  if (progressFile !== undefined) out.progressFile = progressFile;
  return host === undefined ? undefined : out;
}

function parseSchedules(f: Fields, path: string, value: unknown): ScheduledJob[] | undefined {
  const jobs = f.array(path, value, (p, v) => {
    const o = f.object(p, v, ["name", "schedule", "command", "size"]);
    if (!o) {
      f.issues.add(p, "must be an object { name, schedule, command }");
      return undefined;
    }
    const name = f.requiredString(join(p, "name"), o.name, { format: JOB_NAME });
    const schedule = f.requiredString(join(p, "schedule"), o.schedule);
    if (schedule !== undefined) {
      const problem = cronProblem(schedule);
      if (problem) f.issues.add(join(p, "schedule"), `is not a valid cron schedule: ${problem}`);
    }
    const command = f.requiredString(join(p, "command"), o.command);
    const size = f.string(join(p, "size"), o.size);
    if (!name || !schedule || cronProblem(schedule) || !command) return undefined;
    const job: ScheduledJob = { name, schedule, command };
    if (size) job.size = size;
    return job;
  });
  if (!jobs) return undefined;
  jobs.forEach((j, i) => {
    const first = jobs.findIndex((o) => o.name === j.name);
    if (first !== i)
      f.issues.add(`${path}[${i}].name`, `duplicate job name "${j.name}" (also at ${path}[${first}])`);
  });
  return jobs;
}

/** Import options PostgresImport has no argument for: a stack that sets one is refused, never silently ignored. */
const UNSUPPORTED_IMPORT_KEYS = ["allowNonEmptyTarget", "splitTablesLargerThanBytes", "pgBinDir"];

function parseImport(f: Fields, value: unknown): ImportConfig {
  const o = f.object("import", value, ["enabled", ...IMPORT_OPTION_NAMES, ...UNSUPPORTED_IMPORT_KEYS]) ?? {};
  for (const k of UNSUPPORTED_IMPORT_KEYS) {
    if (o[k] !== undefined) {
      f.issues.add(
        `import.${k}`,
        "is not supported by the import resource (PostgresImport) yet; remove it (the import refuses a non-empty target and finds pg_dump itself)",
      );
    }
  }
  const options: Record<string, unknown> = {};
  for (const k of IMPORT_OPTION_NAMES) options[k] = importOption(f, k, o[k]);
  return { enabled: f.boolean("import.enabled", o.enabled) ?? false, ...defined(options as ImportOptions) };
}

/** One `import.<option>`, read as components/data/import-options.ts declares it (else its default). */
function importOption(f: Fields, name: ImportOptionName, value: unknown): unknown {
  const path = `import.${name}`;
  const { value: spec, byDefault }: OptionSpec = IMPORT_OPTIONS[name];
  switch (spec.type) {
    case "integer":
      return f.integer(path, value, spec.min, spec.max) ?? byDefault;
    case "string":
      return f.string(path, value, { format: spec.format }) ?? byDefault;
    case "names":
      return f.array(path, value, (p, v) => f.requiredString(p, v)) ?? byDefault;
    case "boolean":
      return f.boolean(path, value) ?? byDefault;
  }
}

function parseCutover(
  f: Fields,
  value: unknown,
  imp: ImportConfig,
  token: SecretString | undefined,
): CutoverConfig {
  const o =
    f.object("cutover", value, ["freeze", "drainTimeoutSeconds", "terminateSessions", "recordDir"]) ?? {};
  const freeze = f.boolean("cutover.freeze", o.freeze) ?? false;
  if (freeze && !imp.enabled) {
    f.issues.add(
      "cutover.freeze",
      "only applies with import.enabled: true (the freeze is the final import's)",
    );
  }
  if (freeze && token === undefined) {
    f.issues.add(
      "cutover.freeze",
      "needs herokuApiKey (or HEROKU_API_KEY): a Heroku token with the write and read-protected scopes, to freeze the apps",
    );
  }
  return defined({
    freeze,
    drainTimeoutSeconds: f.integer("cutover.drainTimeoutSeconds", o.drainTimeoutSeconds, 0, 3600) ?? 120,
    terminateSessions: f.boolean("cutover.terminateSessions", o.terminateSessions) ?? false,
    recordDir: f.string("cutover.recordDir", o.recordDir),
  });
}

/**
 * How long `up` waits, by default, for an Ingress's address: a controller reports it within seconds;
 * Pulumi's own 10 minutes would hide a cluster whose controller never does.
 */
export const DEFAULT_INGRESS_ADDRESS_TIMEOUT_SECONDS = 120;

/** Apps whose images the config may describe: the listed apps, else every app `images` names. */
function imageApps(heroku: HerokuFields | undefined, images: unknown): string[] {
  const named = new Set(heroku?.apps ?? []);
  if (images !== null && typeof images === "object" && !Array.isArray(images)) {
    for (const section of ["apps", "upstreamApps"]) {
      const m = (images as Record<string, unknown>)[section];
      if (m !== null && typeof m === "object" && !Array.isArray(m))
        for (const k of Object.keys(m)) named.add(k);
    }
  }
  return [...named];
}
