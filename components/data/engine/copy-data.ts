/**
 * The data phase: every table's rows streamed source → target with COPY, in parallel across
 * tables and across ctid ranges of large tables, all read from one exported snapshot.
 *
 * Each unit of work commits in one target transaction together with its row in the marker's
 * `import_done` table, so after any crash a unit is either fully there and recorded, or absent.
 * Whole tables are also TRUNCATEd in that transaction (a retry can never duplicate rows).
 */
import { Transform, TransformCallback } from "stream";
import { pipeline } from "stream/promises";
import type { Client } from "pg";
import { TableInfo } from "./catalog";
import { markDoneAndCommitSql } from "./marker";
import { TableProgress } from "./types";

export interface CopyTask {
  /** The marker item: `data:<qualified>` or `data:<qualified>#<fromBlock>-<toBlock|>`. */
  key: string;
  table: TableInfo;
  /** Block range [from, to) for a part of a split table; `to` undefined = to the end. */
  range?: { from: number; to?: number };
  estimatedBytes: number;
}

const MAX_PARTS = 64;

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

/** Counts bytes and rows (COPY text: one newline per row, embedded ones are escaped). */
class Meter extends Transform {
  bytes = 0;
  rows = 0;
  constructor(private readonly onChunk: (bytes: number, rows: number) => void) {
    super();
  }
  _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    let rows = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
    this.bytes += chunk.length;
    this.rows += rows;
    this.onChunk(chunk.length, rows);
    cb(null, chunk);
  }
}

/** Opens the source transaction on the shared snapshot (REPEATABLE READ, read only). */
export async function joinSnapshot(source: Client, snapshot: string): Promise<void> {
  await source.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  await source.query(`SET TRANSACTION SNAPSHOT '${snapshot.replace(/'/g, "''")}'`);
}

/** Copies one unit of work; the target transaction commits it together with its marker row. */
export async function copyTask(
  source: Client,
  target: Client,
  task: CopyTask,
  progress: TableProgress,
  onChunk: (bytes: number, rows: number) => void,
): Promise<{ rows: number; bytes: number }> {
  const { from: copyFrom, to: copyTo } = await import("pg-copy-streams");
  const t = task.table;
  const cols = t.columns ? ` (${t.columns})` : "";
  const select = t.columns || "";
  let read: string;
  if (!task.range) {
    read = `COPY ${t.qualified}${cols} TO STDOUT`;
  } else {
    const lo = `ctid >= '(${task.range.from},0)'::tid`;
    const hi = task.range.to !== undefined ? ` AND ctid < '(${task.range.to},0)'::tid` : "";
    read = `COPY (SELECT ${select} FROM ONLY ${t.qualified} WHERE ${lo}${hi}) TO STDOUT`;
  }
  try {
    await target.query(task.range ? "BEGIN" : `BEGIN; TRUNCATE ONLY ${t.qualified}`);
    const meter = new Meter((b, r) => {
      progress.bytes += b;
      progress.rows += r;
      onChunk(b, r);
    });
    // FREEZE (allowed because the table was truncated in this transaction) writes rows already
    // frozen: no second pass over every page later to set hint bits or freeze.
    const freeze = task.range ? "" : " WITH (FREEZE)";
    const writer = target.query(copyFrom(`COPY ${t.qualified}${cols} FROM STDIN${freeze}`));
    const reader = source.query(copyTo(read));
    await pipeline(reader, meter, writer);
    await target.query(markDoneAndCommitSql(task.key, meter.rows, meter.bytes));
    return { rows: meter.rows, bytes: meter.bytes };
  } catch (err) {
    // Either end may be mid-COPY (or blocked behind a lock): a ROLLBACK would queue behind it.
    // Dropping both connections aborts the target transaction server-side, atomically.
    dropConnection(target);
    dropConnection(source);
    throw err;
  }
}

/** Closes a client's socket at once; the server rolls back whatever it had open. */
export function dropConnection(c: Client): void {
  const conn = (c as unknown as { connection?: { stream?: { destroy(): void } } }).connection;
  conn?.stream?.destroy();
}
