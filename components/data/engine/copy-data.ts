/**
 * Units of work of the data phase, and copying them: every table's rows streamed source → target
 * with COPY (see ./copy-protocol), all read from one exported snapshot, each row hashed on the
 * way (the source side of verification, with no second read of the source).
 *
 * Each unit commits in one target transaction together with its rows in the marker's
 * `import_done` table, so after any crash a unit is either fully there and recorded, or absent.
 * A whole table is read back in the same transaction into the target side of its checksum while
 * its pages are hot; a large one is TRUNCATEd first, so `COPY … FREEZE` writes its rows frozen.
 */
import type { Client } from "pg";
import { TableInfo } from "./catalog";
import { quoteLiteral } from "./connection";
import { checksumCopy, copyBetween, CopyEndError, RowChecksum } from "./copy-protocol";
import { MARKER_SCHEMA } from "./marker";

/** A unit of work: a whole table, or one ctid range of a split table. */
export interface CopyTask {
  /** The marker item: `data:<qualified>` or `data:<qualified>#<fromBlock>-<toBlock|>`. */
  key: string;
  table: TableInfo;
  /** Block range [from, to) for a part of a split table; `to` undefined = to the end. */
  range?: { from: number; to?: number };
  estimatedBytes: number;
}

const MAX_PARTS = 64;
/** Tables are split only from this size up: below it a range scan's overhead outweighs the gain. */
const MIN_SPLIT_BYTES = 64 * 1024 * 1024;
/** Whole tables up to this size are copied several per transaction. */
export const SMALL_TABLE_BYTES = 1024 * 1024;
const BATCH_MAX_TABLES = 100;
const BATCH_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Each index or key built after a copy costs roughly this share of the copy itself (measured on
 * the benchmark dataset: pgbench_accounts' key 1.1 s after a 4.2 s copy).
 */
const INDEX_WORK = 0.25;

/**
 * The size above which a table is split by default. Splitting costs: ranges are read by TID range
 * scans (≈ 30 % more work on the source) and written without FREEZE, and the table is read back
 * separately. So only the largest table is split, and only when copying it and building its
 * indexes alone would take longer than everything else (copies and index builds, `indexesOf` per
 * table) shared by the other jobs: they would idle at the end. It is then split in parts of an
 * even share of all the data per job (at least 64 MiB).
 * Infinity when nothing should be split.
 */
export function autoSplitBytes(
  tables: TableInfo[],
  jobs: number,
  indexesOf: (table: string) => number = () => 0,
): number {
  if (jobs < 2 || tables.length === 0) return Infinity;
  const work = (t: TableInfo) => t.bytes * (1 + INDEX_WORK * indexesOf(t.qualified));
  const total = tables.reduce((a, t) => a + work(t), 0);
  const largest = [...tables].sort((a, b) => b.bytes - a.bytes)[0];
  const othersPerJob = (total - work(largest)) / (jobs - 1);
  if (work(largest) <= othersPerJob || largest.bytes <= MIN_SPLIT_BYTES) return Infinity;
  return Math.max(MIN_SPLIT_BYTES, Math.ceil(tables.reduce((a, t) => a + t.bytes, 0) / jobs));
}

function parseRange(key: string): { from: number; to?: number } | undefined {
  const i = key.lastIndexOf("#");
  if (i < 0) return undefined;
  const m = /^(\d+)-(\d*)$/.exec(key.slice(i + 1));
  if (!m) return undefined;
  return { from: Number(m[1]), to: m[2] === "" ? undefined : Number(m[2]) };
}

/**
 * Units of work not yet done. A table is split when larger than `splitBytes`; on resume the
 * ranges still missing are recomputed from the recorded ones, so a changed split never overlaps.
 */
export function planTasks(tables: TableInfo[], splitBytes: number, done: Set<string>): CopyTask[] {
  const tasks: CopyTask[] = [];
  for (const t of tables) {
    const base = `data:${t.qualified}`;
    if (done.has(base)) continue;
    const doneRanges = [...done]
      .filter((k) => k.startsWith(base + "#"))
      .map((k) => parseRange(k)!)
      .filter(Boolean)
      .sort((a, b) => a.from - b.from);
    const split = doneRanges.length > 0 || (t.bytes > splitBytes && t.blocks > 1);
    if (!split) {
      tasks.push({ key: base, table: t, estimatedBytes: t.bytes });
      continue;
    }
    // Gaps between recorded ranges, then the open tail.
    const gaps: { from: number; to?: number }[] = [];
    let pos = 0;
    let open = false;
    for (const r of doneRanges) {
      if (r.from > pos) gaps.push({ from: pos, to: r.from });
      if (r.to === undefined) {
        open = true;
        break;
      }
      pos = Math.max(pos, r.to);
    }
    if (!open) gaps.push({ from: pos });
    const parts = Math.min(MAX_PARTS, Math.max(2, Math.ceil(t.bytes / splitBytes)));
    const step = Math.max(1, Math.ceil(t.blocks / parts));
    for (const g of gaps) {
      const end = g.to ?? Math.max(t.blocks, g.from);
      let from = g.from;
      while (end - from > step) {
        tasks.push(part(t, base, from, from + step, parts));
        from += step;
      }
      tasks.push(part(t, base, from, g.to, parts));
    }
  }
  // Largest first so the long poles start early.
  return tasks.sort((a, b) => b.estimatedBytes - a.estimatedBytes);
}

function part(t: TableInfo, base: string, from: number, to: number | undefined, parts: number): CopyTask {
  return {
    key: `${base}#${from}-${to ?? ""}`,
    table: t,
    range: { from, to },
    estimatedBytes: t.bytes / parts,
  };
}

/** Units that go together in one target transaction: one unit, or many small whole tables. */
export type CopyBatch = CopyTask[];

/** Groups small whole tables into batches (fewer transactions and round trips); largest first. */
export function batchTasks(tasks: CopyTask[]): CopyBatch[] {
  const out: CopyBatch[] = [];
  let open: CopyTask[] = [];
  let openBytes = 0;
  for (const t of tasks) {
    if (t.range || t.table.bytes > SMALL_TABLE_BYTES) {
      out.push([t]);
      continue;
    }
    if (open.length >= BATCH_MAX_TABLES || openBytes + t.table.bytes > BATCH_MAX_BYTES) {
      out.push(open);
      open = [];
      openBytes = 0;
    }
    open.push(t);
    openBytes += t.table.bytes;
  }
  if (open.length) out.push(open);
  return out.sort((a, b) => batchBytes(b) - batchBytes(a));
}

export const batchBytes = (b: CopyBatch): number => b.reduce((a, t) => a + t.estimatedBytes, 0);

/** The marker item holding a table's checksum as read back from the target by this run. */
export const targetItem = (qualified: string): string => `target:${qualified}`;

/**
 * Whole tables larger than a batch's are TRUNCATEd in their copy's transaction, which lets COPY
 * write their rows frozen. A small table gains nothing from that (one page of hint bits) and its
 * TRUNCATE (a new file per table) costs more than its COPY: it is copied as is. Its rows can only
 * come from a committed unit, recorded with them; and anything else there would show in its
 * read-back checksum.
 */
const freezes = (t: CopyTask): boolean => !t.range && t.table.bytes > SMALL_TABLE_BYTES;

/** `COPY` options and column list for a table, both directions. */
function copySql(t: TableInfo, range?: { from: number; to?: number }, freeze = false) {
  const cols = t.columns ? ` (${t.columns})` : "";
  const fmt = t.binary ? "FORMAT binary" : "";
  const withFmt = fmt ? ` (${fmt})` : "";
  let read: string;
  if (!range) {
    read = `COPY ${t.qualified}${cols} TO STDOUT${withFmt}`;
  } else {
    const lo = `ctid >= '(${range.from},0)'::tid`;
    const hi = range.to !== undefined ? ` AND ctid < '(${range.to},0)'::tid` : "";
    read = `COPY (SELECT ${t.columns} FROM ONLY ${t.qualified} WHERE ${lo}${hi}) TO STDOUT${withFmt}`;
  }
  // FREEZE (allowed because the table was truncated in this transaction) writes rows already
  // frozen: no later pass over every page to set hint bits or freeze.
  const writeOpts = [fmt, freeze ? "FREEZE" : ""].filter(Boolean).join(", ");
  const write = `COPY ${t.qualified}${cols} FROM STDIN${writeOpts ? ` (${writeOpts})` : ""}`;
  return { read, write, readBack: `COPY ${t.qualified}${cols} TO STDOUT${withFmt}` };
}

/** Opens the source transaction on the shared snapshot (REPEATABLE READ, read only). */
export async function joinSnapshot(source: Client, snapshot: string): Promise<void> {
  await source.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  await source.query(`SET TRANSACTION SNAPSHOT ${quoteLiteral(snapshot)}`);
}

/** Which end of a failed unit failed, and on which table. */
export class UnitError extends Error {
  constructor(
    readonly table: string,
    readonly side: "source" | "target",
    readonly cause: unknown,
  ) {
    super((cause as Error)?.message ?? String(cause));
  }
}

/**
 * Copies a batch in one target transaction, committed together with the marker rows of its units
 * (source rows, bytes and checksum; for whole tables also the checksum read back from the target).
 * On failure both connections are dropped (either end may be mid-COPY or blocked behind a lock; a
 * ROLLBACK would queue behind it): the server rolls the transaction back.
 */
export async function copyBatch(
  source: Client,
  target: Client,
  batch: CopyBatch,
  onChunk: (task: CopyTask, bytes: number, rows: number) => void,
): Promise<{ rows: number; bytes: number }> {
  let current = batch[0];
  let side: "source" | "target" = "target";
  try {
    const frozen = batch.filter(freezes);
    await target.query(
      frozen.length ? `BEGIN; TRUNCATE ONLY ${frozen.map((t) => t.table.qualified).join(", ")}` : "BEGIN",
    );
    const values: string[] = [];
    let rows = 0;
    let bytes = 0;
    for (const task of batch) {
      current = task;
      const sql = copySql(task.table, task.range, freezes(task));
      const checksum = new RowChecksum();
      const r = await copyBetween(source, target, sql.read, sql.write, {
        binary: task.table.binary,
        checksum,
        onChunk: (b, n) => onChunk(task, b, n),
      }).catch((err: unknown) => {
        side = err instanceof CopyEndError ? err.side : "target";
        throw err instanceof CopyEndError ? err.cause : err;
      });
      side = "target";
      if (r.targetRows !== r.rows) {
        throw new Error(`the target stored ${r.targetRows} rows of the ${r.rows} sent`);
      }
      values.push(`(${quoteLiteral(task.key)}, ${r.rows}, ${r.bytes}, '${checksum.hex}')`);
      if (!task.range) {
        const back = await checksumCopy(target, sql.readBack, task.table.binary);
        values.push(`(${quoteLiteral(targetItem(task.table.qualified))}, ${back.rows}, 0, '${back.hex}')`);
      }
      rows += r.rows;
      bytes += r.bytes;
    }
    await target.query(
      `INSERT INTO "${MARKER_SCHEMA}".import_done (item, rows, bytes, checksum) VALUES ${values.join(", ")}; COMMIT`,
    );
    return { rows, bytes };
  } catch (err) {
    dropConnection(target);
    dropConnection(source);
    throw new UnitError(current.table.qualified, side, err);
  }
}

/**
 * Reads a table back from the target into its checksum and records it (after all ranges of a
 * split table committed, or on a later run). `ALTER TABLE … NO FORCE ROW LEVEL SECURITY` inside a
 * transaction that is rolled back lets the table's owner read every row of a table whose policies
 * apply to its owner too (row_security = off makes such a read fail instead of filter).
 */
export async function checkTarget(target: Client, table: TableInfo, record: boolean): Promise<RowChecksum> {
  const sql = copySql(table);
  await target.query("BEGIN");
  try {
    const r = await target.query(
      `SELECT c.relrowsecurity AND c.relforcerowsecurity AS forced,
              pg_catalog.pg_has_role(c.relowner, 'USAGE') AS owner
         FROM pg_catalog.pg_class c WHERE c.oid = ${quoteLiteral(table.qualified)}::regclass`,
    );
    if (r.rows[0]?.forced && r.rows[0]?.owner) {
      await target.query(`ALTER TABLE ONLY ${table.qualified} NO FORCE ROW LEVEL SECURITY`);
    }
    const back = await checksumCopy(target, sql.readBack, table.binary);
    await target.query("ROLLBACK");
    if (record) {
      await target.query(
        `INSERT INTO "${MARKER_SCHEMA}".import_done (item, rows, bytes, checksum) VALUES ($1, $2, 0, $3)
         ON CONFLICT (item) DO UPDATE SET rows = EXCLUDED.rows, checksum = EXCLUDED.checksum, done_at = now()`,
        [targetItem(table.qualified), back.rows, back.hex],
      );
    }
    return back;
  } catch (err) {
    await target.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

/** Reads a whole table (as COPY would copy it) into its checksum: a source now, or any copy of it. */
export async function readSource(client: Client, table: TableInfo): Promise<RowChecksum> {
  return checksumCopy(client, copySql(table).readBack, table.binary);
}

/** Closes a client's socket at once; the server rolls back whatever it had open. */
export function dropConnection(c: Client): void {
  const conn = (c as unknown as { connection?: { stream?: { destroy(): void } } }).connection;
  conn?.stream?.destroy();
}
