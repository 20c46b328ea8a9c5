import { strict as assert } from "assert";
import { Client } from "pg";
import { importDatabase, readImportMarker } from "../../components/data/engine";
import { compareReadings } from "../../components/data/engine/source-activity";
import { ImportError, ImportOptions, ImportProgress } from "../../components/data/engine/types";
import { engineFixture, EngineFixture, query } from "../support/postgres/clusters";

const SOURCE_SQL = `
  CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric NOT NULL);
  INSERT INTO accounts SELECT g, 'owner ' || g, g * 10 FROM generate_series(1, 20000) g;
  CREATE TABLE orders (id bigserial PRIMARY KEY, account int REFERENCES accounts, total numeric);
  INSERT INTO orders (account, total) SELECT 1 + g % 20000, g FROM generate_series(1, 30000) g;
  CREATE TABLE audit (at timestamptz DEFAULT now(), what text);
  INSERT INTO audit (what) SELECT 'seed ' || g FROM generate_series(1, 100) g;`;

/** Runs `sql` on its own connection once the import is past its snapshot (first data-phase event). */
function writeAfterSnapshot(
  url: string,
  sql: string,
): {
  onProgress: (p: ImportProgress) => void;
  done: () => Promise<void>;
} {
  let started: Promise<void> | undefined;
  return {
    onProgress(p) {
      if (p.phase !== "data" || started) return;
      started = (async () => {
        const c = new Client({ connectionString: url.replace("sslmode=require", "sslmode=no-verify") });
        await c.connect();
        try {
          await c.query(sql);
        } finally {
          await c.end();
        }
      })();
    },
    async done() {
      assert.ok(started, "the write was started after the snapshot");
      await started;
    },
  };
}

