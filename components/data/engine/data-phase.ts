/**
 * The data phase: copy units, index builds and read-backs scheduled on `jobs` workers, each a
 * source session (on the run's snapshot) and a target session.
 *
 * One pool for all of it caps the heavy statements running at once at `jobs` (the cores), instead
 * of COPY streams and index builds competing for them. A table's indexes and keys (post-data wave
 * 1) become work as soon as its rows are committed, so they are built while other tables still
 * copy (index builds, not COPY, are the long pole of an import). The largest job that can run
 * goes first (copy ≈ its bytes, an index build ≈ half its table's bytes), so the big ones start
 * early and small ones fill the end. Two statements on one table run together only when neither
 * takes its table's ACCESS EXCLUSIVE lock (ALTER TABLE … ADD CONSTRAINT). Tables copied together
 * are ANALYZEd together once their indexes are built.
 */
import type { Client } from "pg";
import { TableInfo } from "./catalog";
import {
  autoSplitBytes,
  batchBytes,
  batchTasks,
  checkTarget,
  copyBatch,
  CopyBatch,
  CopyTask,
  dropConnection,
  joinSnapshot,
  planTasks,
  SMALL_TABLE_BYTES,
  UnitError,
} from "./copy-data";
import { connectionLost, COPY_SEARCH_PATH } from "./connection";
import { doneItems } from "./marker";
import { itemTable, locksTable, PostDataItem, runItem, runItems } from "./post-data";
import { ImportRun } from "./run";
import { ImportError } from "./types";

/** Index builds get at least 128 MB of sort memory (the server default, 64 MB, spills to disk). */
export const MAINTENANCE_MEM = `SELECT pg_catalog.set_config('maintenance_work_mem',
  CASE WHEN pg_catalog.pg_size_bytes(current_setting('maintenance_work_mem')) < 134217728 THEN '128MB'
       ELSE current_setting('maintenance_work_mem') END, false)`;

type Job =
  | { kind: "copy"; cost: number; batch: CopyBatch }
  | { kind: "index"; cost: number; table: string; item: PostDataItem }
  /** The keys and indexes of small tables copied together, in one transaction. */
  | { kind: "indexes"; cost: number; items: PostDataItem[]; tables: string[] }
  | { kind: "check"; cost: number; table: TableInfo }
  | { kind: "analyze"; cost: number; tables: string[] };

/** ANALYZE reads a sample of at most 30 000 rows: its cost stops growing with the table. */
const ANALYZE_COST_CAP = 32 * 1024 * 1024;

interface Worker {
  source: Client;
  target: Client;
}

/** Hands out the largest runnable job; knows when a table's rows are all in. */
class Scheduler {
  private readonly copies: Job[];
  private readonly ready: Job[] = [];
  private readonly running = new Map<string, { n: number; exclusive: boolean }>();
  private readonly unitsLeft = new Map<string, number>();
  private readonly indexes = new Map<string, PostDataItem[]>();
  private readonly tableInfo: Map<string, TableInfo>;
  private readonly split = new Set<string>();
  /** Jobs (index builds, read-back) still to finish per copied table before it is analyzed. */
  private readonly pendingOn = new Map<string, number>();
  /** Tables copied together, analyzed together once none has a pending job. */
  private readonly groups: Set<string>[] = [];
  /** Tables ANALYZEd by this phase. */
  readonly analyzed = new Set<string>();
  private active = 0;
  private waiting: (() => void)[] = [];
  failure: unknown;
  built = 0;

  constructor(tables: TableInfo[], batches: CopyBatch[], items: PostDataItem[], done: Set<string>) {
    this.tableInfo = new Map(tables.map((t) => [t.qualified, t]));
    this.copies = batches.map((b) => ({ kind: "copy" as const, cost: batchBytes(b), batch: b }));
    for (const b of batches)
      for (const t of b) {
        this.unitsLeft.set(t.table.qualified, (this.unitsLeft.get(t.table.qualified) ?? 0) + 1);
        if (t.range) this.split.add(t.table.qualified);
      }
    for (const it of items) {
      if (it.wave !== 1 || done.has(it.key)) continue;
      const t = itemTable(it);
      if (!t || !this.tableInfo.has(t)) continue;
      this.indexes.set(t, [...(this.indexes.get(t) ?? []), it]);
    }
    // Tables copied by an earlier run can have their indexes built right away.
    this.copied(tables.filter((t) => !this.unitsLeft.has(t.qualified)).map((t) => t.qualified));
  }

