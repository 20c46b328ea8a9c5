/**
 * The `hasura` config section, the pure Hasura plan and the report's Hasura section.
 */
import * as assert from "assert";
import { parseStackConfig, StackConfigError } from "../../components/config";
import { hasuraSection } from "../../components/hasura/deploy";
import { DEFAULT_HASURA_IMAGE, planHasura, sourceEnvVar } from "../../components/hasura/plan";
import { SecretString } from "../../components/heroku/secret-string";
import { SecretTemplate } from "../../components/heroku/secret-template";
import { renderTemplate } from "../plan/helpers";
import { renderReport } from "../../components/plan";
import type { HasuraSourceReport } from "../../components/plan/hasura-section";
import type { DatabasePlan } from "../../components/plan/types";
import { validConfig } from "../config/config-cases";
import { migrationPlan } from "../k8s/plan-fixtures";

const ctx = { project: "heroku-to-hasura", stack: "dev" };
const DIGEST_IMAGE = "hasura/graphql-engine@sha256:" + "d".repeat(64);

function issues(raw: Record<string, unknown>): string[] {
  try {
    parseStackConfig(raw, { ...ctx, secretKeysStored: new Set(["hasuraJwtSecret", "hasuraAuthWebhook"]) });
  } catch (e) {
    assert.ok(e instanceof StackConfigError);
    return e.issues.map((i) => `${i.key}: ${i.message}`);
  }
  return [];
}

function database(name: string): DatabasePlan {
  return {
    addon: `postgresql-${name}`,
    ownerApp: "acme-api",
    plan: "heroku-postgresql:standard-0",
    database: name,
    ownerRole: `${name}_owner`,
    ownerCredential: `postgresql-${name}-owner`,
    sourceAttachment: { app: "acme-api", configVar: "DATABASE_URL" },
    attachedApps: ["acme-api"],
    sourceUrl: SecretString.of("postgres://u:p@src:5432/d"),
    attachments: [],
    targetUrl: SecretTemplate.join(
      `postgres://${name}_owner:`,
      SecretTemplate.credential(`postgresql-${name}-owner`, { uriEncoded: true }),
      `@postgres.hasura.svc:5432/${name}`,
    ),
    targetHost: "postgres.hasura.svc",
    targetPort: 5432,
  };
}

