import assert from "assert";
import { planMigration } from "../../components/plan/plan";
import { PlanSettings } from "../../components/plan/settings";
import {
  multiProcessApp,
  redisKeptApp,
  schedulerWithJobsApp,
  settings,
  sharedAddonApps,
} from "../fixtures/snapshots/fixtures";
import { AppSnapshot } from "../../components/heroku/snapshot";
import { SecretString } from "../../components/heroku/secret-string";

/** Settings the planner refuses: each error names the settings key (or app) at fault. */
const CASES: [string, () => AppSnapshot[], Partial<PlanSettings>, RegExp][] = [
  [
    "override of an add-on no app has",
    multiProcessApp,
    { addons: { "redis-typo-1": { disposition: "keep" } } },
    /^Error: addons\.redis-typo-1: no app .* add-on named redis-typo-1 \(add-ons: papertrail-flat-11111, postgresql-concave-52656\)/,
  ],
  [
    "Postgres in-cluster",
    multiProcessApp,
    { addons: { "postgresql-concave-52656": { disposition: "in-cluster" } } },
    /^Error: addons\.postgresql-concave-52656\.disposition: in-cluster is not possible for a heroku-postgresql add-on \(allowed: migrate, keep\)/,
  ],
  [
    "Papertrail migrated",
    multiProcessApp,
    { addons: { "papertrail-flat-11111": { disposition: "migrate" } } },
    /^Error: addons\.papertrail-flat-11111\.disposition: migrate .* \(allowed: keep\)/,
  ],
  [
    "Redis migrated",
    sharedAddonApps,
    { addons: { "redis-curved-11111": { disposition: "migrate" } } },
    /^Error: addons\.redis-curved-11111\.disposition: migrate .*allowed: in-cluster, keep/,
  ],
  [
    "image not by digest",
    sharedAddonApps,
    { addons: { "redis-curved-11111": { image: "redis:7", startEmpty: true } } },
    /^Error: addons\.redis-curved-11111\.image: "redis:7" must be pinned by digest/,
  ],
  [
    // The catalog's former digest pattern accepted it: "redis:7" is not a repository path.
    "image by digest after a tag with two colons",
    sharedAddonApps,
    { addons: { "redis-curved-11111": { image: `redis:7:4@sha256:${"a".repeat(64)}`, startEmpty: true } } },
    /^Error: addons\.redis-curved-11111\.image: "redis:7:4@sha256:a{64}" must be pinned by digest/,
  ],
  [
    "storage not a quantity",
    sharedAddonApps,
    { addons: { "redis-curved-11111": { storage: "5GB", startEmpty: true } } },
    /^Error: addons\.redis-curved-11111\.storage: "5GB" is not a Kubernetes quantity/,
  ],
  [
    "negative replicas",
    multiProcessApp,
    { replicas: { "acme-api": { web: -1 } } },
    /^Error: replicas\.acme-api\.web: must be a whole number ≥ 0, got -1/,
  ],
  [
    "fractional replicas",
    multiProcessApp,
    { replicas: { "acme-api": { worker: 1.5 } } },
    /^Error: replicas\.acme-api\.worker: must be a whole number/,
  ],
  [
    "replicas for an unknown process type",
    multiProcessApp,
    { replicas: { "acme-api": { sidekiq: 2 } } },
    /^Error: replicas\.acme-api\.sidekiq: app acme-api has no process type sidekiq \(process types: clock, console, web, worker\)/,
  ],
  [
    "replicas for the release type",
    multiProcessApp,
    { replicas: { "acme-api": { release: 1 } } },
    /^Error: replicas\.acme-api\.release: app acme-api has no process type release/,
  ],
  [
    "replicas for an unknown app",
    multiProcessApp,
    { replicas: { "acme-apj": { web: 1 } } },
    /^Error: replicas\.acme-apj: no snapshot for app acme-apj \(apps: acme-api\)/,
  ],
  [
    "schedules for an unknown app",
    multiProcessApp,
    { schedules: { nope: [] } },
    /^Error: schedules\.nope: no snapshot for app nope/,
  ],
  [
    "job name not a DNS label",
    schedulerWithJobsApp,
    { schedules: { "cron-app": [{ name: "Nightly_Cleanup", schedule: "0 3 * * *", command: "x" }] } },
    /^Error: schedules\.cron-app\[0\]\.name: "Nightly_Cleanup" must be a DNS-1123 label of at most 30/,
  ],
  [
    "duplicate job names",
    schedulerWithJobsApp,
    {
      schedules: {
        "cron-app": [
          { name: "a", schedule: "0 3 * * *", command: "x" },
          { name: "a", schedule: "0 4 * * *", command: "y" },
        ],
      },
    },
    /^Error: schedules\.cron-app\[1\]\.name: a is declared twice/,
  ],
  [
    "bad cron expression",
    schedulerWithJobsApp,
    { schedules: { "cron-app": [{ name: "a", schedule: "every day", command: "x" }] } },
    /^Error: schedules\.cron-app\[0\]\.schedule: "every day" is not a valid cron schedule: needs 5 fields/,
  ],
  [
    "empty job command",
    schedulerWithJobsApp,
    { schedules: { "cron-app": [{ name: "a", schedule: "* * * * *", command: " " }] } },
    /^Error: schedules\.cron-app\[0\]\.command: must not be empty/,
  ],
];

describe("planMigration refuses settings it cannot plan, naming the key", () => {
  for (const [name, snapshots, patch, message] of CASES) {
    it(name, () => {
      assert.throws(() => planMigration(snapshots(), settings(patch)), message);
    });
  }

  it("the same app twice in the snapshots", () => {
    assert.throws(
      () => planMigration([...redisKeptApp(), ...redisKeptApp()], settings()),
      /app cache-app appears twice/,
    );
  });

  it("a Postgres URL that is not a URL: the error names app and key, never the value", () => {
    const snapshots = multiProcessApp();
    snapshots[0].configVars.DATABASE_URL = SecretString.of("not-a-url-pw-zzz");
    assert.throws(
      () => planMigration(snapshots, settings()),
      (e: Error) =>
        e.message ===
        "config var DATABASE_URL of app acme-api is not a connection URL (scheme://user:password@host:port/…)",
    );
  });
});
