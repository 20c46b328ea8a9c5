/** COPY forwarded at the protocol level, and the row checksum (real PostgreSQL). */
import { strict as assert } from "assert";
import type { Client } from "pg";
import { connect } from "../../../components/data/engine/connection";
import {
  checksumCopy,
  copyBetween,
  CopyEndError,
  RowChecksum,
} from "../../../components/data/engine/copy-protocol";
import { addRows, hashRowReference } from "../../../components/data/engine/row-hash";
import { engineFixture, EngineFixture } from "../../support/postgres/clusters";

const rows = (...lines: string[]) => lines.map((l) => Buffer.from(l + "\n"));

describe("copy engine: row checksum", () => {
  it("the WebAssembly row hash equals its JavaScript reference for every tail length, and walks CopyData messages", () => {
    let seed = 12345;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) & 0xff;
    const rowsOf: Buffer[] = [];
    for (let len = 0; len < 70; len++) rowsOf.push(Buffer.from(Array.from({ length: len }, rnd)));
    rowsOf.push(Buffer.alloc(100000, 7), Buffer.from([0xff, 0xff]));
    let expected = 0n;
    for (const r of rowsOf) {
      const one = new RowChecksum();
      one.add(r, 0, r.length);
      assert.equal(one.sum, hashRowReference(r, 0, r.length), `row of ${r.length} bytes`);
      expected = BigInt.asUintN(64, expected + one.sum);
    }
    // The same rows as CopyData messages, then a CommandComplete: the walk stops there.
    const msgs = rowsOf.map((r) => {
      const head = Buffer.alloc(5);
      head[0] = 0x64;
      head.writeUInt32BE(r.length + 4, 1);
      return Buffer.concat([head, r]);
    });
    const stream = Buffer.concat([Buffer.from("xyz"), ...msgs, Buffer.from([0x43, 0, 0, 0, 4])]);
    const acc = { sum: 0n, rows: 0 };
    const stop = addRows(acc, stream, 3, stream.length, false);
    assert.deepEqual([acc.rows, acc.sum, stream[stop]], [rowsOf.length, expected, 0x43]);
    // In binary mode a payload of 0xFFFF is the trailer, not a row.
    const bin = { sum: 0n, rows: 0 };
    addRows(bin, stream, 3, stream.length, true);
    assert.equal(bin.rows, rowsOf.length - 1);
    // A message cut short is left for the next read.
    const cut = { sum: 0n, rows: 0 };
    assert.equal(
      addRows(cut, stream, 3, 3 + msgs[0].length + msgs[1].length + 4, false),
      3 + msgs[0].length + msgs[1].length,
    );
    assert.equal(cut.rows, 2);
  });

  it("is order independent, adds up over parts, and changes with any byte, row or duplicate", () => {
    const sum = (bufs: Buffer[]) => {
      const c = new RowChecksum();
      for (const b of bufs) c.add(b, 0, b.length);
      return c;
    };
    const a = sum(rows("1\tx", "2\ty", "3\tz"));
    assert.equal(sum(rows("3\tz", "1\tx", "2\ty")).hex, a.hex);
    const part = sum(rows("1\tx"));
    part.merge(sum(rows("2\ty", "3\tz")));
    assert.deepEqual([part.hex, part.rows], [a.hex, 3]);
    assert.match(a.hex, /^[0-9a-f]{16}$/);
    for (const other of [
      rows("1\tx", "2\ty", "3\tZ"),
      rows("1\tx", "2\ty"),
      rows("1\tx", "2\ty", "3\tz", "3\tz"),
      rows("1\tx", "2\ty", "3\tz", ""),
      // Values swapped between rows: same bytes overall, other rows.
      rows("1\ty", "2\tx", "3\tz"),
    ])
      assert.notEqual(sum(other).hex, a.hex);
    const back = RowChecksum.fromHex(a.hex, a.rows);
    assert.deepEqual([back.hex, back.rows], [a.hex, 3]);
  });
});

