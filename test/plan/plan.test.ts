import assert from "assert";
import { AppSnapshot } from "../../components/heroku/snapshot";
import { isDnsLabel } from "../../components/plan/names";
import { unaccountedFacts } from "../../components/plan/ledger";
import { MigrationPlan, WEB_PORT, WorkloadPlan } from "../../components/plan/types";
import { PlanSettings } from "../../components/plan/settings";
import {
  collidingApps,
  CRON_APP_SCHEDULES,
  multiProcessApp,
  redisKeptApp,
  schedulerNoJobsApp,
  schedulerWithJobsApp,
  settings,
  sharedAddonApps,
  twoPostgresApp,
  unknownSizeApp,
} from "../fixtures/snapshots/fixtures";
import {
  fingerprint,
  planWithEmptyStarts,
  renderTemplate,
  reveal,
  revealEntries,
  warningCodes,
} from "./helpers";

const DIGEST = "sha256:" + "ab".repeat(32);

interface Case {
  name: string;
  snapshots: () => AppSnapshot[];
  settings: PlanSettings;
  check: (plan: MigrationPlan) => void;
}

function app(plan: MigrationPlan, name: string) {
  const a = plan.apps.find((x) => x.app === name);
  assert.ok(a, `no app ${name} in the plan`);
  return a;
}

function summary(w: WorkloadPlan) {
  return {
    type: w.processType,
    name: w.name,
    replicas: w.replicas,
    size: w.dynoSize,
    resources: w.resources,
    port: w.port,
    env: w.env,
    strategy: w.strategy,
    startup: w.startupProbe?.failureThreshold ?? null,
  };
}

const shared = {
  dyno: [{ name: "DYNO", fieldPath: "metadata.name" }],
  std1x: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
  std2x: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
  rolling: { type: "RollingUpdate", maxUnavailable: "25%", maxSurge: "25%" },
};

