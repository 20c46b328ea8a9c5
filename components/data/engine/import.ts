/**
 * importDatabase: pre-flight → source watch → schema → pre-data → data → post-data → finalize →
 * verify → complete, each phase a function of the run (./run), resumable at every step from the
 * marker kept in the target.
 */
import { randomUUID } from "crypto";
import type { Client } from "pg";
import { connect, maskUrl, scrub } from "./connection";
import { runDataPhase, MAINTENANCE_MEM } from "./data-phase";
import { analyzeTables, copyLargeObjects, copySequences } from "./finalize";
import {
  doneItems,
  ensureMarkerTables,
  forgetTargetChecks,
  markComplete,
  readMarker,
  setPhase,
  writeNewMarker,
} from "./marker";
import { runPostData } from "./post-data";
import { preflightWith } from "./preflight";
import { ImportRun } from "./run";
import { runPreData, snapshotAndSchema } from "./schema";
import {
  ImportError,
  ImportMarker,
  ImportOptions,
  ImportResult,
  SourceActivityReport,
  VerificationReport,
} from "./types";
import { verifyImport } from "./verify";
import { describeQuiet, SourceActivity, sourceChanged, sourceChangedError } from "./source-activity";

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

/**
 * Opens both main sessions, takes the target's lock, runs the pre-flight checks and decides from
 * the marker: a fresh import, a resume, or nothing to do. Writes nothing but, for a fresh or
 * resumed import, the marker tables.
 */
async function prepare(run: ImportRun): Promise<"complete" | "run"> {
  const { opts, log } = run;
  run.source = await run.open("source");
  run.target = await run.open("target");
  await lockTarget(run.target, opts.target.url);
  run.preflight = await preflightWith(opts, run.source, run.target);
  const pf = run.preflight.report;
  for (const w of pf.warnings) log(`warning: ${w}`);
  log(
    `source ${pf.source} (PostgreSQL ${pf.sourceServerVersion}) → target ${pf.target} (PostgreSQL ${pf.targetServerVersion}); ` +
      `${pf.tables.length} table(s), ~${(pf.estimatedBytes / 1048576).toFixed(1)} MiB, estimated ${pf.estimatedSeconds}s with ${run.jobs} job(s)`,
  );
  if (pf.action === "complete" && pf.marker?.result) {
    log(
      `import ${pf.marker.importId} already complete and verified (${pf.marker.completedAt}): nothing to do`,
    );
    return "complete";
  }
  run.resumed = pf.action === "resume";
  run.importId = run.resumed ? pf.marker!.importId : (opts.importId ?? randomUUID());
  run.phase = run.resumed ? pf.marker!.phase : "pre-data";
  await ensureMarkerTables(run.target);
  if (!run.resumed) {
    await writeNewMarker(run.target, run.importId, pf.sourceIdentity);
  } else {
    log(`resuming import ${run.importId} at phase ${run.phase}`);
    // Each run reads its own snapshot: units copied earlier show the source as it was then.
    log(
      `warning: rows copied before the interruption were read from the source as of that run (started ${pf.marker!.startedAt}); ` +
        "if the source was written to since, the target must be emptied and imported again",
    );
    // The target may have changed since the last run: its checksums are read again.
    await forgetTargetChecks(run.target);
  }
  return "run";
}

/**
 * Reads the source's write counters before the snapshot (./source-activity; a resumed import
 * keeps its first run's baseline): a write in between is reported, never missed.
 */
async function watchSource(run: ImportRun): Promise<SourceActivity> {
  return SourceActivity.begin(
    run.source,
    run.target,
    run.importId,
    run.scope,
    run.opts.sourceActivity ?? {},
    run.log,
  );
}

/** Builds what post-data items are left (most wave-1 items were built during the data phase). */
async function postDataPhase(run: ImportRun): Promise<void> {
  const items = run.schema!.postItems;
  run.progress.phase("post-data", `building ${items.length} index(es), constraint(s) and trigger(s)`);
  const done = new Set((await doneItems(run.target)).keys());
  const left = items.filter((i) => !done.has(i.key)).length;
  const targets = await run.openMany("target", Math.min(run.jobs, Math.max(1, left)));
  try {
    for (const c of targets) {
      if (run.schema!.postPreamble) await c.query(run.schema!.postPreamble);
      await c.query(MAINTENANCE_MEM);
    }
    await runPostData(targets, items, done, run.log);
  } catch (err) {
    run.checkStopped();
    throw new ImportError(`post-data failed: ${(err as Error).message}`, "copy");
  } finally {
    await run.release(targets);
  }
}

