/**
 * The PostgresImport provider's run-once semantics.
 *
 * The pure part tests `checkImportInputs`/`diffImport` directly. The rest serializes the provider
 * exactly as `pulumi.dynamic.Resource` does and drives it through the real dynamic-provider server
 * in a separate plain `node` process (see ../../support/dynamic-provider-host), against two real throwaway
 * PostgreSQL clusters: one plays Heroku (a non-superuser owner role), one the cluster's Postgres
 * (an owner role per database, as TargetDatabase creates).
 */
import * as assert from "assert";
import { Client } from "pg";
import { MARKER_SCHEMA, readImportMarker } from "../../../components/data/engine";
import type { ObjectCounts } from "../../../components/data/engine/types";
import {
  checkImportInputs,
  diffImport,
  postgresImportProvider,
  UNKNOWN,
  type PostgresImportOutputs,
} from "../../../components/data/postgres-import-provider";
import { startPgCluster, type PgCluster } from "../../../scripts/lib/pg-cluster";
import { DynamicProviderHost, providerTextProblems, type Props } from "../../support/dynamic-provider-host";

describe("PostgresImport check and diff (pure)", () => {
  const olds: PostgresImportOutputs = {
    sourceUrl: "postgres://u:old@src.example.com:5432/d1",
    targetUrl: "postgres://owner:old@127.0.0.1:5432/app",
    importId: "imp-1",
    requestedImportId: null,
    tables: 3,
    rows: 10,
    bytes: 100,
    durationMs: 5,
    verification: [],
    sourceServerVersion: "15.8",
    fingerprint: "f",
    sourceIdentity: { host: "src.example.com", port: 5432, database: "d1" },
    targetIdentity: { host: "127.0.0.1", port: 5432, database: "app" },
    // Not read by diff; the engine owns its shape.
    objectCounts: {} as ObjectCounts,
    resumed: false,
    completedAt: "2026-01-01T00:00:00Z",
    markerStatus: "complete",
  };
  const same = { sourceUrl: olds.sourceUrl, targetUrl: olds.targetUrl };

  it("the same inputs, or other jobs and filters, are no change", () => {
    assert.deepStrictEqual(diffImport(olds, same), { changes: false });
    assert.deepStrictEqual(diffImport(olds, { ...same, jobs: 8, excludeTables: ["big"] }), {
      changes: false,
    });
    assert.deepStrictEqual(diffImport(olds, { ...same, importId: "imp-1" }), { changes: false });
  });

  it("unknown values during preview are a change, never a replacement", () => {
    assert.deepStrictEqual(diffImport(olds, { ...same, sourceUrl: UNKNOWN }), { changes: true });
    assert.deepStrictEqual(diffImport(olds, { ...same, importId: UNKNOWN }), { changes: true });
    assert.deepStrictEqual(checkImportInputs({ sourceUrl: UNKNOWN, targetUrl: UNKNOWN, jobs: UNKNOWN }), []);
  });

  it("dropTargetOnDelete set in state refuses a replacement", () => {
    assert.throws(
      () => diffImport({ ...olds, dropTargetOnDelete: true }, { ...same, importId: "imp-2" }),
      /dropTargetOnDelete is true.*127\.0\.0\.1:5432\/app/,
    );
  });

  it("check reports each bad input by property", () => {
    const failures = checkImportInputs({
      sourceUrl: "postgres://u:hunter22@h/",
      jobs: 0,
      includeTables: ["", "x"],
      importId: "has space",
      dropTargetOnDelete: "yes",
      freeze: { freezeId: "f-1", apps: ["acme-api"], urn: "urn:x" },
    });
    assert.deepStrictEqual(
      failures.map((f) => f.property),
      ["sourceUrl", "targetUrl", "jobs", "includeTables", "importId", "dropTargetOnDelete", "freeze"],
    );
    assert.ok(failures.every((f) => !f.reason.includes("hunter22")));
  });
});