const CASES: Case[] = [
  {
    name: "multi-process: several process types and sizes, release phase, preboot, domains, drains",
    snapshots: multiProcessApp,
    settings: settings(),
    check(plan) {
      const a = app(plan, "acme-api");
      assert.strictEqual(a.baseName, "acme-api");
      assert.deepStrictEqual(a.workloads.map(summary), [
        {
          // A scheduler: one pod at most, never two during a rollout (scaled to 0 on Heroku: stays 0).
          type: "clock",
          name: "acme-api-clock",
          replicas: 0,
          size: "Standard-1X",
          resources: shared.std1x,
          port: null,
          env: shared.dyno,
          strategy: { type: "Recreate" },
          startup: null,
        },
        {
          type: "web",
          name: "acme-api-web",
          replicas: 2,
          size: "Standard-2X",
          resources: shared.std2x,
          port: 5000,
          env: [{ name: "PORT", value: "5000" }, ...shared.dyno],
          strategy: { type: "RollingUpdate", maxUnavailable: 0, maxSurge: "100%" },
          startup: 12,
        },
        {
          type: "worker",
          name: "acme-api-worker",
          replicas: 1,
          size: "Performance-M",
          resources: { requests: { cpu: "2", memory: "2560Mi" }, limits: { memory: "5Gi" } },
          port: null,
          env: shared.dyno,
          strategy: shared.rolling,
          startup: null,
        },
      ]);
      const web = a.workloads.find((w) => w.processType === "web")!;
      assert.deepStrictEqual(web.labels, {
        labels: {
          "app.kubernetes.io/name": "acme-api",
          "app.kubernetes.io/instance": "acme-api-web",
          "app.kubernetes.io/component": "web",
          "app.kubernetes.io/part-of": "acme",
          "app.kubernetes.io/managed-by": "heroku-to-hasura",
        },
        selector: { "app.kubernetes.io/name": "acme-api", "app.kubernetes.io/component": "web" },
      });
      assert.deepStrictEqual(web.args, ["/bin/sh", "-c", "bundle exec puma -C config/puma.rb"]);
      assert.strictEqual(web.terminationGracePeriodSeconds, 30);
      assert.deepStrictEqual(web.startupProbe, {
        tcpPort: WEB_PORT,
        periodSeconds: 5,
        failureThreshold: 12,
        timeoutSeconds: 1,
      });
      assert.deepStrictEqual(web.readinessProbe, {
        tcpPort: WEB_PORT,
        periodSeconds: 10,
        failureThreshold: 3,
        timeoutSeconds: 1,
      });

      assert.deepStrictEqual(a.releaseJob, {
        name: "acme-api-release",
        labels: {
          labels: {
            "app.kubernetes.io/name": "acme-api",
            "app.kubernetes.io/instance": "acme-api-release",
            "app.kubernetes.io/component": "release",
            "app.kubernetes.io/part-of": "acme",
            "app.kubernetes.io/managed-by": "heroku-to-hasura",
          },
          selector: { "app.kubernetes.io/name": "acme-api", "app.kubernetes.io/component": "release" },
        },
        command: "bundle exec rake db:migrate",
        args: ["/bin/sh", "-c", "bundle exec rake db:migrate"],
        resources: shared.std1x,
        env: shared.dyno,
        activeDeadlineSeconds: 3600,
        backoffLimit: 0,
        dynoSize: "Standard-1X",
      });
      assert.deepStrictEqual(a.service, {
        name: "acme-api-web",
        labels: web.labels,
        port: 80,
        targetPort: 5000,
      });
      assert.deepStrictEqual(a.ingress, {
        name: "acme-api-web",
        labels: web.labels,
        className: "nginx",
        annotations: { "cert-manager.io/cluster-issuer": "letsencrypt" },
        rules: [
          { host: "api.acme.example", serviceName: "acme-api-web", servicePort: 80 },
          { host: "www.acme.example", serviceName: "acme-api-web", servicePort: 80 },
        ],
        tls: [
          { hosts: ["api.acme.example"], secretName: "api.acme.example-tls" },
          { hosts: ["www.acme.example"], secretName: "www.acme.example-tls" },
        ],
        addressTimeoutSeconds: 120,
      });
      assert.deepStrictEqual(revealEntries(a.secretEntries), [
        [
          "DATABASE_URL",
          "postgresql-concave-52656/DATABASE/migrate",
          "postgres://postgresql_concave_52656_owner:cred(postgresql-concave-52656-owner)@postgres.hasura.svc:5432/postgresql_concave_52656",
          true,
        ],
        ["PAPERTRAIL_API_TOKEN", "papertrail-flat-11111/PAPERTRAIL/keep", "pw-papertrail-token", false],
        ["RAILS_ENV", "user", "production", false],
        ["SECRET_KEY_BASE", "user", "pw-secret-key-base", false],
      ]);
      assert.strictEqual(plan.databases.length, 1);
      const db = plan.databases[0];
      assert.deepStrictEqual(
        {
          ...db,
          sourceUrl: reveal(db.sourceUrl),
          targetUrl: renderTemplate(db.targetUrl),
        },
        {
          addon: "postgresql-concave-52656",
          ownerApp: "acme-api",
          plan: "heroku-postgresql:standard-0",
          database: "postgresql_concave_52656",
          ownerRole: "postgresql_concave_52656_owner",
          ownerCredential: "postgresql-concave-52656-owner",
          sourceUrl: "postgres://u1abc:pw-pg-owner@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d1abc",
          sourceAttachment: { app: "acme-api", configVar: "DATABASE_URL" },
          attachedApps: ["acme-api"],
          attachments: [{ app: "acme-api", attachment: "DATABASE", configVar: "DATABASE_URL" }],
          targetUrl:
            "postgres://postgresql_concave_52656_owner:cred(postgresql-concave-52656-owner)@postgres.hasura.svc:5432/postgresql_concave_52656",
          targetHost: "postgres.hasura.svc",
          targetPort: 5432,
        },
      );
      assert.deepStrictEqual(
        a.addons.map((x) => [x.addon, x.attachment, x.disposition, x.target]),
        [
          ["papertrail-flat-11111", "PAPERTRAIL", "keep", null],
          ["postgresql-concave-52656", "DATABASE", "migrate", "postgresql-concave-52656"],
        ],
      );
      assert.deepStrictEqual(plan.statefulAddons, []);
      assert.deepStrictEqual(warningCodes(plan), [
        // The fixture's two drains, by id (test/fixtures/snapshots/fixtures.ts), in id order.
        "acme-api log-drain 0dcf388f-ccdd-472c-8d31-fcfd794cf632",
        "acme-api log-drain 38ec9bc3-abdc-4327-8e6a-998c2a61a98f",
        "acme-api runtime-var-not-copied PATH",
        "acme-api singleton-process clock",
        "acme-api sni-certificate-key tokyo-12345",
      ]);
      // A Procfile-only type (never scaled on Heroku) is a one-off command, not a workload.
      const console = plan.ledger.find((e) => e.kind === "process-type" && e.subject === "console");
      assert.strictEqual(console?.outcome, "not-needed");
      assert.match(console?.detail ?? "", /one-off command \(heroku run\), not a workload/);
      const ledger = (kind: string, subject: string) =>
        plan.ledger.find((e) => e.kind === kind && e.subject === subject)?.outcome;
      assert.strictEqual(ledger("config-var", "PATH"), "warned");
      assert.strictEqual(ledger("config-var", "PORT"), "not-needed");
      assert.strictEqual(ledger("domain", "acme-api.herokuapp.com"), "not-needed");
      assert.strictEqual(ledger("feature", "preboot"), "mapped");
      assert.strictEqual(ledger("feature", "runtime-dyno-metadata"), "not-needed");
      assert.strictEqual(ledger("sni-endpoint", "tokyo-12345"), "warned");
      assert.strictEqual(ledger("process-type", "release"), "mapped");
    },
  },
  {
    name: "two-postgres: two add-ons, two attachments of one, a credential attachment, owners by name",
    snapshots: twoPostgresApp,
    settings: settings({ postgres: { ...settings().postgres, sslMode: "require" } }),
    check(plan) {
      const a = app(plan, "reports");
      const main =
        "postgres://postgresql_onyx_22222_owner:cred(postgresql-onyx-22222-owner)@postgres.hasura.svc:5432/postgresql_onyx_22222?sslmode=require";
      const red =
        "postgres://postgresql_red_33333_owner:cred(postgresql-red-33333-owner)@postgres.hasura.svc:5432/postgresql_red_33333?sslmode=require";
      assert.deepStrictEqual(revealEntries(a.secretEntries), [
        ["ANALYTICS_URL", "postgresql-onyx-22222/ANALYTICS/migrate", main, true],
        ["DATABASE_URL", "postgresql-onyx-22222/DATABASE/migrate", main, true],
        ["HEROKU_POSTGRESQL_ONYX_URL", "postgresql-onyx-22222/HEROKU_POSTGRESQL_ONYX/migrate", main, true],
        ["HEROKU_POSTGRESQL_RED_URL", "postgresql-red-33333/HEROKU_POSTGRESQL_RED/migrate", red, true],
        ["NODE_ENV", "user", "production", false],
      ]);
      assert.deepStrictEqual(
        plan.databases.map((d) => ({
          addon: d.addon,
          database: d.database,
          role: d.ownerRole,
          credential: d.ownerCredential,
          source: reveal(d.sourceUrl),
          attachments: d.attachments,
        })),
        [
          {
            addon: "postgresql-onyx-22222",
            database: "postgresql_onyx_22222",
            role: "postgresql_onyx_22222_owner",
            credential: "postgresql-onyx-22222-owner",
            source: "postgres://u2main:pw-onyx%2Fowner@ec2-5-6-7-8.compute-1.amazonaws.com:5432/d2main",
            attachments: [
              { app: "reports", attachment: "ANALYTICS", configVar: "ANALYTICS_URL" },
              { app: "reports", attachment: "DATABASE", configVar: "DATABASE_URL" },
              {
                app: "reports",
                attachment: "HEROKU_POSTGRESQL_ONYX",
                configVar: "HEROKU_POSTGRESQL_ONYX_URL",
              },
            ],
          },
          {
            addon: "postgresql-red-33333",
            database: "postgresql_red_33333",
            role: "postgresql_red_33333_owner",
            credential: "postgresql-red-33333-owner",
            source: "postgres://u3red:pw-red@ec2-9-9-9-9.compute-1.amazonaws.com:5432/d3red",
            attachments: [
              { app: "reports", attachment: "HEROKU_POSTGRESQL_RED", configVar: "HEROKU_POSTGRESQL_RED_URL" },
            ],
          },
        ],
      );
      assert.deepStrictEqual(warningCodes(plan), [
        "reports postgres-credential-collapsed ANALYTICS",
        "reports web-not-exposed web",
      ]);
      assert.deepStrictEqual(
        a.addons.map((x) => [x.attachment, x.namespace, x.target]),
        [
          ["ANALYTICS", "credential:analytics", "postgresql-onyx-22222"],
          ["DATABASE", null, "postgresql-onyx-22222"],
          ["HEROKU_POSTGRESQL_ONYX", null, "postgresql-onyx-22222"],
          ["HEROKU_POSTGRESQL_RED", null, "postgresql-red-33333"],
        ],
      );
      assert.deepStrictEqual(a.workloads.map(summary), [
        {
          type: "web",
          name: "reports-web",
          replicas: 1,
          size: "Basic",
          resources: shared.std1x,
          port: 5000,
          env: [{ name: "PORT", value: "5000" }, ...shared.dyno],
          strategy: shared.rolling,
          startup: 12,
        },
      ]);
      assert.strictEqual(a.releaseJob, null);
      assert.strictEqual(a.ingress, null);
    },
  },
  {
    name: "shared add-on: one Redis (in-cluster) and one Postgres used by two apps",
    snapshots: sharedAddonApps,
    settings: settings({ storageClass: "fast-ssd" }),
    check(plan) {
      assert.strictEqual(plan.statefulAddons.length, 1);
      const r = plan.statefulAddons[0];
      assert.deepStrictEqual(r, {
        addon: "redis-curved-11111",
        service: "heroku-redis",
        kind: "redis",
        name: "redis-curved-11111",
        labels: {
          labels: {
            "app.kubernetes.io/name": "redis-curved-11111",
            "app.kubernetes.io/instance": "redis-curved-11111",
            "app.kubernetes.io/component": "redis",
            "app.kubernetes.io/part-of": "redis-curved-11111",
            "app.kubernetes.io/managed-by": "heroku-to-hasura",
          },
          selector: {
            "app.kubernetes.io/name": "redis-curved-11111",
            "app.kubernetes.io/component": "redis",
          },
        },
        image: "docker.io/library/redis:7.4@sha256:" + "0".repeat(64),
        imageIsPlaceholder: true,
        port: 6379,
        storage: "2Gi",
        storageClass: "fast-ssd",
        dataPath: "/data",
        credential: "redis-curved-11111-password",
        username: null,
        passwordEnvVar: "REDIS_PASSWORD",
        env: [],
        readinessProbe: { tcpPort: 6379, periodSeconds: 10, failureThreshold: 3 },
        host: "redis-curved-11111.default.svc",
        // Heroku's premium-5 limit: writes are refused when full, as there, instead of an OOM kill.
        args: ["--appendonly", "yes", "--maxmemory", "1024mb", "--requirepass", "$(REDIS_PASSWORD)"],
        // premium-5 holds 1 GB: requested whole, with as much again for the snapshot fork.
        resources: { requests: { cpu: "100m", memory: "1Gi" }, limits: { memory: "2Gi" } },
        usedBy: ["shop-api", "shop-worker"],
        plan: "heroku-redis:premium-5",
        data: { mode: "empty" },
      });
      const redisUrl = "redis://:cred(redis-curved-11111-password)@redis-curved-11111.default.svc:6379";
      const pgUrl =
        "postgres://postgresql_shop_44444_owner:cred(postgresql-shop-44444-owner)@postgres.hasura.svc:5432/postgresql_shop_44444";
      assert.deepStrictEqual(revealEntries(app(plan, "shop-api").secretEntries), [
        ["DATABASE_URL", "postgresql-shop-44444/DATABASE/migrate", pgUrl, true],
        ["REDIS_URL", "redis-curved-11111/REDIS/in-cluster", redisUrl, true],
      ]);
      assert.deepStrictEqual(revealEntries(app(plan, "shop-worker").secretEntries), [
        ["DATABASE_URL", "postgresql-shop-44444/DATABASE/migrate", pgUrl, true],
        ["SHOP_REDIS_URL", "redis-curved-11111/SHOP_REDIS/in-cluster", redisUrl, true],
      ]);
      assert.strictEqual(plan.databases.length, 1);
      assert.strictEqual(plan.databases[0].ownerApp, "shop-api");
      assert.deepStrictEqual(plan.databases[0].attachments, [
        { app: "shop-api", attachment: "DATABASE", configVar: "DATABASE_URL" },
        { app: "shop-worker", attachment: "DATABASE", configVar: "DATABASE_URL" },
      ]);
      assert.deepStrictEqual(
        app(plan, "shop-worker").addons.map((x) => [x.attachment, x.disposition, x.target]),
        [
          ["DATABASE", "migrate", "postgresql-shop-44444"],
          ["SHOP_REDIS", "in-cluster", "redis-curved-11111"],
        ],
      );
      assert.deepStrictEqual(warningCodes(plan), [
        "- addon-image-placeholder redis-curved-11111",
        "shop-api rediss-url REDIS_URL",
        "shop-api web-not-exposed web",
        "shop-worker rediss-url SHOP_REDIS_URL",
      ]);
      assert.strictEqual(app(plan, "shop-worker").service, null);
      assert.deepStrictEqual(app(plan, "shop-worker").workloads.map(summary), [
        {
          type: "worker",
          name: "shop-worker-worker",
          replicas: 3,
          size: "Standard-2X",
          resources: shared.std2x,
          port: null,
          env: shared.dyno,
          strategy: shared.rolling,
          startup: null,
        },
      ]);
      const addonFacts = plan.ledger.filter((e) => e.kind === "addon" && e.subject === "redis-curved-11111");
      assert.deepStrictEqual(
        addonFacts.map((e) => [e.app, e.outcome]),
        [
          ["shop-api", "warned"],
          ["shop-worker", "warned"],
        ],
      );
    },
  },
  {
    name: "redis kept by override, Redis To Go and MongoDB in-cluster, SendGrid kept",
    snapshots: redisKeptApp,
    settings: settings({
      addons: {
        "redis-kept-55555": { disposition: "keep" },
        "mongolab-old-77777": {
          storage: "5Gi",
          storageClass: "standard",
          image: `docker.io/library/mongo:7.0@${DIGEST}`,
        },
      },
    }),
    check(plan) {
      const a = app(plan, "cache-app");
      assert.deepStrictEqual(revealEntries(a.secretEntries), [
        [
          "MONGOLAB_URI",
          "mongolab-old-77777/MONGOLAB/in-cluster",
          "mongodb://heroku:cred(mongolab-old-77777-password)@mongolab-old-77777.default.svc:27017/heroku_abc?authSource=admin",
          true,
        ],
        [
          "REDISTOGO_URL",
          "redistogo-tiny-66666/REDISTOGO/in-cluster",
          "redis://:cred(redistogo-tiny-66666-password)@redistogo-tiny-66666.default.svc:6379/",
          true,
        ],
        [
          "REDIS_URL",
          "redis-kept-55555/REDIS/keep",
          "rediss://:pw-kept@ec2-20-0-0-1.compute-1.amazonaws.com:6380",
          false,
        ],
        ["SENDGRID_PASSWORD", "sendgrid-flat-22222/SENDGRID/keep", "pw-sendgrid", false],
        ["SENDGRID_USERNAME", "sendgrid-flat-22222/SENDGRID/keep", "apikey", false],
      ]);
      assert.deepStrictEqual(
        plan.statefulAddons.map((s) => [
          s.name,
          s.kind,
          s.image,
          s.storage,
          s.storageClass,
          s.username,
          s.passwordEnvVar,
          s.env,
          s.args,
          s.credential,
        ]),
        [
          [
            "mongolab-old-77777",
            "mongodb",
            `docker.io/library/mongo:7.0@${DIGEST}`,
            "5Gi",
            "standard",
            "heroku",
            "MONGO_INITDB_ROOT_PASSWORD",
            [{ name: "MONGO_INITDB_ROOT_USERNAME", value: "heroku" }],
            [],
            "mongolab-old-77777-password",
          ],
          [
            "redistogo-tiny-66666",
            "redis",
            "docker.io/library/redis:7.4@sha256:" + "0".repeat(64),
            "1Gi",
            null,
            null,
            "REDIS_PASSWORD",
            [],
            ["--appendonly", "yes", "--requirepass", "$(REDIS_PASSWORD)"],
            "redistogo-tiny-66666-password",
          ],
        ],
      );
      assert.deepStrictEqual(
        a.addons.map((x) => [x.addon, x.disposition, x.target]),
        [
          ["mongolab-old-77777", "in-cluster", "mongolab-old-77777"],
          ["redis-kept-55555", "keep", null],
          ["redistogo-tiny-66666", "in-cluster", "redistogo-tiny-66666"],
          ["sendgrid-flat-22222", "keep", null],
        ],
      );
      assert.deepStrictEqual(warningCodes(plan), [
        "- addon-image-placeholder redistogo-tiny-66666",
        "cache-app web-not-exposed web",
      ]);
      assert.deepStrictEqual(plan.databases, []);
    },
  },
  {
    name: "unknown and unusual dyno sizes, a worker binding $PORT, JVM boot window, replica overrides",
    snapshots: unknownSizeApp,
    settings: settings({ replicas: { "odd-sizes": { web: 3, batch: 0 } } }),
    check(plan) {
      const a = app(plan, "odd-sizes");
      assert.deepStrictEqual(a.workloads.map(summary), [
        {
          type: "batch",
          name: "odd-sizes-batch",
          replicas: 0,
          size: "Custom-3X",
          resources: { requests: { cpu: "3", memory: "3Gi" }, limits: { memory: "6Gi" } },
          port: null,
          env: shared.dyno,
          strategy: shared.rolling,
          startup: null,
        },
        {
          type: "metrics",
          name: "odd-sizes-metrics",
          replicas: 1,
          size: "dyno-2c-4gb",
          resources: { requests: { cpu: "2", memory: "4Gi" }, limits: { memory: "4Gi" } },
          port: null,
          env: shared.dyno,
          strategy: shared.rolling,
          startup: null,
        },
        {
          type: "web",
          name: "odd-sizes-web",
          replicas: 3,
          size: "Mega-9X",
          resources: shared.std1x,
          port: 5000,
          env: [{ name: "PORT", value: "5000" }, ...shared.dyno],
          strategy: shared.rolling,
          startup: 18,
        },
      ]);
      assert.deepStrictEqual(warningCodes(plan), [
        "odd-sizes feature-no-equivalent http-session-affinity",
        "odd-sizes non-web-binds-port metrics",
        "odd-sizes unknown-dyno-size web",
        "odd-sizes web-not-exposed web",
      ]);
      const web = plan.ledger.find((e) => e.kind === "process-type" && e.subject === "web")!;
      assert.strictEqual(web.outcome, "warned");
      assert.match(web.detail, /Deployment odd-sizes-web \(1 × Mega-9X → 3 replicas\)/);
      assert.match(web.detail, /Mega-9X .* unknown/);
    },
  },
  {
    name: "Scheduler with declared jobs → CronJobs",
    snapshots: schedulerWithJobsApp,
    settings: settings({ schedules: CRON_APP_SCHEDULES }),
    check(plan) {
      const a = app(plan, "cron-app");
      assert.deepStrictEqual(
        a.cronJobs.map((c) => ({ ...c, labels: c.labels.selector })),
        [
          {
            name: "cron-app-nightly-cleanup",
            labels: { "app.kubernetes.io/name": "cron-app", "app.kubernetes.io/component": "scheduler" },
            job: "nightly-cleanup",
            schedule: "0 3 * * *",
            command: "python manage.py cleanup",
            args: ["/bin/sh", "-c", "python manage.py cleanup"],
            dynoSize: "Standard-1X",
            resources: shared.std1x,
            env: shared.dyno,
          },
          {
            name: "cron-app-hourly-report",
            labels: { "app.kubernetes.io/name": "cron-app", "app.kubernetes.io/component": "scheduler" },
            job: "hourly-report",
            schedule: "30 * * * *",
            command: "python manage.py report",
            args: ["/bin/sh", "-c", "python manage.py report"],
            dynoSize: "Standard-2X",
            resources: shared.std2x,
            env: shared.dyno,
          },
        ],
      );
      assert.deepStrictEqual(warningCodes(plan), ["cron-app web-not-exposed web"]);
      const fact = plan.ledger.find((e) => e.kind === "addon" && e.subject === "scheduler-sharp-88888")!;
      assert.deepStrictEqual(
        [fact.outcome, fact.detail],
        ["mapped", "CronJobs: nightly-cleanup, hourly-report"],
      );
      assert.deepStrictEqual(
        a.addons.map((x) => [x.addon, x.disposition, x.configVars]),
        [["scheduler-sharp-88888", "keep", []]],
      );
    },
  },
  {
    name: "Scheduler without jobs, maintenance, Private Space, internal routing, redacted values, no slug",
    snapshots: schedulerNoJobsApp,
    settings: settings({ ingress: { className: null, clusterIssuer: null, addressTimeoutSeconds: 120 } }),
    check(plan) {
      const a = app(plan, "legacy-app");
      assert.deepStrictEqual(warningCodes(plan), [
        "legacy-app feature-no-equivalent log-runtime-metrics",
        "legacy-app internal-routing internal-routing",
        "legacy-app maintenance-mode maintenance",
        "legacy-app private-space space",
        "legacy-app redacted-value APP_KEY",
        "legacy-app scheduler-no-jobs scheduler-dull-99999",
        "legacy-app sni-certificate-key acm-cert",
        "legacy-app tls-no-issuer acm",
        "legacy-app tls-no-issuer legacy.acme.example",
      ]);
      assert.deepStrictEqual(revealEntries(a.secretEntries), [["APP_KEY", "user", null, false]]);
      assert.deepStrictEqual(a.workloads.map(summary), [
        {
          type: "web",
          name: "legacy-app-web",
          replicas: 1,
          size: "Private-S",
          resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } },
          port: 5000,
          env: [{ name: "PORT", value: "5000" }, ...shared.dyno],
          strategy: shared.rolling,
          startup: 12,
        },
      ]);
      assert.deepStrictEqual(a.ingress?.annotations, {});
      assert.strictEqual(a.ingress?.className, null);
      assert.deepStrictEqual(a.cronJobs, []);
      const outcome = (kind: string, subject: string) =>
        plan.ledger.find((e) => e.app === "legacy-app" && e.kind === kind && e.subject === subject)?.outcome;
      assert.strictEqual(outcome("config-var", "DYNO"), "not-needed");
      assert.strictEqual(outcome("addon", "scheduler-dull-99999"), "warned");
      assert.strictEqual(outcome("app", "acm"), "warned");
    },
  },
  {
    name: "name collisions: my-app vs my.app, long names, worker_1 vs worker-1, acme+web-x vs acme-web+x",
    snapshots: collidingApps,
    settings: settings(),
    check(plan) {
      const bases = Object.fromEntries(plan.apps.map((a) => [a.app, a.baseName]));
      assert.deepStrictEqual(bases, {
        acme: "acme",
        "acme-payments-reconciliation-service-eu": "acme-payments-reconcili-ce36c3",
        "acme-payments-reconciliation-service-us": "acme-payments-reconcili-25cf30",
        "acme-web": "acme-web",
        "my-app": "my-app",
        "my.app": "my-app-13d7e3",
      });
      const names = plan.apps.flatMap((a) => a.workloads.map((w) => [a.app, w.processType, w.name]));
      assert.deepStrictEqual(names, [
        ["acme", "web-x", "acme-web-x-062ef1"],
        ["acme-payments-reconciliation-service-eu", "web", "acme-payments-reconcili-ce36c3-web"],
        ["acme-payments-reconciliation-service-us", "web", "acme-payments-reconcili-25cf30-web"],
        ["acme-web", "x", "acme-web-x-2436eb"],
        ["my-app", "web", "my-app-web"],
        ["my-app", "worker-1", "my-app-worker-1"],
        ["my-app", "worker_1", "my-app-worker-1-ba7bf6"],
        ["my.app", "web", "my-app-13d7e3-web"],
      ]);
      const selectors = plan.apps.flatMap((a) => a.workloads.map((w) => JSON.stringify(w.labels.selector)));
      assert.strictEqual(new Set(selectors).size, selectors.length, "selectors must be unique");
      const jobNames = plan.apps.map((a) => a.releaseJob);
      assert.deepStrictEqual(jobNames, [null, null, null, null, null, null]);
    },
  },
];

