/**
 * deployHasura under Pulumi mocks: the metadata database declared like the other targets (its own
 * database and role, password generated once), GraphQL Engine, and the metadata resource reading
 * the imported database, every credential sent as a secret.
 */
import * as assert from "assert";
import { parseStackConfig, StackConfig } from "../../components/config";
import { adminConnection } from "../../components/data/migrate-databases";
import { PostgresImport } from "../../components/data/postgres-import";
import { deployHasura, MigratedDatabase } from "../../components/hasura/deploy";
import { planHasura } from "../../components/hasura/plan";
import { SecretString } from "../../components/heroku/secret-string";
import { SecretTemplate } from "../../components/heroku/secret-template";
import type { DatabasePlan, MigrationPlan } from "../../components/plan/types";
import { validConfig } from "../config/config-cases";
import { migrationPlan } from "../k8s/plan-fixtures";
import { renderedChildren, useMockHarness } from "../k8s/harness";

const DB: DatabasePlan = {
  addon: "postgresql-acme",
  ownerApp: "acme-api",
  plan: "heroku-postgresql:standard-0",
  database: "postgresql_acme",
  ownerRole: "postgresql_acme_owner",
  ownerCredential: "postgresql-acme-owner",
  sourceAttachment: { app: "acme-api", configVar: "DATABASE_URL" },
  attachedApps: ["acme-api"],
  sourceUrl: SecretString.of("postgres://u:source-pw-123@src.example:5432/d"),
  attachments: [],
  targetUrl: SecretTemplate.join(
    "postgres://postgresql_acme_owner:",
    SecretTemplate.credential("postgresql-acme-owner", { uriEncoded: true }),
    "@postgres.hasura.svc:5432/postgresql_acme",
  ),
  targetHost: "postgres.hasura.svc",
  targetPort: 5432,
};

