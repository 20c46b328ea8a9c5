/**
 * importDatabase: pre-flight → pre-data → data → post-data → finalize → verify, resumable at
 * every step from the marker kept in the target.
 */
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Client } from "pg";
import { databaseSearchPath, listExtensions, listTables, ScopeFilter } from "./catalog";
import { connect, maskUrl, quoteIdent, quoteLiteral, scrub } from "./connection";
import { copyTask, dropConnection, joinSnapshot, planTasks } from "./copy-data";
import { analyzeTables, copyLargeObjects, copySequences } from "./finalize";
import { doneItems, ensureMarkerTables, markComplete, readMarker, setPhase, writeNewMarker } from "./marker";
import { EarlyIndexBuilder, planPostData, runPostData } from "./post-data";
import { preflightWith } from "./preflight";
import { dumpSchema, listToc, PgTools, restoreSql, splitSql, TocEntry } from "./pg-tools";
import { ProgressTracker } from "./progress";
import { ImportError, ImportMarker, ImportOptions, ImportPhase, ImportResult } from "./types";
import { verifyDatabases } from "./verify";
import { runPool } from "./worker-pool";
import { describeQuiet, SourceActivity, sourceChanged, sourceChangedError } from "./source-activity";

/** Index builds get at least 128 MB of sort memory (the server default, 64 MB, spills to disk). */
const MAINTENANCE_MEM = `SELECT pg_catalog.set_config('maintenance_work_mem',
  CASE WHEN pg_catalog.pg_size_bytes(current_setting('maintenance_work_mem')) < 134217728 THEN '128MB'
       ELSE current_setting('maintenance_work_mem') END, false)`;
const DEFAULT_SPLIT_BYTES = 64 * 1024 * 1024;

/** Reads the marker the engine keeps in the target (null when there is none). */
export async function readImportMarker(target: {
  url: string;
  sslMode?: string;
}): Promise<ImportMarker | null> {
  const c = await connect(target, "target");
  try {
    return await readMarker(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function openMany(n: number, open: () => Promise<Client>): Promise<Client[]> {
  const out: Client[] = [];
  for (let i = 0; i < n; i++) out.push(await open());
  return out;
}

const WORK_DIR_PREFIX = "h2h-import-";

/** Work dirs (the schema dump) of import processes that were killed: their pid is gone. */
function removeStaleWorkDirs(): void {
  for (const d of fs.readdirSync(os.tmpdir())) {
    const m = new RegExp(`^${WORK_DIR_PREFIX}(\\d+)-`).exec(d);
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (err) {
      if ((err as { code?: string }).code === "ESRCH")
        fs.rmSync(path.join(os.tmpdir(), d), { recursive: true, force: true });
    }
  }
}

/** Pre-data SQL without what we handle ourselves (extensions and their comments). */
function preDataEntries(toc: TocEntry[]): TocEntry[] {
  return toc.filter(
    (e) =>
      e.type !== "EXTENSION" &&
      !(e.type === "COMMENT" && e.schema === "-" && e.name.startsWith("EXTENSION ")),
  );
}

async function runPreData(
  opts: ImportOptions,
  tools: PgTools,
  dumpFile: string,
  toc: TocEntry[],
  source: Client,
  tmp: string,
  log: (l: string) => void,
): Promise<void> {
  const sql = await restoreSql(tools, dumpFile, preDataEntries(toc), path.join(tmp, "pre.list"), "pre-data");
  const extensions = await listExtensions(source);
  const searchPath = await databaseSearchPath(source);
  const target = await connect(opts.target, "target");
  try {
    await target.query("BEGIN");
    for (const e of extensions) {
      // Heroku installs extensions in heroku_ext; recreate that layout so column types resolve.
      await target.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(e.schema)}`);
      await target.query(
        `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e.name)} WITH SCHEMA ${quoteIdent(e.schema)}`,
      );
    }
    const statements = sql.replace(/^CREATE SCHEMA (.+);$/gm, "CREATE SCHEMA IF NOT EXISTS $1;");
    log(`pre-data: ${toc.length} schema entries, ${extensions.length} extension(s)`);
    await target.query(statements);
    if (searchPath) {
      // Heroku puts heroku_ext on the database's search_path; unqualified calls need it. Only the
      // database owner may set it: without that right, warn rather than fail the import.
      await target.query("SAVEPOINT h2h_search_path");
      try {
        await target.query(
          `DO $h2h$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = ' || ${quoteLiteral(searchPath)}, current_database()); END $h2h$`,
        );
        await target.query("RELEASE SAVEPOINT h2h_search_path");
      } catch (err) {
        await target.query("ROLLBACK TO SAVEPOINT h2h_search_path");
        log(
          `warning: could not set the target database's search_path to the source's (${searchPath}): ` +
            `${(err as Error).message}; set it as the database owner`,
        );
      }
    }
    await setPhase(target, "data");
    await target.query("COMMIT");
  } catch (err) {
    await target.query("ROLLBACK").catch(() => undefined);
    throw new ImportError(`pre-data (schema) restore failed: ${(err as Error).message}`, "copy");
  } finally {
    await target.end().catch(() => undefined);
  }
}