describe("planMigration (table-driven over fixture snapshots)", () => {
  for (const c of CASES) {
    describe(c.name, () => {
      it("plans the expected objects, secrets and warnings", () => {
        c.check(planWithEmptyStarts(c.snapshots(), c.settings));
      });

      it("maps, warns about or dismisses every Heroku fact of every snapshot", () => {
        const snapshots = c.snapshots();
        const plan = planWithEmptyStarts(snapshots, c.settings);
        for (const s of snapshots) assert.deepStrictEqual(unaccountedFacts(s, plan), [], s.app.name);
        for (const e of plan.ledger) assert.notStrictEqual(e.detail.trim(), "", `${e.kind} ${e.subject}`);
      });

      it("is deterministic: same plan for the snapshots in reverse order", () => {
        const forward = planWithEmptyStarts(c.snapshots(), c.settings);
        const reversed = planWithEmptyStarts(c.snapshots().reverse(), c.settings);
        assert.strictEqual(fingerprint(reversed), fingerprint(forward));
      });

      it("names every object with a DNS-1123 label of at most 52 characters, unique per kind", () => {
        const plan = planWithEmptyStarts(c.snapshots(), c.settings);
        const objects = [
          ...plan.apps.flatMap((a) => a.workloads.map((w) => w.name)),
          ...plan.statefulAddons.map((s) => s.name),
        ];
        const jobs = plan.apps.flatMap((a) => [
          ...(a.releaseJob ? [a.releaseJob.name] : []),
          ...a.cronJobs.map((j) => j.name),
        ]);
        for (const n of [...objects, ...jobs]) assert.ok(isDnsLabel(n, 52), `${n} is not a valid name`);
        assert.strictEqual(new Set(objects).size, objects.length);
        assert.strictEqual(new Set(jobs).size, jobs.length);
        const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
        for (const a of plan.apps) {
          for (const w of a.workloads) {
            for (const v of Object.values(w.labels.labels))
              assert.ok(labelValue.test(v) && v.length <= 63, v);
          }
        }
      });

      it("keeps every secret out of the plan's JSON and its warnings", () => {
        const plan = planWithEmptyStarts(c.snapshots(), c.settings);
        const json = JSON.stringify(plan);
        assert.doesNotMatch(json, /pw-/);
      });
    });
  }
});