/** Sequences, large objects and planner statistics (all idempotent). */
async function finalizePhase(run: ImportRun): Promise<void> {
  run.progress.phase("finalize", "sequences, large objects, ANALYZE");
  const nseq = await copySequences(run.source, run.target, run.scope);
  const done = new Set((await doneItems(run.target)).keys());
  const n = Math.max(1, Math.min(run.jobs, 4));
  const sources = await run.openMany("source", n);
  const targets = await run.openMany("target", n);
  try {
    const nlo = await copyLargeObjects(sources, targets, done);
    await analyzeTables(targets, run.scope, run.analyzed);
    run.log(`finalize: ${nseq} sequence(s), ${nlo} large object(s), ANALYZE done`);
  } finally {
    await run.release([...sources, ...targets]);
  }
}

function verificationFailed(run: ImportRun, report: VerificationReport): ImportError {
  return new ImportError(
    `verification failed: the target differs from the source:\n  ${report.differences.slice(0, 30).join("\n  ")}` +
      (report.differences.length > 30 ? `\n  … and ${report.differences.length - 30} more` : "") +
      "\nThe target stays marked incomplete; a re-run only verifies again. " +
      (run.resumed
        ? "This run resumed an interrupted import: rows copied before the interruption were read from the source as it was then. "
        : "") +
      "If the source was written to during the import, stop writes to it (maintenance mode, workers scaled to 0), " +
      "then empty the target database (or use a new one) and import again.",
    "verify",
  );
}

/** Records the verified result in the marker (the only place an import becomes complete). */
async function completePhase(
  run: ImportRun,
  report: VerificationReport,
  sourceActivity: SourceActivityReport,
): Promise<ImportResult> {
  const recorded = await doneItems(run.target);
  const bytes = [...recorded.entries()]
    .filter(([k]) => k.startsWith("data:"))
    .reduce((a, [, v]) => a + v.bytes, 0);
  const result: ImportResult = {
    importId: run.importId,
    tables: report.tables.length,
    rows: report.rows,
    bytes,
    durationMs: Date.now() - run.started,
    sourceServerVersion: run.preflight.report.sourceServerVersion,
    fingerprint: report.fingerprint,
    verification: report.tables,
    objectCounts: report.targetCounts,
    resumed: run.resumed,
    sourceActivity,
  };
  run.log(describeQuiet(sourceActivity));
  await markComplete(run.target, result);
  run.progress.phase("complete", "verified equal");
  run.log(
    `import ${run.importId} complete: ${result.tables} table(s), ${result.rows} row(s), verified equal`,
  );
  return result;
}

/** Copies, verifies and records a database; see docs/import.md for the guarantees. */
export async function importDatabase(opts: ImportOptions): Promise<ImportResult> {
  const run = new ImportRun(opts);
  try {
    if ((await prepare(run)) === "complete") {
      return { ...run.preflight.report.marker!.result!, resumed: false, alreadyComplete: true };
    }
    const activity = await watchSource(run);
    const toc = await snapshotAndSchema(run);
    if (run.phase === "pre-data") {
      await runPreData(run, toc);
      run.phase = "data";
    }
    if (run.phase === "data") {
      await runDataPhase(run);
      await setPhase(run.target, (run.phase = "post-data"));
    }
    await run.snapshot!.client.query("COMMIT");
    await run.release([run.snapshot!.client]);
    if (run.phase === "post-data") {
      await postDataPhase(run);
      await setPhase(run.target, (run.phase = "finalize"));
    }
    if (run.phase === "finalize") {
      await finalizePhase(run);
      await setPhase(run.target, (run.phase = "verify"));
    }
    run.progress.phase("verify", "comparing source and target");
    const report = await verifyImport(run);
    // Verification compares the target with the snapshot; writes since are the evidence's to judge.
    const evidence = await activity.end(run.source);
    if (sourceChanged(evidence)) throw sourceChangedError(evidence, report);
    if (!report.equal) throw verificationFailed(run, report);
    return await completePhase(run, report, evidence);
  } catch (err) {
    if (run.stopped) throw run.interrupted();
    if (err instanceof ImportError) {
      err.message = scrub(err.message, opts.source, opts.target);
      throw err;
    }
    throw new ImportError(scrub(String((err as Error)?.message ?? err), opts.source, opts.target), "copy");
  } finally {
    await run.close();
  }
}