const SOURCE_SQL = `
  CREATE TABLE customers (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, name text, created_at timestamptz DEFAULT now());
  CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers(id),
    amount numeric(12,2) NOT NULL CHECK (amount >= 0), note text);
  CREATE TABLE audit_log (at timestamptz NOT NULL, what text); -- no primary key
  CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 50;
  INSERT INTO customers (email, name) SELECT 'user' || g || '@example.com', CASE WHEN g % 7 = 0 THEN NULL ELSE 'name ' || g END
    FROM generate_series(1, 500) g;
  INSERT INTO orders (customer_id, amount, note) SELECT 1 + g % 500, (g % 10000) / 100.0, CASE WHEN g % 5 = 0 THEN '' END
    FROM generate_series(1, 3000) g;
  INSERT INTO audit_log SELECT now(), 'event ' || g FROM generate_series(1, 200) g;`;
const SOURCE_ROWS = 500 + 3000 + 200;

async function queryOne<T>(url: string, sql: string): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows[0] as T;
  } finally {
    await c.end();
  }
}

/** Row counts of the imported tables plus the newest row version: an import writes new ones. */
const targetState = (url: string) =>
  queryOne<{ customers: string; orders: string; audit: string; newest_xmin: string }>(
    url,
    `SELECT (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM orders) AS orders,
            (SELECT count(*) FROM audit_log) AS audit,
            (SELECT max(xmin::text::bigint) FROM customers) AS newest_xmin`,
  );

/** User tables outside the engine's marker schema, and whether that schema exists. */
const userTables = (url: string) =>
  queryOne<{ n: string; marker: boolean }>(
    url,
    `SELECT count(*) AS n, EXISTS (SELECT FROM pg_namespace WHERE nspname = '${MARKER_SCHEMA}') AS marker
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r','p') AND n.nspname NOT IN ('pg_catalog','information_schema','${MARKER_SCHEMA}')
       AND n.nspname NOT LIKE 'pg_%'`,
  );