describe("hasura config, plan and report section", () => {
  it("config: off by default; every key read and validated", () => {
    const off = parseStackConfig(validConfig(), ctx).hasura;
    assert.deepStrictEqual(
      [off.enabled, off.image, off.metadataDatabase, off.console, off.devMode, off.replicas, off.endpoint],
      [false, null, "hasura_metadata", false, false, 1, null],
    );
    const raw = validConfig();
    raw.hasura = {
      enabled: true,
      image: DIGEST_IMAGE,
      metadataDatabase: "hasura_meta",
      console: true,
      devMode: "true",
      replicas: 2,
      ingressHost: "graphql.acme.example",
      endpoint: "https://graphql.acme.example",
      adminSecretRotation: "2026-12",
      excludeSchemas: ["audit"],
    };
    raw.hasuraJwtSecret = '{"type":"HS256","key":"0123456789abcdef0123456789abcdef"}';
    const c = parseStackConfig(raw, ctx).hasura;
    assert.deepStrictEqual(
      [
        c.enabled,
        c.image,
        c.metadataDatabase,
        c.console,
        c.devMode,
        c.replicas,
        c.ingressHost,
        c.endpoint,
        c.adminSecretRotation,
      ],
      [
        true,
        DIGEST_IMAGE,
        "hasura_meta",
        true,
        true,
        2,
        "graphql.acme.example",
        "https://graphql.acme.example",
        "2026-12",
      ],
    );
    assert.deepStrictEqual(c.excludeSchemas, ["audit"]);
    assert.strictEqual(c.jwtSecret?.reveal("test"), raw.hasuraJwtSecret);
    assert.strictEqual(c.authWebhook, null);
  });

  it("config: errors name the key; a tag image, both auth modes and a plaintext secret are refused", () => {
    const raw = validConfig();
    raw.hasura = {
      enabled: true,
      image: "hasura/graphql-engine:v2.48.11",
      endpoint: "graphql.acme",
      replicas: 0,
      consle: true,
    };
    raw.hasuraJwtSecret = "jwt-config-value";
    raw.hasuraAuthWebhook = "https://auth.acme.example/hook";
    const found = issues(raw);
    assert.deepStrictEqual(found, [
      'heroku-to-hasura:hasura.consle: unknown key "consle" (did you mean "console"?); allowed keys: enabled, image, metadataDatabase, console, devMode, replicas, ingressHost, endpoint, adminSecretRotation, includeSchemas, excludeSchemas, includeTables, excludeTables',
      "heroku-to-hasura:hasuraAuthWebhook: set either hasuraJwtSecret or hasuraAuthWebhook, not both (GraphQL Engine takes one mode)",
      'heroku-to-hasura:hasura.image: must be an image reference by digest, repo@sha256:<64 hex digits> (got "hasura/graphql-engine:v2.48.11")',
      "heroku-to-hasura:hasura.replicas: must be an integer from 1 to 20 (got 0)",
      'heroku-to-hasura:hasura.endpoint: must be an http(s) URL (got "graphql.acme")',
    ]);
    assert.ok(!found.join("\n").includes("jwt-config-value"), "a secret is never echoed");
    const plain = validConfig();
    plain.hasura = { enabled: true };
    plain.hasuraJwtSecret = "jwt-config-value";
    try {
      parseStackConfig(plain, { ...ctx, secretKeysStored: new Set() });
      assert.fail("a plaintext secret must be refused");
    } catch (e) {
      assert.match(String(e), /hasuraJwtSecret: must be stored as a secret/);
    }
  });

  it("plan: one source per migrated database, URL from the environment, separate metadata database", () => {
    const raw = validConfig();
    raw.hasura = { enabled: true, ingressHost: "graphql.acme.example" };
    raw.ingress = { className: "nginx", clusterIssuer: "letsencrypt" };
    const config = parseStackConfig(raw, ctx);
    const plan = { ...migrationPlan([]), databases: [database("acme_db"), database("acme_reports")] };
    const p = planHasura(config.hasura, plan, config.plan.postgres, config.plan.ingress);
    assert.deepStrictEqual(
      p.sources.map((s) => [s.name, s.envVar, renderTemplate(s.clusterUrl)]),
      [
        [
          "acme_db",
          "HASURA_SOURCE_ACME_DB_URL",
          "postgres://acme_db_owner:cred(postgresql-acme_db-owner)@postgres.hasura.svc:5432/acme_db",
        ],
        [
          "acme_reports",
          "HASURA_SOURCE_ACME_REPORTS_URL",
          "postgres://acme_reports_owner:cred(postgresql-acme_reports-owner)@postgres.hasura.svc:5432/acme_reports",
        ],
      ],
    );
    assert.deepStrictEqual([p.image, p.imagePinned], [DEFAULT_HASURA_IMAGE, false]);
    assert.deepStrictEqual(p.ingress, {
      host: "graphql.acme.example",
      className: "nginx",
      annotations: { "cert-manager.io/cluster-issuer": "letsencrypt" },
      tlsSecretName: "graphql.acme.example-tls",
    });
    assert.strictEqual(p.directory, "out/test/hasura");
    assert.strictEqual(sourceEnvVar("a-b"), "HASURA_SOURCE_A_B_URL");
    const clash = parseStackConfig(
      { ...validConfig(), hasura: { enabled: true, metadataDatabase: "acme_db" } },
      ctx,
    );
    assert.throws(
      () => planHasura(clash.hasura, plan, clash.plan.postgres, clash.plan.ingress),
      /hasura.metadataDatabase "acme_db" is a migrated database/,
    );
  });

  it("report: the Hasura section lists sources, tables, relationships with their keys, and what was not tracked", () => {
    const config = parseStackConfig({ ...validConfig(), hasura: { enabled: true } }, ctx);
    const plan = { ...migrationPlan([]), databases: [database("acme_db")] };
    const p = planHasura(config.hasura, plan, config.plan.postgres, config.plan.ingress);
    const before = renderReport(plan, hasuraSection(p, null, null));
    assert.match(
      before,
      /## Hasura\n\nGraphQL Engine `hasura\/graphql-engine:v2\.48\.11` \(\*\*unpinned tag\*\*/,
    );
    assert.match(before, /read from the target databases after the import, during `pulumi up`/);
    const report: HasuraSourceReport = {
      source: "acme_db",
      database: "acme_db",
      envVar: "HASURA_SOURCE_ACME_DB_URL",
      extensionsSchema: "heroku_ext",
      tables: [{ table: "public.accounts", kind: "table", graphqlName: "accounts" }],
      relationships: [
        {
          table: "public.invoices",
          name: "accountByCreatedBy",
          type: "object",
          remoteTable: "public.accounts",
          foreignKey: "invoices_created_by_fkey",
          mapping: "created_by → accounts.id",
          fallbackName: true,
        },
      ],
      notTracked: [
        { object: "table public.nothing", reason: "it has no columns", warning: true },
        { object: "table public.readings_2024", reason: "partition of public.readings", warning: false },
      ],
    };
    const after = renderReport(plan, hasuraSection(p, [report], null));
    const section = after.slice(after.indexOf("## Hasura"));
    assert.ok(
      section.includes(
        "Database `acme_db`, URL from `HASURA_SOURCE_ACME_DB_URL`, extensions_schema `heroku_ext`: 1 tracked, 1 relationships, 2 not tracked (1 warnings).",
      ),
    );
    assert.ok(section.includes("| `public.accounts` | table | `accounts` |"));
    assert.ok(
      section.includes(
        "| `public.invoices` | `accountByCreatedBy` (name taken: fallback) | object | `public.accounts` | `invoices_created_by_fkey` | created_by → accounts.id |",
      ),
    );
    assert.ok(section.includes("| **warning**: table public.nothing | it has no columns |"));
    assert.ok(section.includes("| table public.readings_2024 | partition of public.readings |"));
    assert.ok(!renderReport(plan).includes("## Hasura"), "no section when Hasura is off");
  });
});