  /** The next job, or undefined when all work is done (or failed). */
  async take(): Promise<Job | undefined> {
    for (;;) {
      if (this.failure !== undefined) return undefined;
      const job = this.pick();
      if (job) {
        this.active++;
        const lock = this.lockOf(job);
        if (lock) {
          const r = this.running.get(lock.table) ?? { n: 0, exclusive: false };
          this.running.set(lock.table, { n: r.n + 1, exclusive: lock.exclusive });
        }
        return job;
      }
      if (this.active === 0 && this.copies.length === 0 && this.ready.length === 0) return undefined;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  finished(job: Job): void {
    this.active--;
    const lock = this.lockOf(job);
    if (lock) {
      const r = this.running.get(lock.table)!;
      if (r.n <= 1) this.running.delete(lock.table);
      else this.running.set(lock.table, { n: r.n - 1, exclusive: false });
    }
    if (job.kind === "copy") {
      const copied: string[] = [];
      for (const t of job.batch) {
        const left = (this.unitsLeft.get(t.table.qualified) ?? 1) - 1;
        this.unitsLeft.set(t.table.qualified, left);
        if (left === 0) copied.push(t.table.qualified);
      }
      this.copied(copied);
    }
    if (job.kind === "index") this.built++;
    if (job.kind === "indexes") this.built += job.items.length;
    if (job.kind === "index" || job.kind === "check" || job.kind === "indexes") {
      const tables =
        job.kind === "index" ? [job.table] : job.kind === "check" ? [job.table.qualified] : job.tables;
      for (const t of tables) this.pendingOn.set(t, (this.pendingOn.get(t) ?? 1) - 1);
      this.analyzeReady();
    }
    if (job.kind === "analyze") for (const t of job.tables) this.analyzed.add(t);
    this.wake();
  }

  fail(err: unknown): void {
    if (this.failure === undefined) this.failure = err;
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const f of w) f();
  }

  /** All rows of these tables are committed: their indexes, read-back and statistics may follow. */
  private copied(tables: string[]): void {
    if (!tables.length) return;
    const small = tables.filter((t) => this.tableInfo.get(t)!.bytes <= SMALL_TABLE_BYTES);
    if (small.length > 1) {
      const items = small.flatMap((t) => this.indexes.get(t) ?? []);
      const withItems = small.filter((t) => this.indexes.has(t));
      for (const t of small) {
        this.indexes.delete(t);
        this.pendingOn.set(t, withItems.includes(t) ? 1 : 0);
      }
      if (items.length) this.push({ kind: "indexes", cost: SMALL_TABLE_BYTES, items, tables: withItems });
    }
    for (const table of small.length > 1 ? tables.filter((t) => !small.includes(t)) : tables) {
      const info = this.tableInfo.get(table)!;
      const items = this.indexes.get(table) ?? [];
      this.indexes.delete(table);
      // A split table's parts were not read back in their transactions: read it whole now.
      const check = this.split.has(table);
      this.pendingOn.set(table, items.length + (check ? 1 : 0));
      if (check) this.push({ kind: "check", cost: info.bytes * 0.3, table: info });
      for (const item of items) this.push({ kind: "index", cost: info.bytes * 0.5, table, item });
    }
    this.groups.push(new Set(tables));
    this.analyzeReady();
  }

  /** Statistics once a group's indexes are built (ANALYZE also samples expression indexes). */
  private analyzeReady(): void {
    for (let i = this.groups.length - 1; i >= 0; i--) {
      const g = [...this.groups[i]];
      if (g.some((t) => (this.pendingOn.get(t) ?? 0) > 0)) continue;
      this.groups.splice(i, 1);
      const cost = g.reduce((a, t) => a + Math.min(this.tableInfo.get(t)!.bytes, ANALYZE_COST_CAP), 0) * 0.1;
      this.push({ kind: "analyze", cost, tables: g });
    }
  }

  private push(job: Job): void {
    this.ready.push(job);
    this.ready.sort((a, b) => b.cost - a.cost);
  }

  private lockOf(job: Job): { table: string; exclusive: boolean } | undefined {
    if (job.kind === "index") return { table: job.table, exclusive: locksTable(job.item) };
    if (job.kind === "check") return { table: job.table.qualified, exclusive: false };
    // A group of small tables' keys has its tables to itself; ANALYZE comes after a table's other
    // jobs; copies touch no table another job holds.
    return undefined;
  }

  private runnable(job: Job): boolean {
    const lock = this.lockOf(job);
    if (!lock) return true;
    const r = this.running.get(lock.table);
    return !r || (!r.exclusive && !lock.exclusive);
  }

  private pick(): Job | undefined {
    const i = this.ready.findIndex((j) => this.runnable(j));
    const copy = this.copies[0];
    if (i >= 0 && (!copy || this.ready[i].cost >= copy.cost)) return this.ready.splice(i, 1)[0];
    if (copy) return this.copies.shift();
    return undefined;
  }
}

/** Copies every table not yet done and builds their indexes and keys; see the file comment. */
export async function runDataPhase(run: ImportRun): Promise<void> {
  const { progress, log, tables } = run;
  const done = new Set((await doneItems(run.target)).keys());
  const pending = tables.filter((t) => !done.has(`data:${t.qualified}`));
  const indexes = new Map<string, number>();
  for (const it of run.schema!.postItems) {
    const t = it.wave === 1 ? itemTable(it) : undefined;
    if (t) indexes.set(t, (indexes.get(t) ?? 0) + 1);
  }
  const splitBytes =
    run.opts.splitTablesLargerThanBytes ?? autoSplitBytes(pending, run.jobs, (t) => indexes.get(t) ?? 0);
  const tasks = planTasks(tables, splitBytes, done);
  const batches = batchTasks(tasks);
  const sched = new Scheduler(tables, batches, run.schema!.postItems, done);
  progress.startData(tables, done, tasks);
  log(`data: ${tasks.length} unit(s) in ${batches.length} transaction(s) on ${run.jobs} job(s)`);

  const workers: Worker[] = [];
  const opened: Client[] = [];
  try {
    for (let i = 0; i < run.jobs; i++) {
      const source = await run.open("source");
      const target = await run.open("target");
      opened.push(source, target);
      await source.query(COPY_SEARCH_PATH);
      await joinSnapshot(source, run.snapshot!.id);
      if (run.schema!.postPreamble) await target.query(run.schema!.postPreamble);
      await target.query(MAINTENANCE_MEM);
      workers.push({ source, target });
    }
    await Promise.all(
      workers.map(async (w) => {
        for (let job = await sched.take(); job; job = await sched.take()) {
          try {
            await execute(run, w, job);
          } catch (err) {
            sched.fail(describeFailure(job, err));
            // The others may be mid-COPY or waiting on a lock: the servers roll their units back.
            for (const c of opened) dropConnection(c);
            return;
          } finally {
            sched.finished(job);
          }
        }
      }),
    );
    if (sched.failure !== undefined) throw sched.failure;
    for (const w of workers) await w.source.query("COMMIT");
    for (const t of sched.analyzed) run.analyzed.add(t);
    log(
      `data: done; ${sched.built} index(es)/key(s) built and ${sched.analyzed.size} table(s) analyzed while copying`,
    );
  } finally {
    await run.release(opened);
  }
}

async function execute(run: ImportRun, w: Worker, job: Job): Promise<void> {
  const { progress } = run;
  const t0 = Date.now();
  let what: string;
  if (job.kind === "copy") {
    for (const t of job.batch) progress.begin(t);
    const r = await copyBatch(w.source, w.target, job.batch, (t: CopyTask, b, n) => progress.chunk(t, b, n));
    for (const t of job.batch) progress.end(t);
    const first = job.batch[0];
    what =
      job.batch.length > 1
        ? `copied ${job.batch.length} small tables (${first.table.qualified}, …)`
        : `copied ${first.key.slice("data:".length)}${first.table.binary ? " (binary)" : ""}`;
    what += `: ${r.rows} rows, ${(r.bytes / 1048576).toFixed(1)} MiB`;
  } else if (job.kind === "index") {
    await runItem(w.target, job.item);
    what = `built ${job.item.type.toLowerCase()} ${job.item.name} on ${job.table}`;
  } else if (job.kind === "indexes") {
    await runItems(w.target, job.items);
    what = `built ${job.items.length} keys/indexes of ${job.tables.length} small tables`;
  } else if (job.kind === "check") {
    await checkTarget(w.target, job.table, true);
    what = `read ${job.table.qualified} back`;
  } else {
    await w.target.query(`ANALYZE ${job.tables.join(", ")}`);
    what = `analyzed ${job.tables.length > 1 ? `${job.tables.length} tables` : job.tables[0]}`;
  }
  run.detail(`${what} in ${((Date.now() - t0) / 1000).toFixed(2)}s`);
}

/** The error to report for a failed job: names the table or item and says what to do. */
function describeFailure(job: Job, err: unknown): ImportError {
  const lost = (side: "source" | "target", cause: unknown) =>
    `the connection to the ${side} was lost (${(cause as Error)?.message ?? cause}); ` +
    "everything committed before is kept: run the import again to resume";
  if (err instanceof UnitError) {
    const why = connectionLost(err.cause) ? lost(err.side, err.cause) : `${err.side}: ${err.message}`;
    return new ImportError(`copying table ${err.table} failed: ${why}`, "copy");
  }
  if (job.kind === "index" || job.kind === "indexes") {
    const why = connectionLost(err) ? lost("target", err) : (err as Error).message;
    return new ImportError(`post-data failed: ${why}`, "copy");
  }
  const why = connectionLost(err) ? lost("target", err) : (err as Error).message;
  if (job.kind === "check")
    return new ImportError(
      `reading table ${job.table.qualified} back from the target failed: ${why}`,
      "copy",
    );
  return new ImportError(`ANALYZE failed: ${why}`, "copy");
}
