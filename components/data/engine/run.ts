/**
 * One import run's shared state, passed to every phase: options, log, the main sessions, the
 * connections each phase opens (and ends), the work directory, and stopping on request.
 */
import * as fs from "fs";
import * as os from "os";
import type { Client } from "pg";
import { ScopeFilter, TableInfo } from "./catalog";
import { redactor } from "../postgres-url";
import { connect, maskUrl } from "./connection";
import { dropConnection } from "./copy-data";
import { PostDataItem } from "./post-data";
import { PreflightContext } from "./preflight";
import { ProgressTracker } from "./progress";
import { ImportError, ImportOptions, ImportPhase } from "./types";

/** The schema as dumped for this run (one snapshot with the data). */
export interface RunSchema {
  dumpFile: string;
  /** pg_restore's session preamble for post-data statements (search_path, …). */
  postPreamble: string;
  postItems: PostDataItem[];
}

export class ImportRun {
  readonly log: (line: string) => void;
  /** A line per unit of work, when `verbose`: where the time goes. */
  readonly detail: (line: string) => void;
  readonly jobs: number;
  readonly scope: ScopeFilter;
  readonly progress: ProgressTracker;
  readonly started = Date.now();
  /** Main sessions: pre-flight, marker, sequences, catalog. The target one holds the import lock. */
  source!: Client;
  target!: Client;
  preflight!: PreflightContext;
  importId!: string;
  phase!: ImportPhase;
  resumed = false;
  /** The session holding the exported snapshot, and its id, until the data phase ends. */
  snapshot?: { client: Client; id: string };
  schema?: RunSchema;
  /** Tables whose rows are copied, from the source catalog. */
  tables: TableInfo[] = [];
  /** Tables this run has ANALYZEd (finalize does the rest). */
  readonly analyzed = new Set<string>();
  /** The work directory (schema dump), removed at the end. */
  workDir?: string;
  private readonly opened = new Set<Client>();
  private readonly stop = new AbortController();
  private stopReason?: string;

  constructor(readonly opts: ImportOptions) {
    // Built once: a redactor parses both URLs, and --verbose logs a line per unit of work.
    const redact = redactor([opts.source?.url, opts.target?.url]);
    this.log = (line) => opts.log?.(redact(line));
    this.detail = opts.verbose
      ? (line) => this.log(`  ${((Date.now() - this.started) / 1000).toFixed(2)}s ${line}`)
      : () => undefined;
    this.jobs = Math.max(1, opts.jobs ?? os.cpus().length);
    this.scope = {
      includeSchemas: opts.includeSchemas,
      excludeSchemas: opts.excludeSchemas,
      includeTables: opts.includeTables,
      excludeTables: opts.excludeTables,
    };
    this.progress = new ProgressTracker(opts.onProgress);
    if (opts.signal?.aborted) this.abort(String(opts.signal.reason ?? "stopped"));
    opts.signal?.addEventListener("abort", () => this.abort(String(opts.signal?.reason ?? "stopped")), {
      once: true,
    });
  }

  /** Aborted when the run is stopped: passed to child processes (pg_dump) so they end too. */
  get signal(): AbortSignal {
    return this.stop.signal;
  }

  get stopped(): boolean {
    return this.stopReason !== undefined;
  }

  /** Throws the "interrupted" error once the run was stopped. */
  checkStopped(): void {
    if (this.stopReason !== undefined) throw this.interrupted();
  }

  /**
   * Stops the run: every open connection is dropped at once, so the servers roll back whatever
   * unit was in flight (each commits atomically with its marker row), and pg_dump is killed.
   */
  abort(reason: string): void {
    if (this.stopReason !== undefined) return;
    this.stopReason = reason;
    this.stop.abort(reason);
    for (const c of this.opened) dropConnection(c);
  }

  /** Opens a session, tracked so that `abort` and `close` end it. */
  async open(role: "source" | "target"): Promise<Client> {
    this.checkStopped();
    const c = await connect(role === "source" ? this.opts.source : this.opts.target, role);
    this.opened.add(c);
    if (this.stopped) dropConnection(c);
    this.checkStopped();
    return c;
  }

  async openMany(role: "source" | "target", n: number): Promise<Client[]> {
    const out: Client[] = [];
    for (let i = 0; i < n; i++) out.push(await this.open(role));
    return out;
  }

  /**
   * Ends a phase's sessions: keeping them all to the end would hold about 3 × jobs connections
   * per side (Heroku's small plans allow 20).
   */
  async release(cs: Client[]): Promise<void> {
    for (const c of cs) this.opened.delete(c);
    await Promise.all(cs.map((c) => c.end().catch(() => undefined)));
  }

  /** The target, masked, for messages. */
  get targetName(): string {
    return maskUrl(this.opts.target.url);
  }

  interrupted(): ImportError {
    return new ImportError(
      `the import was stopped (${this.stopReason}): the units in flight were rolled back, everything committed ` +
        `before is kept and recorded in the target; run the import again to resume`,
      "interrupted",
    );
  }

  /** Ends every session and removes the work directory. */
  async close(): Promise<void> {
    const all = [...this.opened];
    this.opened.clear();
    await Promise.all(all.map((c) => c.end().catch(() => undefined)));
    if (this.workDir) fs.rmSync(this.workDir, { recursive: true, force: true });
  }
}
