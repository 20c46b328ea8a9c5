import * as assert from "assert";
import { parseStackConfig, StackConfigError } from "../../components/config";
import { API_IMAGE, BAD_CONFIG_CASES, validConfig } from "./config-cases";

const ctx = { project: "heroku-to-hasura", stack: "dev" };

function parseError(
  raw: Record<string, unknown>,
  extra: Partial<Parameters<typeof parseStackConfig>[1]> = {},
) {
  try {
    parseStackConfig(raw, { ...ctx, ...extra });
  } catch (e) {
    assert.ok(e instanceof StackConfigError, `expected a StackConfigError, got ${e}`);
    return e;
  }
  assert.fail("expected the config to be refused");
}

describe("stack config: parseStackConfig", () => {
  it("cluster.createNamespace: true declares the namespace (default false)", () => {
    const raw = validConfig();
    raw.cluster = { namespace: "acme", createNamespace: true, renderTo: "out/test" };
    const c = parseStackConfig(raw, ctx);
    assert.deepStrictEqual([c.cluster.namespace, c.cluster.createNamespace], ["acme", true]);
  });

  it("singletons, cluster.region and an add-on's rotation reach the planner's settings", () => {
    const raw = validConfig();
    raw.singletons = { "acme-api": { clock: false, worker: true } };
    raw.cluster = { renderTo: "out/test", region: "eu-west-1" };
    raw.addons = { "redis-curved-11111": { disposition: "in-cluster", rotation: "2027-01" } };
    const c = parseStackConfig(raw, ctx);
    assert.deepStrictEqual(c.plan.singletons, { "acme-api": { clock: false, worker: true } });
    assert.deepStrictEqual([c.cluster.region, c.plan.clusterRegion], ["eu-west-1", "eu-west-1"]);
    assert.strictEqual(c.plan.addons["redis-curved-11111"].rotation, "2027-01");
  });

  it("accepts a complete config and builds the planner's settings", () => {
    const c = parseStackConfig(validConfig(), ctx);
    assert.deepStrictEqual(c.heroku, {
      kind: "file",
      file: "examples/snapshot.json",
      apps: ["acme-api"],
    });
    assert.deepStrictEqual(c.cluster, {
      namespace: "default",
      createNamespace: false,
      region: null,
      target: { kind: "render", directory: "out/test" },
    });
    assert.deepStrictEqual(c.plan, {
      stack: "dev",
      namespace: "default",
      postgres: {
        host: "127.0.0.1",
        port: 31433,
        adminUser: "postgres",
        clusterHost: "127.0.0.1",
        clusterPort: 31433,
        sslMode: null,
      },
      addons: {
        "redis-curved-11111": {
          disposition: "in-cluster",
          storage: "5Gi",
          copy: { host: "127.0.0.1", port: 16379, waitSeconds: 120, ttlToleranceMs: 2000 },
        },
      },
      schedules: {
        "acme-api": [{ name: "nightly-cleanup", schedule: "0 3 * * *", command: "rake cleanup" }],
      },
      replicas: { "acme-api": { web: 2 } },
      singletons: {},
      ingress: { className: "nginx", clusterIssuer: "letsencrypt-prod", addressTimeoutSeconds: 45 },
      storageClass: "standard",
      clusterRegion: null,
    });
    assert.strictEqual((c.images as { registry: string }).registry, "images.acme.example/acme");
    assert.deepStrictEqual((c.images as { apps: unknown }).apps, { "acme-api": { image: API_IMAGE } });
    assert.strictEqual(c.promoteFrom, null);
    assert.strictEqual(c.postgres.manageDatabase, true, "the stack declares the target database by default");
    // Options not set are absent (never null): the components pass on only what was given.
    assert.deepStrictEqual(c.import, { enabled: false, jobs: 2, dropTargetOnDelete: false });
    assert.strictEqual(c.import.enabled, false);
    assert.strictEqual(c.import.jobs, 2);
    assert.strictEqual(c.postgres.password, undefined);
    assert.ok(!("password" in c.postgres) && !("sslMode" in c.postgres) && !("database" in c.postgres));
  });

  it("applies defaults for a minimal config", () => {
    const c = parseStackConfig(
      {
        heroku: { snapshotFile: "s.json" },
        cluster: { renderTo: "out/x" },
        postgres: { host: "db.internal" },
      },
      ctx,
    );
    assert.strictEqual(c.cluster.namespace, "default");
    assert.deepStrictEqual(c.plan.postgres, {
      host: "db.internal",
      port: 5432,
      adminUser: "postgres",
      clusterHost: "db.internal",
      clusterPort: 5432,
      sslMode: null,
    });
    assert.deepStrictEqual(c.plan.ingress, {
      className: null,
      clusterIssuer: null,
      addressTimeoutSeconds: 120,
    });
    assert.strictEqual(c.plan.storageClass, null);
    assert.deepStrictEqual(c.plan.addons, {});
    assert.strictEqual(c.images, undefined);
    assert.strictEqual(c.promoteFrom, null);
    assert.strictEqual(c.postgres.manageDatabase, true);
    assert.strictEqual(c.import.enabled, false);
    assert.deepStrictEqual(c.heroku, { kind: "file", file: "s.json" }, "every app of the file");
  });

  it("reads promoteFrom, manageDatabase and every import option", () => {
    const raw = validConfig();
    raw.promoteFrom = "organization/heroku-to-hasura/dev";
    raw.images = { upstreamApps: { "acme-api": "acme-api-dev" } };
    raw.postgres = { host: "db.internal", manageDatabase: false };
    raw.import = {
      enabled: "true",
      jobs: 4,
      importId: "cutover-2",
      includeSchemas: ["public"],
      excludeSchemas: ["audit"],
      includeTables: ["public.users"],
      excludeTables: ["events"],
      dropTargetOnDelete: true,
      progressFile: "out/import.log",
    };
    const c = parseStackConfig(raw, ctx);
    assert.strictEqual(c.promoteFrom, "organization/heroku-to-hasura/dev");
    assert.strictEqual(c.postgres.manageDatabase, false);
    assert.deepStrictEqual(c.import, {
      enabled: true,
      jobs: 4,
      importId: "cutover-2",
      includeSchemas: ["public"],
      excludeSchemas: ["audit"],
      includeTables: ["public.users"],
      excludeTables: ["events"],
      dropTargetOnDelete: true,
      progressFile: "out/import.log",
    });
  });

  it("accepts an image by tag (the images layer resolves it to a digest)", () => {
    const raw = validConfig();
    (raw.images as { apps: Record<string, unknown> }).apps["acme-api"] = { image: "ghcr.io/acme/api:2.1" };
    parseStackConfig(raw, ctx);
  });

  it("reads a kubeconfig target with a context, secrets as SecretString", () => {
    const raw = validConfig();
    raw.cluster = { namespace: "apps", context: "kind-acme" };
    raw.kubeconfig = "apiVersion: v1\nkind: Config";
    raw.postgresPassword = "hunter2";
    raw.heroku = { pipeline: { name: "acme", stage: "staging" } };
    raw.herokuApiKey = "token-123";
    raw.registryPassword = "reg-pw";
    raw.postgres = {
      host: "localhost",
      port: "5433",
      clusterHost: "postgres.hasura.svc",
      clusterPort: 5432,
      sslMode: "require",
    };
    const c = parseStackConfig(raw, ctx);
    assert.strictEqual(c.cluster.target.kind, "kubeconfig");
    if (c.cluster.target.kind !== "kubeconfig") return;
    assert.strictEqual(c.cluster.target.kubeconfig.reveal(), "apiVersion: v1\nkind: Config");
    assert.strictEqual(String(c.cluster.target.kubeconfig), "[secret]");
    assert.strictEqual(c.cluster.target.context, "kind-acme");
    assert.strictEqual(c.postgres.password?.reveal(), "hunter2");
    assert.strictEqual(c.heroku.token?.reveal(), "token-123");
    assert.strictEqual(c.registryPassword?.reveal(), "reg-pw");
    assert.strictEqual(c.heroku.kind, "pipeline");
    if (c.heroku.kind !== "pipeline") return;
    assert.deepStrictEqual(c.heroku.pipeline, { name: "acme", stage: "staging" });
    assert.deepStrictEqual(c.plan.postgres, {
      host: "localhost",
      port: 5433,
      adminUser: "postgres",
      clusterHost: "postgres.hasura.svc",
      clusterPort: 5432,
      sslMode: "require",
    });
  });

  it("takes the Heroku API key from HEROKU_API_KEY when the config has none", () => {
    const raw = validConfig();
    delete (raw.heroku as Record<string, unknown>).snapshotFile;
    const c = parseStackConfig(raw, { ...ctx, env: { HEROKU_API_KEY: "from-env" } });
    assert.strictEqual(c.heroku.kind, "apps");
    assert.strictEqual(c.heroku.token?.reveal(), "from-env");
  });

  it("accepts cron macros, names, ranges, lists and steps", () => {
    const raw = validConfig();
    const schedules = ["@daily", "*/15 * * * *", "0 3 * jan-mar mon-fri", "5,35 1-5/2 1 * 0", "0 0 * * 7"];
    raw.schedules = {
      "acme-api": schedules.map((schedule, i) => ({ name: `job-${i}`, schedule, command: "x" })),
    };
    const c = parseStackConfig(raw, ctx);
    assert.deepStrictEqual(
      c.plan.schedules["acme-api"].map((j) => j.schedule),
      schedules,
    );
  });

  describe(`refuses each of ${BAD_CONFIG_CASES.length} bad configs with one error naming the key`, () => {
    for (const c of BAD_CONFIG_CASES) {
      it(c.name, () => {
        const raw = validConfig();
        c.mutate(raw);
        const e = parseError(raw);
        assert.deepStrictEqual(
          e.issues.map((i) => i.key),
          [c.key],
          `issues: ${e.message}`,
        );
        assert.match(e.issues[0].message, c.message);
        assert.ok(e.message.includes(`${c.key}: `), "the thrown message names the key");
      });
    }
  });

  it("reports every mistake of a config together", () => {
    const raw = validConfig();
    for (const i of [0, 4, 9]) BAD_CONFIG_CASES[i].mutate(raw);
    const e = parseError(raw);
    assert.deepStrictEqual(
      e.issues.map((i) => i.key).sort(),
      [BAD_CONFIG_CASES[0].key, BAD_CONFIG_CASES[4].key, BAD_CONFIG_CASES[9].key].sort(),
    );
    assert.match(e.message, /^Invalid stack config \(3 problems\):/);
  });

  it("never echoes a secret value in an error", () => {
    const raw = validConfig();
    raw.herokuApiKey = { token: "s3cr3t-token" };
    const stored = new Set<string>();
    raw.postgresPassword = "plaintext-pw";
    const e = parseError(raw, { secretKeysStored: stored });
    assert.deepStrictEqual(e.issues.map((i) => i.key).sort(), [
      "heroku-to-hasura:herokuApiKey",
      "heroku-to-hasura:herokuApiKey",
      "heroku-to-hasura:postgresPassword",
    ]);
    assert.match(e.message, /postgresPassword: must be stored as a secret/);
    assert.ok(!e.message.includes("s3cr3t-token") && !e.message.includes("plaintext-pw"), e.message);
  });
});