/** Session advisory lock key (two int4) held by a running import in its target database. */
export const IMPORT_LOCK_SQL = "pg_catalog.hashtext('heroku-to-hasura-import'), 0";

/**
 * One import at a time per target database (e.g. `pulumi up` from two machines, or a rehearsal
 * command next to it): two runs would redo each other's units and rewrite the marker. The lock is
 * the session's, so a killed run releases it with its connection.
 */
async function lockTarget(target: Client, url: string): Promise<void> {
  const r = await target.query(`SELECT pg_catalog.pg_try_advisory_lock(${IMPORT_LOCK_SQL}) AS ok`);
  if (!r.rows[0].ok) {
    // A run on a machine that vanished keeps its session (and lock) until TCP keepalive gives up:
    // name the holder's backend so it can be ended deliberately.
    const h = await target.query(
      `SELECT l.pid, a.backend_start::text AS since FROM pg_catalog.pg_locks l
         LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
          AND l.classid::int = ${IMPORT_LOCK_SQL.split(",")[0]} AND l.objid = 0 LIMIT 1`,
    );
    const holder = h.rows[0]
      ? ` (backend pid ${h.rows[0].pid as number}${h.rows[0].since ? `, connected since ${h.rows[0].since as string}` : ""}; ` +
        `if that run is gone, end it with SELECT pg_terminate_backend(${h.rows[0].pid as number}))`
      : "";
    throw new ImportError(
      `another import is running into target ${maskUrl(url)} right now${holder}: wait for it to finish (or stop it), then run again`,
      "busy",
    );
  }
}

