import { strict as assert } from "assert";
import { ImportError, importDatabase, verifyDatabases } from "../../../components/data/engine";
import { unitsByTable } from "../../../components/data/engine/verify";
import { engineFixture, EngineFixture, query } from "../../support/postgres/clusters";

describe("copy engine: verifyDatabases (real PostgreSQL)", function () {
  this.timeout(120000);
  let fx: EngineFixture;
  let url: string;
  before(async () => {
    fx = await engineFixture();
    url = fx.newTarget("verify");
    await importDatabase({ source: { url: fx.sourceUrl }, target: { url }, jobs: 2 });
  });

  it("finds an imported target equal, with the same fingerprint each time", async () => {
    const a = await verifyDatabases({ url: fx.sourceUrl }, { url }, { jobs: 2 });
    const b = await verifyDatabases({ url: fx.sourceUrl }, { url }, { jobs: 1 });
    assert.ok(a.equal, a.differences.join("\n"));
    assert.equal(a.fingerprint, b.fingerprint);
    assert.deepEqual(a.sourceCounts, a.targetCounts);
  });

  it("catches one changed value and names the table", async () => {
    await query(url, `UPDATE "Sales Dept"."Order Lines" SET "Ünïcödé" = 'changed' WHERE "Line ID" = 7`);
    try {
      const r = await verifyDatabases({ url: fx.sourceUrl }, { url });
      assert.equal(r.equal, false);
      assert.deepEqual(r.differences, [
        `table "Sales Dept"."Order Lines": same row count (50) but different content (checksum ${r.tables.find((t) => !t.equal)!.sourceChecksum} vs ${r.tables.find((t) => !t.equal)!.targetChecksum})`,
      ]);
    } finally {
      await query(url, `UPDATE "Sales Dept"."Order Lines" SET "Ünïcödé" = NULL WHERE "Line ID" = 7`);
    }
  });

  it("catches a value that differs only in a type's text details (jsonb key, interval, timestamptz)", async () => {
    await query(
      url,
      "UPDATE public.invoices SET due_in = due_in + interval '1 microsecond' WHERE invoice_no = (SELECT min(invoice_no) FROM public.invoices)",
    );
    try {
      const r = await verifyDatabases({ url: fx.sourceUrl }, { url });
      assert.deepEqual(
        r.tables.filter((t) => !t.equal).map((t) => t.table),
        ["public.invoices"],
      );
    } finally {
      await query(
        url,
        "UPDATE public.invoices SET due_in = due_in - interval '1 microsecond' WHERE invoice_no = (SELECT min(invoice_no) FROM public.invoices)",
      );
    }
  });

  it("catches a duplicated row in a table without a primary key", async () => {
    await query(url, "INSERT INTO public.audit_log SELECT * FROM public.audit_log LIMIT 1");
    try {
      const r = await verifyDatabases({ url: fx.sourceUrl }, { url });
      assert.ok(
        r.differences.includes("table public.audit_log: 200 rows in the source, 201 in the target"),
        r.differences.join("\n"),
      );
    } finally {
      await query(url, "DELETE FROM public.audit_log WHERE ctid = (SELECT max(ctid) FROM public.audit_log)");
    }
  });

  it("catches a missing index, constraint and trigger, and a sequence behind, by name", async () => {
    await query(
      url,
      "DROP INDEX public.customers_lower_name; ALTER TABLE public.players DROP CONSTRAINT players_team_id_fkey; DROP TRIGGER invoices_touch ON public.invoices; SELECT setval('public.invoice_no_seq', 5)",
    );
    const r = await verifyDatabases({ url: fx.sourceUrl }, { url });
    assert.equal(r.equal, false);
    const text = r.differences.join("\n");
    assert.match(text, /indexes missing or different in the target: CREATE INDEX customers_lower_name/);
    assert.match(
      text,
      /constraints missing or different in the target: public\.players players_team_id_fkey FOREIGN KEY/,
    );
    assert.match(text, /triggers missing or different in the target: CREATE TRIGGER invoices_touch/);
    assert.match(text, /sequence public\.invoice_no_seq: 20000 in the source, 5 in the target/);
    assert.equal(r.targetCounts.indexes, r.sourceCounts.indexes - 1);
  });

  it("refuses up front a target table whose rows it cannot all read (FORCE ROW LEVEL SECURITY for its owner), naming it, not as missing", async () => {
    fx.target.psql(
      "DO $$ BEGIN CREATE ROLE h2h_verify_owner LOGIN PASSWORD 'verify-owner-pw'; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
    );
    const db = `verify_rls_${process.pid}`;
    fx.target.createDatabase(db, "h2h_verify_owner");
    const owner = fx.target.url(db, "h2h_verify_owner", "verify-owner-pw");
    await query(
      owner,
      "CREATE TABLE public.big_events (id int); ALTER TABLE public.big_events ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY",
    );
    await assert.rejects(
      verifyDatabases({ url: fx.sourceUrl }, { url: owner }, { jobs: 1 }),
      (e: unknown) =>
        e instanceof ImportError &&
        e.code === "privileges" &&
        /target user cannot read everything in scope, so only part of their rows could be compared/.test(
          e.message,
        ) &&
        /public\.big_events: FORCE ROW LEVEL SECURITY applies its policies to the table's owner too/.test(
          e.message,
        ) &&
        /What works: connect as a role with BYPASSRLS, or as a superuser/.test(e.message) &&
        !/missing/.test(e.message),
    );
  });
});

describe("copy engine: grouping the marker's data units by table (pure)", () => {
  it("finds each unit's table, whole or by ctid range, even when a quoted name holds a #", () => {
    const tables = ['public."a"', 'public."a#b"', "public.c"];
    const done = new Map<string, number>([
      ['data:public."a"', 1],
      ['data:public."a#b"#0-10', 2],
      ['data:public."a#b"#10-20', 3],
      ["data:public.c#0-5", 4],
      ["data:public.gone#0-5", 5],
      ['index:public."a"', 6],
    ]);
    const grouped = unitsByTable(tables, done);
    assert.deepEqual([...grouped.keys()].sort(), ['public."a"', 'public."a#b"', "public.c"]);
    assert.deepEqual(
      grouped.get('public."a#b"')!.map(([, u]) => u),
      [2, 3],
    );
    assert.deepEqual(
      grouped.get('public."a"')!.map(([, u]) => u),
      [1],
    );
    assert.deepEqual(
      grouped.get("public.c")!.map(([, u]) => u),
      [4],
    );
  });
});