describe("source activity: proof the source was quiet during the import (real PostgreSQL)", function () {
  this.timeout(180_000);
  let fx: EngineFixture;
  let n = 0;

  /** A fresh source database with the test tables, and an empty target. */
  async function pair(): Promise<{ source: string; target: string }> {
    fx ??= await engineFixture();
    const db = `activity_${process.pid}_${++n}`;
    fx.source.createDatabase(db);
    fx.source.psql(SOURCE_SQL, db);
    return { source: fx.source.url(db), target: fx.newTarget("activity") };
  }

  const run = (
    o: Omit<Partial<ImportOptions>, "source" | "target"> & { source: string; target: string },
    logs: string[] = [],
  ) =>
    importDatabase({
      ...o,
      source: { url: o.source },
      target: { url: o.target },
      jobs: 2,
      log: (l) => logs.push(l),
    });

  it("a quiet source: the result carries the evidence (no write, tables watched, commit counter)", async () => {
    const p = await pair();
    const logs: string[] = [];
    const r = await run(p, logs);
    const a = r.sourceActivity;
    assert.ok(a, "evidence recorded");
    assert.equal(a.frozen, false);
    assert.deepEqual(a.changed, []);
    assert.deepEqual(a.sequencesAdvanced, []);
    assert.equal(a.tablesWatched, 3);
    assert.deepEqual(a.gaps, []);
    assert.ok(a.commits !== null && a.commits >= 1, "the commit counter moved (read-only commits count)");
    assert.ok(Date.parse(a.since) <= Date.parse(a.until));
    assert.ok(
      logs.some((l) => /^source quiet: no write to the 3 table\(s\)/.test(l)),
      logs.join("\n"),
    );
    // Kept in the completed marker's result, so a re-run returns it too.
    const marker = await readImportMarker({ url: p.target });
    assert.deepEqual(marker?.result?.sourceActivity?.changed, []);
  });

  it("without a freeze, inserts during the copy make the import 'not final', naming the tables: not a verification failure", async () => {
    const p = await pair();
    const w = writeAfterSnapshot(
      p.source,
      "INSERT INTO orders (account, total) VALUES (1, 1), (2, 2), (3, 3); INSERT INTO audit (what) VALUES ('x')",
    );
    const e = await run({ ...p, onProgress: w.onProgress }).then(
      () => assert.fail("the import must not succeed"),
      (err: unknown) => err as ImportError,
    );
    await w.done();
    assert.ok(e instanceof ImportError, String(e));
    assert.equal(e.code, "source-changed");
    assert.match(
      e.message,
      /^not final: 2 table\(s\) changed and 1 sequence\(s\) advanced on the source during the copy/,
    );
    assert.match(e.message, /public\.orders \(3 inserted\)/);
    assert.match(e.message, /public\.audit \(1 inserted\)/);
    assert.match(e.message, /sequence public\.orders_id_seq advanced from 30000 to 30003/);
    assert.match(e.message, /set cutover\.freeze: true/);
    // Verification compares the target with the import's snapshot, which the copy matches: the
    // writes after it are this evidence's alone to report.
    assert.match(e.message, /Verification happened to find the target equal/);
    assert.doesNotMatch(e.message, /^verification failed/);
    assert.equal((await readImportMarker({ url: p.target }))?.completedAt, null, "never marked complete");
  });

  it("an UPDATE that keeps every row count (and even the content) equal is still caught", async () => {
    const p = await pair();
    const rows = await query<{ n: string }>(p.source, "SELECT count(*) AS n FROM accounts");
    // Same value written back: counts and checksums stay equal, only the write counter moves.
    const w = writeAfterSnapshot(p.source, "UPDATE accounts SET balance = balance WHERE id <= 5");
    const e = await run({ ...p, onProgress: w.onProgress }).then(
      () => assert.fail("the import must not succeed"),
      (err: unknown) => err as ImportError,
    );
    await w.done();
    assert.equal(e.code, "source-changed");
    assert.match(e.message, /not final: 1 table\(s\) changed/);
    assert.match(e.message, /public\.accounts \(5 updated\)/);
    assert.match(e.message, /Verification happened to find the target equal/);
    const after = await query<{ n: string }>(p.source, "SELECT count(*) AS n FROM accounts");
    assert.deepEqual(after, rows);
  });

  it("a TRUNCATE (which counts no row) shows as a rewritten table", async () => {
    const p = await pair();
    const w = writeAfterSnapshot(p.source, "TRUNCATE audit");
    const e = await run({ ...p, onProgress: w.onProgress }).then(
      () => assert.fail("the import must not succeed"),
      (err: unknown) => err as ImportError,
    );
    await w.done();
    assert.equal(e.code, "source-changed");
    assert.match(e.message, /public\.audit \(rewritten or dropped \(TRUNCATE/);
  });

  it("under a freeze, a write fails the import as a breached freeze, naming the table", async () => {
    const p = await pair();
    const w = writeAfterSnapshot(p.source, "UPDATE accounts SET owner = 'changed' WHERE id = 7");
    const e = await run({ ...p, onProgress: w.onProgress, sourceActivity: { frozen: true } }).then(
      () => assert.fail("the import must not succeed"),
      (err: unknown) => err as ImportError,
    );
    await w.done();
    assert.equal(e.code, "source-changed");
    assert.match(e.message, /^the source was written to during the frozen import: 1 table\(s\) changed/);
    assert.match(e.message, /public\.accounts \(1 updated\)/);
    assert.match(e.message, /npm run cutover -- rollback/);
  });

  it("a write to a table whose rows are not copied: reported, and fatal only under a freeze", async () => {
    const quiet = await pair();
    const logs: string[] = [];
    const w = writeAfterSnapshot(quiet.source, "INSERT INTO audit (what) VALUES ('not copied')");
    const r = await run({ ...quiet, excludeTables: ["audit"], onProgress: w.onProgress }, logs);
    await w.done();
    assert.deepEqual(
      r.sourceActivity?.changed.map((t) => [t.table, t.inScope, t.inserted]),
      [["public.audit", false, 1]],
    );
    assert.ok(
      logs.some((l) => /writes outside the import's scope: public\.audit \(1 inserted; not copied/.test(l)),
    );

    const frozen = await pair();
    const w2 = writeAfterSnapshot(frozen.source, "INSERT INTO audit (what) VALUES ('not copied')");
    const e = await run({
      ...frozen,
      excludeTables: ["audit"],
      onProgress: w2.onProgress,
      sourceActivity: { frozen: true },
    }).then(
      () => assert.fail("the import must not succeed"),
      (err: unknown) => err as ImportError,
    );
    await w2.done();
    assert.equal(e.code, "source-changed");
    assert.match(e.message, /public\.audit \(1 inserted; not copied by this import\)/);
  });
});

describe("source activity: comparing two readings (pure)", () => {
  const reading = (over: Partial<Parameters<typeof compareReadings>[0]> = {}) => ({
    takenAt: "2026-12-05T10:00:00.000Z",
    systemIdentifier: "7400000000000000001",
    statsReset: null,
    trackCounts: true,
    xactCommit: 100,
    xidHorizon: "5000",
    tables: { "public.t": { oid: 1, ins: 10, upd: 0, del: 0, node: "16384" } },
    sequences: {},
    ...over,
  });

  it("names counters that went backwards, a statistics reset, another server and track_counts off as gaps", () => {
    const r = compareReadings(
      reading(),
      reading({
        systemIdentifier: "7400000000000000002",
        statsReset: "2026-12-05 10:01:00+00",
        trackCounts: false,
        tables: { "public.t": { oid: 1, ins: 0, upd: 0, del: 0, node: "16384" } },
      }),
      new Set(["public.t"]),
      true,
    );
    assert.deepEqual(r.changed, []);
    assert.equal(r.gaps.length, 4, r.gaps.join("\n"));
    assert.match(r.gaps.join("\n"), /track_counts off/);
    assert.match(r.gaps.join("\n"), /another server/);
    assert.match(r.gaps.join("\n"), /statistics were reset/);
    assert.match(r.gaps.join("\n"), /public\.t went backwards/);
  });

  it("counts a table created or dropped during the import, and the transaction horizon", () => {
    const r = compareReadings(
      reading(),
      reading({
        xidHorizon: "5007",
        tables: { "public.u": { oid: 2, ins: 4, upd: 0, del: 0, node: "16390" } },
      }),
      new Set(["public.t"]),
      false,
    );
    assert.deepEqual(
      r.changed.map((t) => [t.table, t.inScope, t.created, t.rewritten, t.inserted]),
      [
        ["public.t", true, false, true, 0],
        ["public.u", false, true, false, 4],
      ],
    );
    assert.equal(r.writeTransactions, 7);
  });
});