describe("PostgresImport provider, serialized, against real clusters", function () {
  this.timeout(300_000);
  let src: PgCluster;
  let tgt: PgCluster;
  let host: DynamicProviderHost;
  const pw = { source: "heroku-pw-1", source2: "heroku-pw-2", owner: "owner-pw-1", owner2: "owner-pw-2" };
  let sourceUrl: (password?: string) => string;
  let targetUrl: (db: string, password?: string) => string;
  let first: { id: string; outs: Props };
  let inputs: Props;

  before(async () => {
    [src, tgt] = await Promise.all([startPgCluster(), startPgCluster()]);
    src.psql(`CREATE ROLE heroku_user LOGIN PASSWORD '${pw.source}'`);
    src.createDatabase("shop", "heroku_user");
    src.psql(`SET ROLE heroku_user; ${SOURCE_SQL}`, "shop");
    tgt.psql(`CREATE ROLE app_owner LOGIN PASSWORD '${pw.owner}'`);
    tgt.createDatabase("app", "app_owner");
    tgt.createDatabase("app2", "app_owner");
    sourceUrl = (p = pw.source) => src.url("shop", "heroku_user", p);
    targetUrl = (db, p = pw.owner) => tgt.url(db, "app_owner", p);
    inputs = { sourceUrl: sourceUrl(), targetUrl: targetUrl("app"), jobs: 2 };
    host = await DynamicProviderHost.serve(postgresImportProvider);
  });

  after(() => {
    host?.stop();
    src?.stop();
    tgt?.stop();
  });

  const secretsIn = (text: string) => Object.values(pw).filter((p) => text.includes(p));

  it("the serialized provider carries no credentials and loads in a plain node process", async () => {
    assert.deepStrictEqual(await providerTextProblems(host, postgresImportProvider, Object.values(pw)), []);
  });

  it("check accepts the inputs; create imports, verifies and reports progress without secrets", async () => {
    const checked = await host.check({}, inputs);
    assert.deepStrictEqual(checked.failures, []);
    first = await host.create(checked.inputs);
    const o = first.outs;
    assert.strictEqual(first.id, o.importId);
    assert.strictEqual(o.rows, SOURCE_ROWS);
    assert.strictEqual(o.tables, 3);
    assert.deepStrictEqual(o.sourceIdentity, { host: "127.0.0.1", port: src.port, database: "shop" });
    assert.deepStrictEqual(o.targetIdentity, { host: "127.0.0.1", port: tgt.port, database: "app" });
    assert.strictEqual(o.markerStatus, "complete");
    const verification = o.verification as { table: string; rows: number; equal: boolean }[];
    assert.deepStrictEqual(
      // Table naming (quoted or not) is the engine's; compare the plain names.
      verification.map((v) => [v.table.replace(/"/g, ""), v.rows, v.equal]).sort(),
      [
        ["public.audit_log", 200, true],
        ["public.customers", 500, true],
        ["public.orders", 3000, true],
      ],
    );
    assert.match(String(o.fingerprint), /^[0-9a-f]{16,}$/);
    assert.match(String(o.sourceServerVersion), /^15\./);
    const { sourceUrl: _s, targetUrl: _t, ...publicOuts } = o;
    assert.deepStrictEqual(secretsIn(JSON.stringify(publicOuts)), []);
    assert.match(
      host.stderr,
      /\[PostgresImport 127\.0\.0\.1:\d+\/shop -> 127\.0\.0\.1:\d+\/app\] .*tables \d+\/3/,
    );
    assert.deepStrictEqual(secretsIn(host.stderr), []);
    const state = await targetState(targetUrl("app"));
    assert.deepStrictEqual([state.customers, state.orders, state.audit], ["500", "3000", "200"]);
  });

  it("a second up does nothing (diff: no changes)", async () => {
    const checked = await host.check(first.outs, inputs);
    assert.deepStrictEqual(await host.diff(first.id, first.outs, checked.inputs), {
      changes: "none",
      replaces: [],
      deleteBeforeReplace: false,
    });
    // Nor do jobs or filters changed after the import.
    const d = await host.diff(first.id, first.outs, { ...inputs, jobs: 1, excludeTables: ["audit_log"] });
    assert.strictEqual(d.changes, "none");
  });

  it("with the state lost (e.g. `pulumi state delete`), create adopts the completed import and copies nothing", async () => {
    const before = await targetState(targetUrl("app"));
    const again = await host.create(inputs);
    assert.strictEqual(again.id, first.id);
    assert.strictEqual(again.outs.fingerprint, first.outs.fingerprint);
    assert.strictEqual(again.outs.rows, SOURCE_ROWS);
    assert.deepStrictEqual(await targetState(targetUrl("app")), before);
  });

  it("rotating both passwords updates state in place and copies nothing", async () => {
    src.psql(`ALTER ROLE heroku_user PASSWORD '${pw.source2}'`);
    tgt.psql(`ALTER ROLE app_owner PASSWORD '${pw.owner2}'`);
    src.psql("INSERT INTO audit_log VALUES (now(), 'after the import')", "shop");
    const before = await targetState(targetUrl("app", pw.owner2));
    const news = { ...inputs, sourceUrl: sourceUrl(pw.source2), targetUrl: targetUrl("app", pw.owner2) };
    const d = await host.diff(first.id, first.outs, news);
    assert.deepStrictEqual(d, { changes: "some", replaces: [], deleteBeforeReplace: false });
    first = await host.updateInPlace(first, news, ["sourceUrl", "targetUrl"]);
    inputs = news;
    assert.deepStrictEqual(await targetState(targetUrl("app", pw.owner2)), before);
  });

  it("refresh (read) keeps the import, even when the target cannot be reached, so up never re-imports", async () => {
    const read = await host.read(first.id, first.outs);
    assert.strictEqual(read.id, first.id);
    assert.strictEqual(read.props.markerStatus, "complete");
    assert.strictEqual((await host.diff(read.id, read.props, inputs)).changes, "none");

    const stale = { ...first.outs, targetUrl: targetUrl("app", "wrong-password") };
    const unreachable = await host.read(first.id, stale);
    assert.strictEqual(unreachable.id, first.id);
    assert.strictEqual(unreachable.props.markerStatus, "unreachable");
    assert.strictEqual(unreachable.props.rows, first.outs.rows);
    assert.ok(!host.stderr.includes("wrong-password"));
    // State holding stale credentials: the next up only writes the current ones back, no import.
    assert.deepStrictEqual(await host.diff(unreachable.id, unreachable.props, inputs), {
      changes: "some",
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("a new source or target identity or importId is a create-before-delete replacement", async () => {
    const replace = (replaces: string[]) => ({ changes: "some", replaces, deleteBeforeReplace: false });
    assert.deepStrictEqual(
      await host.diff(first.id, first.outs, { ...inputs, targetUrl: targetUrl("app2", pw.owner2) }),
      replace(["targetUrl"]),
    );
    assert.deepStrictEqual(
      await host.diff(first.id, first.outs, {
        ...inputs,
        sourceUrl: sourceUrl(pw.source2).replace("127.0.0.1", "localhost"),
      }),
      replace(["sourceUrl"]),
    );
    assert.deepStrictEqual(
      await host.diff(first.id, first.outs, { ...inputs, importId: "second-import" }),
      replace(["importId"]),
    );
    assert.strictEqual(
      (await host.diff(first.id, first.outs, { ...inputs, importId: first.id as string })).changes,
      "none",
    );
  });

  it("replacing the target imports into the new one, then deleting the old import keeps its data", async () => {
    const news = { ...inputs, targetUrl: targetUrl("app2", pw.owner2) };
    const second = await host.create((await host.check(first.outs, news)).inputs);
    assert.strictEqual(second.outs.rows, SOURCE_ROWS + 1); // the row added after the first import
    await host.delete(first.id, first.outs);
    const kept = await targetState(targetUrl("app", pw.owner2));
    assert.deepStrictEqual([kept.customers, kept.orders, kept.audit], ["500", "3000", "200"]);
    assert.match(host.stderr, /forgotten; the data in 127\.0\.0\.1:\d+\/app is kept/);
    first = second;
    inputs = news;
  });

  it("a non-empty target is refused with an error naming what is there, without secrets", async () => {
    const news = { ...inputs, targetUrl: targetUrl("app", pw.owner2), importId: "third-import" };
    await assert.rejects(host.create(news), (e: Error) => {
      assert.match(e.message, /PostgresImport .*\/shop -> .*\/app failed/);
      assert.match(
        e.message,
        /holds import [0-9a-f-]+ \(complete\); a new importId \(third-import\) needs an empty target/,
      );
      assert.deepStrictEqual(secretsIn(e.message), []);
      return true;
    });
  });

  it("a create killed mid-copy is resumed by the next create, with no duplicated rows", async () => {
    src.createDatabase("big", "heroku_user");
    src.psql(
      `SET ROLE heroku_user;
       CREATE TABLE events (id bigserial PRIMARY KEY, body text NOT NULL);
       INSERT INTO events (body) SELECT repeat(md5(g::text), 6) FROM generate_series(1, 300000) g;
       CREATE TABLE events_copy AS SELECT * FROM events;`,
      "big",
    );
    tgt.createDatabase("app3", "app_owner");
    const news = {
      sourceUrl: src.url("big", "heroku_user", pw.source2),
      targetUrl: targetUrl("app3", pw.owner2),
      jobs: 1,
    };
    const doomed = await host.startAnother();
    const attempt = doomed.create(news).catch((e: Error) => e);
    await doomed.waitForStderr(/\] data \| tables 0\/2/);
    doomed.kill();
    assert.ok((await attempt) instanceof Error, "the killed create must fail");
    const marker = await readImportMarker({ url: targetUrl("app3", pw.owner2) });
    assert.ok(marker, "the killed import left its marker");
    assert.strictEqual(marker.completedAt, null, "a partial copy must not look complete");

    const resumed = await host.create(news);
    assert.strictEqual(resumed.outs.resumed, true);
    assert.strictEqual(resumed.outs.rows, 600000);
    const counts = await queryOne<{ a: string; b: string; d: string }>(
      targetUrl("app3", pw.owner2),
      "SELECT (SELECT count(*) FROM events) AS a, (SELECT count(*) FROM events_copy) AS b, " +
        "(SELECT count(*) - count(DISTINCT id) FROM events_copy) AS d",
    );
    assert.deepStrictEqual(counts, { a: "300000", b: "300000", d: "0" });
  });

  it("imports into a target laid out as TargetDatabase makes it (heroku_ext schema, extensions made by the admin)", async () => {
    src.createDatabase("ext", "heroku_user");
    src.psql(
      "CREATE SCHEMA heroku_ext; GRANT USAGE ON SCHEMA heroku_ext TO PUBLIC; " +
        "CREATE EXTENSION citext SCHEMA heroku_ext; CREATE EXTENSION hstore SCHEMA heroku_ext;",
      "ext",
    );
    src.psql(
      `SET ROLE heroku_user;
       CREATE TABLE users (id int PRIMARY KEY, email heroku_ext.citext UNIQUE, attrs heroku_ext.hstore);
       INSERT INTO users SELECT g, 'User' || g || '@Example.com', heroku_ext.hstore('k', g::text) FROM generate_series(1, 50) g;`,
      "ext",
    );
    tgt.createDatabase("app4", "app_owner");
    // What TargetDatabase renders: the schema owned by the owner role, extensions created by the admin.
    tgt.psql(
      "CREATE SCHEMA heroku_ext AUTHORIZATION app_owner; CREATE EXTENSION citext SCHEMA heroku_ext; " +
        "CREATE EXTENSION hstore SCHEMA heroku_ext;",
      "app4",
    );
    const r = await host.create({
      sourceUrl: src.url("ext", "heroku_user", pw.source2),
      targetUrl: targetUrl("app4", pw.owner2),
    });
    assert.strictEqual(r.outs.rows, 50);
    const row = await queryOne<{ n: string }>(
      targetUrl("app4", pw.owner2),
      "SELECT count(*) AS n FROM users WHERE email OPERATOR(heroku_ext.=) 'user7@example.com'::heroku_ext.citext " +
        "AND attrs OPERATOR(heroku_ext.->) 'k'::text = '7'",
    );
    assert.strictEqual(row.n, "1");
  });

  it("dropTargetOnDelete: an in-place update, blocks replacements, and delete drops the import's objects", async () => {
    const news = { ...inputs, dropTargetOnDelete: true };
    const d = await host.diff(first.id, first.outs, news);
    assert.deepStrictEqual(d, { changes: "some", replaces: [], deleteBeforeReplace: false });
    const outs = await host.update(first.id, first.outs, news);
    assert.strictEqual(outs.dropTargetOnDelete, true);
    await assert.rejects(
      host.diff(first.id, outs, { ...news, importId: "another" }),
      /dropTargetOnDelete is true, so removing the old import would drop the data in 127\.0\.0\.1:\d+\/app2/,
    );
    assert.deepStrictEqual(await userTables(targetUrl("app2", pw.owner2)), { n: "3", marker: true });
    await host.delete(first.id, outs);
    assert.deepStrictEqual(await userTables(targetUrl("app2", pw.owner2)), { n: "0", marker: false });
    // The first target was never touched.
    assert.deepStrictEqual(await userTables(targetUrl("app", pw.owner2)), { n: "3", marker: true });
  });
});
