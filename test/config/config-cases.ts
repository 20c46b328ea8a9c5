/**
 * Stack config fixtures shared by the config parser tests and the program test (which checks that a
 * bad config creates no resources). Plain objects shaped like decoded `Pulumi.<stack>.yaml` values.
 */

export const DIGEST = "sha256:" + "ab".repeat(32);
export const API_IMAGE = `images.acme.example/acme-api@${DIGEST}`;

/** A complete, valid config using every section. */
export function validConfig(): Record<string, unknown> {
  return {
    heroku: { apps: ["acme-api"], snapshotFile: "examples/snapshot.json" },
    cluster: { namespace: "default", renderTo: "out/test" },
    postgres: { host: "127.0.0.1", port: 31433, adminUser: "postgres" },
    addons: {
      "redis-curved-11111": {
        disposition: "in-cluster",
        storage: "5Gi",
        copy: { host: "127.0.0.1", port: 16379, waitSeconds: 120, ttlToleranceMs: 2000 },
      },
    },
    schedules: { "acme-api": [{ name: "nightly-cleanup", schedule: "0 3 * * *", command: "rake cleanup" }] },
    replicas: { "acme-api": { web: 2 } },
    ingress: { className: "nginx", clusterIssuer: "letsencrypt-prod", addressTimeoutSeconds: 45 },
    storageClass: "standard",
    images: { registry: "images.acme.example/acme", apps: { "acme-api": { image: API_IMAGE } } },
    import: { enabled: false, jobs: 2 },
  };
}

export interface BadConfigCase {
  name: string;
  /** Changes applied to a copy of {@link validConfig}. */
  mutate: (c: Record<string, any>) => void; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The full key the single error must name. */
  key: string;
  /** A fragment the message must contain (the allowed values or the fix). */
  message: RegExp;
}

