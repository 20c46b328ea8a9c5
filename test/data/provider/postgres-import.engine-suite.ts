/**
 * PostgresImport (alone, then behind a TargetDatabase) under the real Pulumi engine (the
 * offline-built CLI and postgresql provider, an inline Automation API program, a file backend)
 * against real throwaway clusters: the run-once semantics as a user sees them in `pulumi up` /
 * `refresh` / `destroy`, progress lines in the engine's output, `protect`, and no secret in state
 * or output.
 *
 * Not a `*.test.ts`: an inline program must not run in the unit-test process (which sets Pulumi
 * mocks). The end-to-end suite includes it (`test/e2e/postgres-import.test.ts` imports this file);
 * run alone with `npx mocha -r ts-node/register/transpile-only --timeout 0 --exit <this file>`.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { Client } from "pg";
import { PostgresImport } from "../../../components/data/postgres-import";
import { TargetDatabase } from "../../../components/data/target-database";
import { startPgCluster, type PgCluster } from "../../../scripts/lib/pg-cluster";
import {
  changedResources,
  createSandbox,
  findPlaintext,
  hasPlugin,
  type Sandbox,
} from "../../support/engine";

const TYPE = "pulumi-nodejs:dynamic/heroku-to-hasura/data:PostgresImport";

async function count(url: string, table: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  } finally {
    await c.end();
  }
}

describe("PostgresImport under the real Pulumi engine (inline program, real clusters)", function () {
  this.timeout(600_000);
  let sb: Sandbox;
  let stack: Stack;
  let src: PgCluster;
  let tgt: PgCluster;
  const pw = { owner1: "owner-pw-5f1a9c3e", owner2: "owner-pw-b7d04e21" };
  const targetUrl = (p: string) => tgt.url("app", "app_owner", p);

  const program = async () => {
    const cfg = new pulumi.Config();
    const imp = new PostgresImport(
      "db",
      { sourceUrl: cfg.requireSecret("sourceUrl"), targetUrl: cfg.requireSecret("targetUrl"), jobs: 2 },
      { protect: false },
    );
    return { rows: imp.rows, tables: imp.tables, markerStatus: imp.markerStatus, sourceUrl: imp.sourceUrl };
  };

  before(async function () {
    this.timeout(0); // the first run may build the engine
    [src, tgt] = await Promise.all([startPgCluster(), startPgCluster()]);
    src.createDatabase("shop");
    src.psql(
      `CREATE TABLE items (id bigserial PRIMARY KEY, body text NOT NULL);
       INSERT INTO items (body) SELECT repeat(md5(g::text), 4) FROM generate_series(1, 50000) g;
       CREATE TABLE notes AS SELECT id, left(body, 10) AS note FROM items WHERE id % 3 = 0;`,
      "shop",
    );
    tgt.psql(`CREATE ROLE app_owner LOGIN PASSWORD '${pw.owner1}'`);
    tgt.createDatabase("app", "app_owner");
    sb = await createSandbox();
    stack = await sb.inlineStack("pg-import", "e2e", program, {
      config: {
        sourceUrl: { value: src.url("shop"), secret: true },
        targetUrl: { value: targetUrl(pw.owner1), secret: true },
      },
    });
  });

  after(function () {
    sb?.cleanup();
    src?.stop();
    tgt?.stop();
  });

  it("up imports once, shows per-table progress in the engine's output, keeps the URLs secret", async () => {
    const before = sb.log.text().length;
    const res = await stack.up({ ...sb.ops() });
    assert.strictEqual(res.summary.result, "succeeded");
    assert.strictEqual(res.outputs.rows.value, 50000 + 16666);
    assert.strictEqual(res.outputs.tables.value, 2);
    assert.strictEqual(res.outputs.markerStatus.value, "complete");
    assert.strictEqual(res.outputs.sourceUrl.secret, true);
    const out = sb.log.text().slice(before);
    assert.match(
      out,
      /\[PostgresImport 127\.0\.0\.1:\d+\/shop -> 127\.0\.0\.1:\d+\/app\] data \| tables \d\/2/,
    );
    assert.match(out, /verified equal/);
    assert.strictEqual(await count(targetUrl(pw.owner1), "items"), 50000);
  });

  it("a second up changes nothing", async () => {
    const events: EngineEvent[] = [];
    await stack.up({ ...sb.ops({ events }), expectNoChanges: true });
    assert.deepStrictEqual(changedResources(events), []);
  });

  it("refresh, then up, changes nothing", async () => {
    await stack.refresh({ ...sb.ops() });
    const events: EngineEvent[] = [];
    await stack.up({ ...sb.ops({ events }), expectNoChanges: true });
    assert.deepStrictEqual(changedResources(events), []);
    assert.strictEqual((await stack.outputs()).markerStatus.value, "complete");
  });

  it("a rotated target password is an in-place update that copies nothing", async () => {
    src.psql("INSERT INTO items (body) VALUES ('added after the import')", "shop");
    tgt.psql(`ALTER ROLE app_owner PASSWORD '${pw.owner2}'`);
    await stack.setConfig("targetUrl", { value: targetUrl(pw.owner2), secret: true });
    const events: EngineEvent[] = [];
    await stack.up({ ...sb.ops({ events }) });
    // The engine also updates the default `pulumi-nodejs` provider when stack config changes;
    // what matters: the import is updated in place, nothing is created, replaced or deleted.
    assert.deepStrictEqual(
      changedResources(events).filter((c) => !c.startsWith("update pulumi:providers:pulumi-nodejs::")),
      [`update ${TYPE}::db`],
    );
    assert.strictEqual(await count(targetUrl(pw.owner2), "items"), 50000);
    const again: EngineEvent[] = [];
    await stack.up({ ...sb.ops({ events: again }), expectNoChanges: true });
    assert.deepStrictEqual(changedResources(again), []);
  });

  it("destroy forgets the import and keeps the data", async () => {
    const res = await stack.destroy({ ...sb.ops() });
    assert.strictEqual(res.summary.result, "succeeded");
    assert.strictEqual(await count(targetUrl(pw.owner2), "items"), 50000);
    assert.match(sb.log.text(), /forgotten; the data in 127\.0\.0\.1:\d+\/app is kept/);
  });

  it("no password appears in the state files or the engine's output and events", () => {
    const state = sb.stateFiles();
    assert.ok(state.length > 0);
    const hits = findPlaintext(
      [
        { label: "source superuser password", value: src.password },
        { label: "first owner password", value: pw.owner1 },
        { label: "second owner password", value: pw.owner2 },
      ],
      [
        ...state.map((s) => ({ where: s.file, text: s.text })),
        { where: "engine output", text: sb.log.text() },
        { where: "engine events", text: sb.log.events() },
      ],
    );
    assert.deepStrictEqual(hits, []);
  });
});

describe("TargetDatabase + PostgresImport under the real Pulumi engine and postgresql provider", function () {
  this.timeout(600_000);
  let sb: Sandbox;
  let stack: Stack;
  let src: PgCluster;
  let tgt: PgCluster;
  const ownerPassword = "acme-owner-pw-8c2e41";

  before(async function () {
    this.timeout(0);
    sb = await createSandbox();
    assert.ok(hasPlugin("postgresql"), "scripts/engine/ensure.sh installs the postgresql provider");
    [src, tgt] = await Promise.all([startPgCluster(), startPgCluster()]);
    src.createDatabase("shop");
    src.psql(
      `CREATE SCHEMA heroku_ext; GRANT USAGE ON SCHEMA heroku_ext TO PUBLIC;
       CREATE EXTENSION citext SCHEMA heroku_ext;
       CREATE TABLE users (id int PRIMARY KEY, email heroku_ext.citext NOT NULL UNIQUE);
       INSERT INTO users SELECT g, 'User' || g || '@Example.com' FROM generate_series(1, 1000) g;`,
      "shop",
    );
    const tgtPort = tgt.port;
    const program = async () => {
      const cfg = new pulumi.Config();
      const target = new TargetDatabase("acme", {
        admin: cfg.requireSecret("adminPassword").apply((password) => ({
          host: "127.0.0.1",
          port: tgtPort,
          username: "postgres",
          password,
        })),
        database: "acme",
        ownerRole: "acme_owner",
        ownerPassword: cfg.requireSecret("ownerPassword"),
        extensions: [{ name: "citext", schema: "heroku_ext" }],
      });
      const imp = new PostgresImport(
        "acme-import",
        { sourceUrl: cfg.requireSecret("sourceUrl"), targetUrl: target.targetUrl, jobs: 2 },
        { dependsOn: [target] },
      );
      return { rows: imp.rows, database: target.databaseName };
    };
    stack = await sb.inlineStack("pg-target", "e2e", program, {
      config: {
        adminPassword: { value: tgt.password, secret: true },
        ownerPassword: { value: ownerPassword, secret: true },
        sourceUrl: { value: src.url("shop"), secret: true },
      },
    });
  });

  after(function () {
    sb?.cleanup();
    src?.stop();
    tgt?.stop();
  });

  it("up creates the role, the database, heroku_ext and its extension, then imports into them", async () => {
    const events: EngineEvent[] = [];
    const res = await stack.up({ ...sb.ops({ events }) });
    assert.deepStrictEqual(
      changedResources(events),
      [
        "create heroku-to-hasura:data:TargetDatabase::acme",
        "create postgresql:index/database:Database::acme-database",
        "create postgresql:index/extension:Extension::acme-ext-citext",
        "create postgresql:index/role:Role::acme-owner",
        "create postgresql:index/schema:Schema::acme-heroku-ext",
        "create pulumi:providers:postgresql::acme-admin",
        "create pulumi:providers:pulumi-nodejs::default",
        "create pulumi:pulumi:Stack::pg-target-e2e",
        `create ${TYPE}::acme-import`,
      ].sort(),
    );
    assert.strictEqual(res.outputs.rows.value, 1000);
    const owner = tgt.psql(
      "SELECT d.datname || ' ' || r.rolname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = 'acme'",
    );
    assert.strictEqual(owner.trim(), "acme acme_owner");
    const url = tgt.url("acme", "acme_owner", ownerPassword);
    assert.strictEqual(
      await count(url, "users WHERE email OPERATOR(heroku_ext.=) 'user7@example.com'::heroku_ext.citext"),
      1,
    );
  });

  it("a second up changes nothing", async () => {
    const events: EngineEvent[] = [];
    await stack.up({ ...sb.ops({ events }), expectNoChanges: true });
    assert.deepStrictEqual(changedResources(events), []);
  });

  it("destroy is refused while the import and the database are protected (the default); the data stays", async () => {
    await assert.rejects(stack.destroy({ ...sb.ops() }), /protected/);
    assert.strictEqual(await count(tgt.url("acme", "acme_owner", ownerPassword), "users"), 1000);
  });

  it("no password appears in the state files or the engine's output and events", () => {
    const hits = findPlaintext(
      [
        { label: "target admin password", value: tgt.password },
        { label: "source superuser password", value: src.password },
        { label: "owner password", value: ownerPassword },
      ],
      [
        ...sb.stateFiles().map((f) => ({ where: f.file, text: f.text })),
        { where: "engine output", text: sb.log.text() },
        { where: "engine events", text: sb.log.events() },
      ],
    );
    assert.deepStrictEqual(hits, []);
  });
});
