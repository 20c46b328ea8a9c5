/** Turns copy events into ImportProgress snapshots, at most a few per second. */
import { TableInfo } from "./catalog";
import { CopyTask } from "./copy-data";
import { ImportPhase, ImportProgress, TableProgress } from "./types";

const EMIT_EVERY_MS = 250;

export class ProgressTracker {
  private current: ImportPhase = "preflight";
  private tablesTotal = 0;
  private tablesDone = 0;
  private rows = 0;
  private bytes = 0;
  private estimatedBytes = 0;
  private started = Date.now();
  private lastEmit = 0;
  private readonly active = new Map<string, TableProgress>();
  /** Units still to do per table, so a split table counts as done once. */
  private readonly remaining = new Map<string, number>();

  constructor(private readonly sink?: (p: ImportProgress) => void) {}

  phase(phase: ImportPhase, message?: string): void {
    this.current = phase;
    this.emit(true, message);
  }

  startData(tables: TableInfo[], done: Set<string>, tasks: CopyTask[]): void {
    this.current = "data";
    this.started = Date.now();
    this.tablesTotal = tables.length;
    for (const t of tasks)
      this.remaining.set(t.table.qualified, (this.remaining.get(t.table.qualified) ?? 0) + 1);
    this.tablesDone = tables.filter((t) => !this.remaining.has(t.qualified)).length;
    this.estimatedBytes = tasks.reduce((a, t) => a + t.estimatedBytes, 0);
    void done;
    this.emit(true, `copying ${tasks.length} unit(s)`);
  }

  begin(task: CopyTask): TableProgress {
    const key = task.table.qualified;
    let tp = this.active.get(key);
    if (!tp) {
      tp = { table: key, rows: 0, bytes: 0, estimatedBytes: task.table.bytes, done: false };
      this.active.set(key, tp);
    }
    return tp;
  }

  chunk(task: CopyTask, bytes: number, rows: number): void {
    const tp = this.active.get(task.table.qualified);
    if (tp) {
      tp.bytes += bytes;
      tp.rows += rows;
    }
    this.bytes += bytes;
    this.rows += rows;
    this.emit(false);
  }

  end(task: CopyTask): void {
    const key = task.table.qualified;
    const left = (this.remaining.get(key) ?? 1) - 1;
    this.remaining.set(key, left);
    if (left <= 0) {
      this.tablesDone++;
      const tp = this.active.get(key);
      if (tp) tp.done = true;
      this.active.delete(key);
    }
    this.emit(left <= 0);
  }

  private emit(force: boolean, message?: string): void {
    if (!this.sink) return;
    const now = Date.now();
    if (!force && now - this.lastEmit < EMIT_EVERY_MS) return;
    this.lastEmit = now;
    const elapsedSeconds = (now - this.started) / 1000;
    const bytesPerSecond = elapsedSeconds > 0 ? this.bytes / elapsedSeconds : 0;
    // COPY text is usually a bit smaller than the on-disk size; clamp so the ETA never goes negative.
    const left = Math.max(0, this.estimatedBytes - this.bytes);
    this.sink({
      phase: this.current,
      tablesDone: this.tablesDone,
      tablesTotal: this.tablesTotal,
      rows: this.rows,
      bytes: this.bytes,
      estimatedBytes: this.estimatedBytes,
      elapsedSeconds,
      bytesPerSecond,
      etaSeconds: this.current === "data" && bytesPerSecond > 0 ? left / bytesPerSecond : undefined,
      active: [...this.active.values()].map((t) => ({ ...t })),
      message,
    });
  }
}