/** Copies, verifies and records a database; see docs/import.md for the guarantees. */
export async function importDatabase(opts: ImportOptions): Promise<ImportResult> {
  const started = Date.now();
  const log = (line: string) => opts.log?.(scrub(line, opts.source, opts.target));
  const jobs = Math.max(1, opts.jobs ?? os.cpus().length);
  const scope: ScopeFilter = {
    includeSchemas: opts.includeSchemas,
    excludeSchemas: opts.excludeSchemas,
    includeTables: opts.includeTables,
    excludeTables: opts.excludeTables,
  };
  const source = await connect(opts.source, "source");
  const opened: Client[] = [source];
  let tmp: string | undefined;
  try {
    const target = await connect(opts.target, "target");
    opened.push(target);
    await lockTarget(target, opts.target.url);
    const ctx = await preflightWith(opts, source, target);
    const pf = ctx.report;
    for (const w of pf.warnings) log(`warning: ${w}`);
    log(
      `source ${pf.source} (PostgreSQL ${pf.sourceServerVersion}) → target ${pf.target} (PostgreSQL ${pf.targetServerVersion}); ` +
        `${pf.tables.length} table(s), ~${(pf.estimatedBytes / 1048576).toFixed(1)} MiB, estimated ${pf.estimatedSeconds}s with ${jobs} job(s)`,
    );
    if (pf.action === "complete" && pf.marker?.result) {
      log(
        `import ${pf.marker.importId} already complete and verified (${pf.marker.completedAt}): nothing to do`,
      );
      return { ...pf.marker.result, resumed: false };
    }
    const resumed = pf.action === "resume";
    const importId = resumed ? pf.marker!.importId : (opts.importId ?? randomUUID());
    let phase: ImportPhase = resumed ? pf.marker!.phase : "pre-data";
    if (!resumed) {
      await ensureMarkerTables(target);
      await writeNewMarker(target, importId, pf.sourceIdentity);
    } else {
      log(`resuming import ${importId} at phase ${phase}`);
      // Each run reads its own snapshot: units copied earlier show the source as it was then.
      log(
        `warning: rows copied before the interruption were read from the source as of that run (started ${pf.marker!.startedAt}); ` +
          "if the source was written to since, verification will fail and the target must be emptied and imported again",
      );
    }
    const progress = new ProgressTracker(opts.onProgress);
    /**
     * Ends a phase's connections: each phase opens its own, and keeping them until the end would
     * hold about 3 × jobs connections per side at verification (Heroku's small plans allow 20).
     */
    const release = async (cs: Client[]): Promise<void> => {
      for (const c of cs) {
        const i = opened.indexOf(c);
        if (i >= 0) opened.splice(i, 1);
      }
      await Promise.all(cs.map((c) => c.end().catch(() => undefined)));
    };

    // Write counters before the snapshot: a write in between is reported, never missed.
    const activity = await SourceActivity.begin(
      source,
      target,
      importId,
      scope,
      opts.sourceActivity ?? {},
      log,
    );
    // One snapshot for the schema dump and every table (consistent across tables within a run).
    const snap = await connect(opts.source, "source");
    opened.push(snap);
    await snap.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const snapshot = (await snap.query("SELECT pg_catalog.pg_export_snapshot() AS s")).rows[0].s as string;

    removeStaleWorkDirs();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${WORK_DIR_PREFIX}${process.pid}-`));
    const dumpFile = path.join(tmp, "schema.dump");
    progress.phase("pre-data", "dumping the schema");
    await dumpSchema(ctx.tools, opts.source, dumpFile, {
      snapshot,
      includeSchemas: opts.includeSchemas,
      excludeSchemas: opts.excludeSchemas,
    });
    const toc = await listToc(ctx.tools, dumpFile);

    if (phase === "pre-data") {
      await runPreData(opts, ctx.tools, dumpFile, toc, source, tmp, log);
      phase = "data";
    }

    let done = new Set((await doneItems(target)).keys());
    const tables = await listTables(source, scope);
    const post = splitSql(
      await restoreSql(ctx.tools, dumpFile, toc, path.join(tmp, "post.list"), "post-data"),
    );
    const items = planPostData(post.items);
    /** Target sessions that build indexes run pg_restore's preamble (search_path, …) first. */
    const openPostClients = async (n: number): Promise<Client[]> => {
      const cs = await openMany(n, () => connect(opts.target, "target"));
      opened.push(...cs);
      for (const c of cs) {
        if (post.preamble) await c.query(post.preamble);
        await c.query(MAINTENANCE_MEM);
      }
      return cs;
    };
    if (phase === "data") {
      const tasks = planTasks(tables, opts.splitTablesLargerThanBytes ?? DEFAULT_SPLIT_BYTES, done);
      progress.startData(tables, done, tasks);
      log(`data: ${tasks.length} unit(s) of work on ${jobs} job(s)`);
      const n = Math.min(jobs, Math.max(1, tasks.length));
      const srcs = await openMany(n, () => connect(opts.source, "source"));
      opened.push(...srcs);
      const tgts = await openMany(n, () => connect(opts.target, "target"));
      opened.push(...tgts);
      for (const s of srcs) await joinSnapshot(s, snapshot);
      const earlyClients = await openPostClients(jobs);
      const early = new EarlyIndexBuilder(earlyClients, items, done, new Set(tables.map((t) => t.qualified)));
      const unitsLeft = new Map<string, number>();
      for (const t of tasks) unitsLeft.set(t.table.qualified, (unitsLeft.get(t.table.qualified) ?? 0) + 1);
      // Tables finished by an earlier run can have their indexes built right away.
      for (const t of tables) if (!unitsLeft.has(t.qualified)) early.tableDone(t.qualified);
      const workers = srcs.map((s, i) => ({ s, t: tgts[i] }));
      try {
        await runPool(
          tasks,
          workers,
          async (task, w) => {
            const tp = progress.begin(task);
            try {
              await copyTask(w.s, w.t, task, tp, (b, r) => progress.chunk(b, r));
            } catch (err) {
              throw new ImportError(
                `copying table ${task.table.qualified} failed: ${scrub(String((err as Error).message), opts.source, opts.target)}`,
                "copy",
              );
            }
            progress.end(task);
            const left = (unitsLeft.get(task.table.qualified) ?? 1) - 1;
            unitsLeft.set(task.table.qualified, left);
            if (left === 0) early.tableDone(task.table.qualified);
          },
          () => {
            early.abort();
            [...srcs, ...tgts].forEach(dropConnection);
          },
        );
      } catch (err) {
        early.abort();
        await early.finish().catch(() => undefined);
        throw err;
      }
      for (const s of srcs) await s.query("COMMIT").catch(() => undefined);
      await snap.query("COMMIT").catch(() => undefined);
      progress.phase("data", `rows copied; finishing ${early.built} early index build(s)`);
      try {
        await early.finish();
      } catch (err) {
        throw new ImportError(
          `post-data failed: ${scrub((err as Error).message, opts.source, opts.target)}`,
          "copy",
        );
      }
      log(`data: done; ${early.built} index(es)/key(s) built while copying`);
      await release([...srcs, ...tgts, ...earlyClients]);
      await setPhase(target, "post-data");
      phase = "post-data";
    }
    await snap.query("COMMIT").catch(() => undefined);
    await release([snap]);

    if (phase === "post-data") {
      progress.phase("post-data", `building ${items.length} index(es), constraint(s) and trigger(s)`);
      const tgts = await openPostClients(Math.min(jobs, Math.max(1, items.length)));
      done = new Set((await doneItems(target)).keys());
      try {
        await runPostData(tgts, items, done, log);
      } catch (err) {
        throw new ImportError(
          `post-data failed: ${scrub((err as Error).message, opts.source, opts.target)}`,
          "copy",
        );
      }
      await release(tgts);
      await setPhase(target, "finalize");
      phase = "finalize";
    }

    if (phase === "finalize") {
      progress.phase("finalize", "sequences, large objects, ANALYZE");
      const nseq = await copySequences(source, target, scope);
      done = new Set((await doneItems(target)).keys());
      const n = Math.max(1, Math.min(jobs, 4));
      const srcs = await openMany(n, () => connect(opts.source, "source"));
      const tgts = await openMany(n, () => connect(opts.target, "target"));
      opened.push(...srcs, ...tgts);
      const nlo = await copyLargeObjects(srcs, tgts, done);
      await analyzeTables(tgts, scope);
      log(`finalize: ${nseq} sequence(s), ${nlo} large object(s), ANALYZE done`);
      await release([...srcs, ...tgts]);
      await setPhase(target, "verify");
      phase = "verify";
    }

    progress.phase("verify", "comparing source and target");
    const report = await verifyDatabases(opts.source, opts.target, { ...scope, jobs, log });
    const evidence = await activity.end(source);
    if (sourceChanged(evidence)) throw sourceChangedError(evidence, report);
    if (!report.equal) {
      throw new ImportError(
        `verification failed: the target differs from the source:\n  ${report.differences.slice(0, 30).join("\n  ")}` +
          (report.differences.length > 30 ? `\n  … and ${report.differences.length - 30} more` : "") +
          "\nThe target stays marked incomplete; a re-run only verifies again. " +
          (resumed
            ? "This run resumed an interrupted import: rows copied before the interruption were read from the source as it was then. "
            : "") +
          "If the source was written to during the import, stop writes to it (maintenance mode, workers scaled to 0), " +
          "then empty the target database (or use a new one) and import again.",
        "verify",
      );
    }
    const recorded = await doneItems(target);
    const bytes = [...recorded.entries()]
      .filter(([k]) => k.startsWith("data:"))
      .reduce((a, [, v]) => a + v.bytes, 0);
    const result: ImportResult = {
      importId,
      tables: report.tables.length,
      rows: report.rows,
      bytes,
      durationMs: Date.now() - started,
      sourceServerVersion: pf.sourceServerVersion,
      fingerprint: report.fingerprint,
      verification: report.tables,
      objectCounts: report.targetCounts,
      resumed,
      sourceActivity: evidence,
    };
    log(describeQuiet(evidence));
    await markComplete(target, result);
    progress.phase("complete", "verified equal");
    log(`import ${importId} complete: ${result.tables} table(s), ${result.rows} row(s), verified equal`);
    return result;
  } catch (err) {
    if (err instanceof ImportError) {
      err.message = scrub(err.message, opts.source, opts.target);
      throw err;
    }
    throw new ImportError(scrub(String((err as Error)?.message ?? err), opts.source, opts.target), "copy");
  } finally {
    await Promise.all(opened.map((c) => c.end().catch(() => undefined)));
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}
