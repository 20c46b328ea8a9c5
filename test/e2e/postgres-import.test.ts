/**
 * PostgresImport under the real Pulumi engine (the offline-built CLI, an inline Automation API
 * program, a file backend)
 * against real throwaway clusters: the run-once semantics as a user sees them in `pulumi up` /
 * `refresh` / `destroy`, progress lines in the engine's output, `protect`, and no secret in state
 * or output.
 *
 * In the end-to-end suite: an inline program must not run in the unit-test process (which sets
 * Pulumi mocks). TargetDatabase (@pulumi/postgresql) is not run here: no postgresql plugin can be
 * built offline (tools/engine/README.md); its resource graph is covered by mock tests.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { Client } from "pg";
import { PostgresImport } from "../../components/data/postgres-import";
import { startPgCluster, type PgCluster } from "../../scripts/lib/pg-cluster";
import { changedResources, createSandbox, scanForSecrets, type Sandbox } from "../support/engine";

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
    assert.ok(sb.stateFiles().length > 0);
    const hits = scanForSecrets(sb, [
      { label: "source superuser password", value: src.password },
      { label: "first owner password", value: pw.owner1 },
      { label: "second owner password", value: pw.owner2 },
    ]);
    assert.deepStrictEqual(hits, []);
  });
});