describe("copy engine: COPY forwarded between servers (real PostgreSQL)", function () {
  this.timeout(120000);
  let fx: EngineFixture;
  let src: Client;
  let tgt: Client;
  before(async () => {
    fx = await engineFixture();
    src = await connect({ url: fx.sourceUrl }, "source");
    tgt = await connect({ url: fx.newTarget("proto") }, "target");
    // Values larger than a socket read (64 KiB), NULLs, escapes and non-ASCII text.
    await tgt.query(`CREATE TABLE wide (id int, t text, b bytea, n numeric, ts timestamptz, arr int[]);
      CREATE TABLE guarded (id int CHECK (id < 500))`);
  });
  after(async () => {
    await src?.end();
    await tgt?.end();
  });

  const wideSelect = `SELECT g AS id,
      CASE WHEN g % 7 = 0 THEN NULL WHEN g % 50 = 0 THEN repeat('ü' || g, 60000) ELSE E'line\\ttab\\\\ ' || g END AS t,
      CASE WHEN g % 3 = 0 THEN NULL ELSE decode(md5(g::text), 'hex') END AS b,
      g / 7.0 AS n, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' AS ts, ARRAY[g, NULL, -g] AS arr
    FROM generate_series(1, 2000) g`;

  for (const binary of [false, true]) {
    it(`${binary ? "binary" : "text"}: forwards every row unchanged (large values split across reads), the source checksum equals the target's read back, both sessions stay usable`, async () => {
      const fmt = binary ? " (FORMAT binary)" : "";
      await tgt.query("BEGIN; TRUNCATE wide");
      const checksum = new RowChecksum();
      let chunks = 0;
      const r = await copyBetween(
        src,
        tgt,
        `COPY (${wideSelect}) TO STDOUT${fmt}`,
        `COPY wide FROM STDIN${fmt}`,
        {
          binary,
          checksum,
          onChunk: () => chunks++,
        },
      );
      assert.deepEqual([r.rows, r.targetRows, checksum.rows], [2000, 2000, 2000]);
      assert.ok(r.bytes > 40 * 120000 && chunks > 10, `${r.bytes} bytes in ${chunks} chunks`);
      const back = await checksumCopy(tgt, `COPY wide TO STDOUT${fmt}`, binary);
      assert.deepEqual([back.rows, back.hex], [2000, checksum.hex]);
      const [same] = (
        await tgt.query(
          `SELECT count(*)::int AS n FROM wide w JOIN (${wideSelect}) s ON s.id = w.id
            WHERE s.t IS NOT DISTINCT FROM w.t AND s.b IS NOT DISTINCT FROM w.b AND s.n = w.n AND s.ts = w.ts AND s.arr = w.arr`,
        )
      ).rows;
      assert.equal(same.n, 2000);
      await tgt.query("COMMIT");
      assert.equal((await src.query("SELECT 41 + 1 AS x")).rows[0].x, 42);
    });
  }

  it("an empty table: no rows, binary header and trailer alone", async () => {
    for (const fmt of ["", " (FORMAT binary)"]) {
      const c = await checksumCopy(tgt, `COPY (SELECT 1 AS x WHERE false) TO STDOUT${fmt}`, fmt !== "");
      assert.deepEqual([c.rows, c.hex], [0, "0000000000000000"]);
    }
  });

  it("the source failing mid-stream is reported as the source's error, and the target's COPY is aborted", async () => {
    await tgt.query("BEGIN");
    await assert.rejects(
      copyBetween(
        src,
        tgt,
        "COPY (SELECT 1 / (g - 1500) FROM generate_series(1, 3000) g) TO STDOUT",
        "COPY guarded FROM STDIN",
        { binary: false, checksum: new RowChecksum() },
      ),
      (e: unknown) => e instanceof CopyEndError && e.side === "source" && /division by zero/.test(e.message),
    );
    await tgt.query("ROLLBACK");
    assert.equal((await tgt.query("SELECT count(*)::int AS n FROM guarded")).rows[0].n, 0);
    assert.equal((await src.query("SELECT 1 AS x")).rows[0].x, 1);
  });

  it("the target refusing a row mid-stream is reported as the target's error", async () => {
    const s = await connect({ url: fx.sourceUrl }, "source");
    try {
      await tgt.query("BEGIN");
      await assert.rejects(
        copyBetween(
          s,
          tgt,
          "COPY (SELECT g FROM generate_series(1, 200000) g) TO STDOUT",
          "COPY guarded FROM STDIN",
          {
            binary: false,
            checksum: new RowChecksum(),
          },
        ),
        (e: unknown) =>
          e instanceof CopyEndError && e.side === "target" && /guarded_id_check/.test(e.message),
      );
      await tgt.query("ROLLBACK");
    } finally {
      // Mid-COPY on the source side: the engine drops such a connection.
      (s as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      await s.end().catch(() => undefined);
    }
  });
});