describe("deployHasura (mock-based wiring test)", () => {
  const h = useMockHarness();

  function config(hasura: Record<string, unknown>, postgres: Record<string, unknown> = {}) {
    const raw = validConfig();
    raw.hasura = { enabled: true, ...hasura };
    raw.postgres = { ...(raw.postgres as object), ...postgres };
    raw.postgresPassword = "admin-pw-123";
    return parseStackConfig(raw, { project: "heroku-to-hasura", stack: "test" });
  }

  /** deployHasura as the migration component calls it, for this config and plan. */
  function deploy(
    c: StackConfig,
    plan: MigrationPlan,
    databases: MigratedDatabase[],
    credentials?: Record<string, string>,
  ) {
    return deployHasura({
      config: c.hasura,
      plan: planHasura(c.hasura, plan, c.plan.postgres, c.plan.ingress),
      namespace: plan.namespace,
      admin: adminConnection({ ...c.postgres, password: c.postgres.password?.reveal("test") }),
      manageDatabase: c.postgres.manageDatabase,
      databases,
      kubernetes: h.provider(),
      credentials,
    });
  }

  it("mock: a managed metadata database, the engine, and metadata read from the imported database", async () => {
    const c = config(
      { endpoint: "https://graphql.acme.example" },
      { manageDatabase: true, clusterHost: "postgres.hasura.svc" },
    );
    const imp = new PostgresImport("postgresql-acme-import", {
      sourceUrl: DB.sourceUrl.reveal("t"),
      targetUrl: "postgres://postgresql_acme_owner:owner-pw-123@localhost:5432/postgresql_acme",
    });
    const d = deploy(
      c,
      { ...migrationPlan([]), databases: [DB] },
      [{ plan: DB, target: undefined, import: imp }],
      // The owner's generated password, filled into the source URL GraphQL Engine gets.
      { "postgresql-acme-owner": "owner-pw-123" },
    );
    const children = await renderedChildren(h.rec);
    for (const expected of [
      "heroku-to-hasura:data:TargetDatabase hasura-metadata",
      "postgresql:index/database:Database hasura-metadata-database",
      "postgresql:index/role:Role hasura-metadata-owner",
      "pulumi-nodejs:dynamic/heroku-to-hasura/secrets:GeneratedSecret hasura-metadata-owner-password",
      "pulumi-nodejs:dynamic/heroku-to-hasura/secrets:GeneratedSecret hasura-admin-secret",
      "heroku-to-hasura:hasura:HasuraEngine hasura",
      "pulumi-nodejs:dynamic/heroku-to-hasura/hasura:HasuraMetadata hasura-metadata",
    ])
      assert.ok(children.includes(expected), `${expected} in ${children.join(", ")}`);
    const db = h.rec.get("postgresql:index/database:Database", "hasura-metadata-database").inputs;
    assert.deepStrictEqual([db.name, db.owner], ["hasura_metadata", "hasura_metadata_owner"]);

    const meta = h.rec.get("pulumi-nodejs:dynamic/heroku-to-hasura/hasura:HasuraMetadata", "hasura-metadata");
    const sources = meta.inputs.sources as { name: string; envVar: string; url: string }[];
    assert.deepStrictEqual(
      sources.map((s) => [s.name, s.envVar, s.url]),
      [
        [
          "postgresql_acme",
          "HASURA_SOURCE_POSTGRESQL_ACME_URL",
          "postgres://postgresql_acme_owner:owner-pw-123@localhost:5432/postgresql_acme",
        ],
      ],
      "the catalog is read where the import wrote",
    );
    assert.strictEqual(meta.inputs.directory, "out/test/hasura");
    assert.strictEqual(meta.inputs.endpoint, "https://graphql.acme.example");
    assert.ok(
      meta.secretPaths.includes("sources") && meta.secretPaths.includes("adminSecret"),
      "URLs and the admin secret are secrets",
    );

    const secret = h.rec.get("kubernetes:core/v1:Secret", "hasura").inputs.stringData as Record<
      string,
      string
    >;
    assert.match(
      secret.HASURA_GRAPHQL_METADATA_DATABASE_URL,
      /^postgres:\/\/hasura_metadata_owner:generated-[0-9a-f]{8}@postgres\.hasura\.svc:31433\/hasura_metadata$/,
    );
    assert.strictEqual(
      secret.HASURA_SOURCE_POSTGRESQL_ACME_URL,
      "postgres://postgresql_acme_owner:owner-pw-123@postgres.hasura.svc:5432/postgresql_acme",
    );
    assert.ok(d.metadata);
  });

  it("mock: an existing metadata database (manageDatabase false) is reached as the admin; no endpoint, no admin secret sent", async () => {
    const c = config({}, { manageDatabase: false });
    deploy(
      c,
      { ...migrationPlan([]), databases: [DB] },
      [{ plan: DB, target: undefined, import: undefined }],
      { "postgresql-acme-owner": "owner-pw-123" },
    );
    const children = await renderedChildren(h.rec);
    assert.ok(!children.some((x) => x.includes("TargetDatabase")), "no database declared");
    const secret = h.rec.get("kubernetes:core/v1:Secret", "hasura").inputs.stringData as Record<
      string,
      string
    >;
    assert.strictEqual(
      secret.HASURA_GRAPHQL_METADATA_DATABASE_URL,
      "postgres://postgres:admin-pw-123@127.0.0.1:31433/hasura_metadata",
    );
    const meta = h.rec.get(
      "pulumi-nodejs:dynamic/heroku-to-hasura/hasura:HasuraMetadata",
      "hasura-metadata",
    ).inputs;
    assert.strictEqual(meta.adminSecret, undefined);
    assert.strictEqual(meta.endpoint, undefined);
    assert.strictEqual(
      (meta.sources as { url: string }[])[0].url,
      "postgres://postgres:admin-pw-123@127.0.0.1:31433/postgresql_acme",
    );
  });

  it("mock: no migrated database, no metadata resource (the engine still runs)", async () => {
    const d = deploy(config({}), { ...migrationPlan([]), databases: [] }, []);
    const children = await renderedChildren(h.rec);
    assert.ok(children.includes("heroku-to-hasura:hasura:HasuraEngine hasura"));
    assert.ok(!children.some((x) => x.includes("HasuraMetadata")));
    assert.strictEqual(d.metadata, undefined);
  });
});