export const BAD_CONFIG_CASES: BadConfigCase[] = [
  {
    name: "a singletons value that is not a boolean",
    mutate: (c) => (c.singletons = { "acme-api": { clock: "yes" } }),
    key: "heroku-to-hasura:singletons.acme-api.clock",
    message: /must be true or false \(got "yes"\)/,
  },
  {
    name: "a cluster.region that is not a region name",
    mutate: (c) => (c.cluster.region = "eu west 1"),
    key: "heroku-to-hasura:cluster.region",
    message: /must be a region name such as eu, frankfurt, eu-west-1/,
  },
  {
    name: "a rotation on a kept add-on",
    mutate: (c) => (c.addons["redis-curved-11111"] = { disposition: "keep", rotation: "2027-01" }),
    key: "heroku-to-hasura:addons.redis-curved-11111.rotation",
    message: /only applies to an add-on that moves \(migrate or in-cluster\)/,
  },
  {
    name: "unknown add-on disposition",
    mutate: (c) => (c.addons["redis-curved-11111"].disposition = "in_cluster"),
    key: "heroku-to-hasura:addons.redis-curved-11111.disposition",
    message: /must be one of migrate, in-cluster, keep .*did you mean "in-cluster"/,
  },
  {
    name: "missing kubeconfig when not rendering",
    mutate: (c) => delete c.cluster.renderTo,
    key: "heroku-to-hasura:kubeconfig",
    message: /is required when cluster.renderTo is not set/,
  },
  {
    name: "cluster.createNamespace not a boolean",
    mutate: (c) => (c.cluster.createNamespace = "yes"),
    key: "heroku-to-hasura:cluster.createNamespace",
    message: /must be true or false \(got "yes"\)/,
  },
  {
    name: "both renderTo and kubeconfig",
    mutate: (c) => (c.kubeconfig = "apiVersion: v1"),
    key: "heroku-to-hasura:cluster.renderTo",
    message: /either cluster.renderTo .* or kubeconfig .* not both/,
  },
  {
    name: "a cluster.context the kubeconfig does not have",
    mutate: (c) => {
      delete c.cluster.renderTo;
      c.cluster.context = "acme-prd";
      c.kubeconfig = "contexts:\n  - name: acme-prod\n    context: { cluster: c, user: u }\n";
    },
    key: "heroku-to-hasura:cluster.context",
    message: /no context "acme-prd" \(did you mean "acme-prod"\?\)/,
  },
  {
    name: "kubeconfig nested under cluster",
    mutate: (c) => (c.cluster = { namespace: "default", kubeconfig: "apiVersion: v1" }),
    key: "heroku-to-hasura:cluster.kubeconfig",
    message: /belongs in the top-level secret key/,
  },
  {
    name: "bad Heroku app name",
    mutate: (c) => (c.heroku.apps = ["Acme_API"]),
    key: "heroku-to-hasura:heroku.apps[0]",
    message: /a Heroku app name \(\^\[a-z\]\[a-z0-9-\]\{1,28\}\[a-z0-9\]\$/,
  },
  {
    // The Platform API refuses such names; reading them would fail later with a less precise error.
    name: "Heroku app name ending in a hyphen",
    mutate: (c) => (c.heroku.apps = ["acme-api-"]),
    key: "heroku-to-hasura:heroku.apps[0]",
    message: /not ending in '-'/,
  },
  {
    name: "negative replicas override",
    mutate: (c) => (c.replicas["acme-api"].web = -1),
    key: "heroku-to-hasura:replicas.acme-api.web",
    message: /integer from 0 to 1000 \(got -1\)/,
  },
  {
    name: "non-integer replicas override",
    mutate: (c) => (c.replicas["acme-api"].web = "two"),
    key: "heroku-to-hasura:replicas.acme-api.web",
    message: /integer from 0 to 1000/,
  },
  {
    name: "non-integer port",
    mutate: (c) => (c.postgres.port = 5432.5),
    key: "heroku-to-hasura:postgres.port",
    message: /integer from 1 to 65535/,
  },
  {
    name: "port out of range",
    mutate: (c) => (c.postgres.clusterPort = 70000),
    key: "heroku-to-hasura:postgres.clusterPort",
    message: /integer from 1 to 65535 \(got 70000\)/,
  },
  {
    name: "bad storage quantity",
    mutate: (c) => (c.addons["redis-curved-11111"].storage = "5GB"),
    key: "heroku-to-hasura:addons.redis-curved-11111.storage",
    message: /positive Kubernetes quantity such as 1Gi/,
  },
  {
    name: "bad cron schedule (hour 25)",
    mutate: (c) => (c.schedules["acme-api"][0].schedule = "0 25 * * *"),
    key: "heroku-to-hasura:schedules.acme-api[0].schedule",
    message: /not a valid cron schedule: hour field "25" must use values 0-23/,
  },
  {
    name: "bad cron schedule (six fields)",
    mutate: (c) => (c.schedules["acme-api"][0].schedule = "0 0 3 * * *"),
    key: "heroku-to-hasura:schedules.acme-api[0].schedule",
    message: /needs 5 fields/,
  },
  {
    name: "cron schedule with a time zone prefix",
    mutate: (c) => (c.schedules["acme-api"][0].schedule = "TZ=Europe/Paris 0 3 * * *"),
    key: "heroku-to-hasura:schedules.acme-api[0].schedule",
    message: /schedules are in UTC/,
  },
  {
    name: "duplicate schedule names",
    mutate: (c) =>
      c.schedules["acme-api"].push({ name: "nightly-cleanup", schedule: "@hourly", command: "x" }),
    key: "heroku-to-hasura:schedules.acme-api[1].name",
    message: /duplicate job name "nightly-cleanup" \(also at schedules.acme-api\[0\]\)/,
  },
  {
    name: "schedule without a command",
    mutate: (c) => delete c.schedules["acme-api"][0].command,
    key: "heroku-to-hasura:schedules.acme-api[0].command",
    message: /is required/,
  },
  {
    name: "bad namespace (not DNS-1123)",
    mutate: (c) => (c.cluster.namespace = "Acme_Apps"),
    key: "heroku-to-hasura:cluster.namespace",
    message: /DNS-1123 label/,
  },
  {
    name: "unknown top-level key (typo) with a did-you-mean",
    mutate: (c) => {
      c.adons = c.addons;
      delete c.addons;
    },
    key: "heroku-to-hasura:adons",
    message: /unknown key "adons" \(did you mean "addons"\?\)/,
  },
  {
    name: "misspelled required section reported once (not also as missing)",
    mutate: (c) => {
      c.postgress = c.postgres;
      delete c.postgres;
    },
    key: "heroku-to-hasura:postgress",
    message: /unknown key "postgress" \(did you mean "postgres"\?\)/,
  },
  {
    name: "unknown nested key (typo) with a did-you-mean",
    mutate: (c) => (c.cluster = { namespace: "default", renderto: "out/test" }),
    key: "heroku-to-hasura:cluster.renderto",
    message: /unknown key "renderto" \(did you mean "renderTo"\?\)/,
  },
  {
    name: "snapshotFile and apps both missing",
    mutate: (c) => (c.heroku = {}),
    key: "heroku-to-hasura:heroku.apps",
    message: /is required: name the apps .*heroku.snapshotFile/,
  },
  {
    name: "pipeline stage not a Heroku stage",
    mutate: (c) => (c.heroku = { pipeline: { name: "acme", stage: "prod" }, snapshotFile: "s.json" }),
    key: "heroku-to-hasura:heroku.pipeline.stage",
    message: /one of review, development, staging, production \(got "prod"\)/,
  },
  {
    name: "apps and pipeline both set",
    mutate: (c) => (c.heroku.pipeline = { name: "acme", stage: "staging" }),
    key: "heroku-to-hasura:heroku.pipeline",
    message: /either heroku.apps or heroku.pipeline, not both/,
  },
  {
    name: "image reference not valid (upper case)",
    mutate: (c) => (c.images.apps["acme-api"].image = "Acme/API:latest"),
    key: "heroku-to-hasura:images.apps.acme-api.image",
    message: /is not a valid image reference/,
  },
  {
    name: "unknown image strategy",
    mutate: (c) => (c.images.apps["acme-api"] = { strategy: "buildpack" }),
    key: "heroku-to-hasura:images.apps.acme-api.strategy",
    message: /must be one of slug, dockerfile, image/,
  },
  {
    name: "the removed images.port",
    mutate: (c) => (c.images.port = 8080),
    key: "heroku-to-hasura:images.port",
    message: /no longer supported: web processes always listen on \$PORT, which the cluster sets to 5000/,
  },
  {
    name: "unknown image builder",
    mutate: (c) => (c.images.builder = "kaniko"),
    key: "heroku-to-hasura:images.builder",
    message: /must be one of docker, buildah \(got "kaniko"\)/,
  },
  {
    name: "slug image without a registry to push to",
    mutate: (c) => {
      delete c.images.registry;
      c.images.apps["acme-api"] = { strategy: "slug" };
    },
    key: "heroku-to-hasura:images.registry",
    message: /required because acme-api builds an image/,
  },
  {
    name: "promoteFrom not a fully qualified stack",
    mutate: (c) => {
      delete c.images.apps;
      c.promoteFrom = "dev";
    },
    key: "heroku-to-hasura:promoteFrom",
    message: /<org>\/<project>\/<stack>/,
  },
  {
    name: "promoteFrom together with images.apps",
    mutate: (c) => (c.promoteFrom = "organization/heroku-to-hasura/dev"),
    key: "heroku-to-hasura:images.apps",
    message: /takes every image from there and declares none itself/,
  },
  {
    name: "manageDatabase not a boolean",
    mutate: (c) => (c.postgres.manageDatabase = "no"),
    key: "heroku-to-hasura:postgres.manageDatabase",
    message: /true or false/,
  },
  {
    name: "importId with a space",
    mutate: (c) => (c.import.importId = "cutover 1"),
    key: "heroku-to-hasura:import.importId",
    message: /1-63 characters of A-Z a-z 0-9 \. _ -/,
  },
  {
    name: "import option the import resource does not support",
    mutate: (c) => (c.import.allowNonEmptyTarget = true),
    key: "heroku-to-hasura:import.allowNonEmptyTarget",
    message: /not supported by the import resource/,
  },
  {
    name: "dropTargetOnDelete not a boolean",
    mutate: (c) => (c.import.dropTargetOnDelete = "yes"),
    key: "heroku-to-hasura:import.dropTargetOnDelete",
    message: /true or false/,
  },
  {
    name: "in-cluster add-on image by tag",
    mutate: (c) => (c.addons["redis-curved-11111"].image = "redis:7"),
    key: "heroku-to-hasura:addons.redis-curved-11111.image",
    message: /by digest/,
  },
  {
    name: "in-cluster add-on image by digest whose registry is not a host name",
    mutate: (c) => (c.addons["redis-curved-11111"].image = `../redis@${DIGEST}`),
    key: "heroku-to-hasura:addons.redis-curved-11111.image",
    message: /must be an image reference by digest, repo@sha256:<64 hex digits> \(got "\.\.\/redis@sha256:/,
  },
  {
    name: "unknown sslMode",
    mutate: (c) => (c.postgres.sslMode = "required"),
    key: "heroku-to-hasura:postgres.sslMode",
    message: /one of disable, allow, prefer, require, verify-ca, verify-full .*did you mean "require"/,
  },
  {
    name: "sslMode prefer while this stack manages the database",
    mutate: (c) => (c.postgres.sslMode = "prefer"),
    key: "heroku-to-hasura:postgres.sslMode",
    message: /cannot be used while postgres\.manageDatabase is true/,
  },
  {
    name: "apiUrl not http(s)",
    mutate: (c) => (c.heroku.apiUrl = "ftp://api.heroku.test"),
    key: "heroku-to-hasura:heroku.apiUrl",
    message: /an http\(s\) URL/,
  },
  {
    name: "add-on copy without a host",
    mutate: (c) => (c.addons["redis-curved-11111"].copy = { port: 16379 }),
    key: "heroku-to-hasura:addons.redis-curved-11111.copy.host",
    message: /is required/,
  },
  {
    name: "add-on copy port out of range",
    mutate: (c) => (c.addons["redis-curved-11111"].copy.port = 0),
    key: "heroku-to-hasura:addons.redis-curved-11111.copy.port",
    message: /must be an integer from 1 to 65535/,
  },
  {
    name: "add-on copy with an unknown key",
    mutate: (c) => (c.addons["redis-curved-11111"].copy.adress = "x"),
    key: "heroku-to-hasura:addons.redis-curved-11111.copy.adress",
    message: /unknown key/,
  },
  {
    name: "startEmpty not a boolean",
    mutate: (c) => {
      delete c.addons["redis-curved-11111"].copy;
      c.addons["redis-curved-11111"].startEmpty = "yes";
    },
    key: "heroku-to-hasura:addons.redis-curved-11111.startEmpty",
    message: /must be true or false \(got "yes"\)/,
  },
  {
    name: "copy on a kept add-on",
    mutate: (c) => (c.addons["redis-curved-11111"] = { disposition: "keep", copy: { host: "127.0.0.1" } }),
    key: "heroku-to-hasura:addons.redis-curved-11111.copy",
    message: /only applies with disposition in-cluster \(this add-on is keep\)/,
  },
  {
    name: "storage on a kept add-on",
    mutate: (c) => (c.addons["redis-curved-11111"] = { disposition: "keep", storage: "5Gi" }),
    key: "heroku-to-hasura:addons.redis-curved-11111.storage",
    message: /only applies with disposition in-cluster \(this add-on is keep\)/,
  },
  {
    name: "bad ingress class name",
    mutate: (c) => (c.ingress.className = "Nginx Public"),
    key: "heroku-to-hasura:ingress.className",
    message: /DNS-1123 subdomain/,
  },
  {
    name: "ingress address timeout out of range",
    mutate: (c) => (c.ingress.addressTimeoutSeconds = -1),
    key: "heroku-to-hasura:ingress.addressTimeoutSeconds",
    message: /integer from 0 to 3600/,
  },
  {
    name: "bad storage class",
    mutate: (c) => (c.storageClass = "fast_ssd"),
    key: "heroku-to-hasura:storageClass",
    message: /DNS-1123 subdomain/,
  },
  {
    name: "postgres section missing",
    mutate: (c) => delete c.postgres,
    key: "heroku-to-hasura:postgres.host",
    message: /is required/,
  },
  {
    name: "postgres host with a scheme",
    mutate: (c) => (c.postgres.host = "postgres://db.internal"),
    key: "heroku-to-hasura:postgres.host",
    message: /host name or IP address without scheme or port/,
  },
  {
    name: "import jobs zero",
    mutate: (c) => (c.import.jobs = 0),
    key: "heroku-to-hasura:import.jobs",
    message: /integer from 1 to 64/,
  },
  {
    name: "import enabled not a boolean",
    mutate: (c) => (c.import.enabled = "yes"),
    key: "heroku-to-hasura:import.enabled",
    message: /true or false/,
  },
  {
    name: "no API key and no snapshot file",
    mutate: (c) => delete c.heroku.snapshotFile,
    key: "heroku-to-hasura:herokuApiKey",
    message: /required to read apps from the Heroku API/,
  },
  {
    name: "context with renderTo",
    mutate: (c) => (c.cluster.context = "kind-acme"),
    key: "heroku-to-hasura:cluster.context",
    message: /only applies with kubeconfig/,
  },
  {
    name: "heroku is not an object",
    mutate: (c) => (c.heroku = "acme-api"),
    key: "heroku-to-hasura:heroku",
    message: /must be an object/,
  },
  {
    name: "add-on key not an add-on name",
    mutate: (c) => (c.addons["redis curved"] = { disposition: "keep" }),
    key: "heroku-to-hasura:addons.redis curved",
    message: /a Heroku add-on name/,
  },
  {
    name: "scheduler job name not DNS-1123",
    mutate: (c) => (c.schedules["acme-api"][0].name = "Nightly_Cleanup"),
    key: "heroku-to-hasura:schedules.acme-api[0].name",
    message: /DNS-1123 label of at most 30 characters/,
  },
];
