/**
 * The schema: the source's snapshot exported for the whole run, its schema dumped with pg_dump on
 * that snapshot, and the pre-data phase (extensions, then the pre-data SQL, in one target
 * transaction together with the marker's move to the data phase).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { databaseSearchPath, listExtensions, listTables } from "./catalog";
import { quoteIdent, quoteLiteral } from "./connection";
import { setPhase } from "./marker";
import { planPostData } from "./post-data";
import { dumpSchema, listToc, restoreSql, splitSql, TocEntry } from "./pg-tools";
import { ImportRun } from "./run";
import { ImportError } from "./types";

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

/**
 * Exports one snapshot (kept open until the data phase ends: every table is read at one instant)
 * and dumps the schema on it; lists the tables to copy and plans the post-data items.
 */
export async function snapshotAndSchema(run: ImportRun): Promise<TocEntry[]> {
  const snap = await run.open("source");
  await snap.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  const id = (await snap.query("SELECT pg_catalog.pg_export_snapshot() AS s")).rows[0].s as string;
  run.snapshot = { client: snap, id };

  removeStaleWorkDirs();
  run.workDir = fs.mkdtempSync(path.join(os.tmpdir(), `${WORK_DIR_PREFIX}${process.pid}-`));
  const dumpFile = path.join(run.workDir, "schema.dump");
  run.progress.phase("pre-data", "dumping the schema");
  await dumpSchema(run.preflight.tools, run.opts.source, dumpFile, {
    snapshot: id,
    includeSchemas: run.opts.includeSchemas,
    excludeSchemas: run.opts.excludeSchemas,
    signal: run.signal,
  });
  const toc = await listToc(run.preflight.tools, dumpFile);
  const post = splitSql(
    await restoreSql(run.preflight.tools, dumpFile, toc, path.join(run.workDir, "post.list"), "post-data"),
  );
  run.schema = { dumpFile, postPreamble: post.preamble, postItems: planPostData(post.items) };
  // The table list is read on the snapshot too: a table created meanwhile is in neither.
  run.tables = await listTables(snap, run.scope);
  return toc;
}

/** Pre-data SQL without what we handle ourselves (extensions and their comments). */
function preDataEntries(toc: TocEntry[]): TocEntry[] {
  return toc.filter(
    (e) =>
      e.type !== "EXTENSION" &&
      !(e.type === "COMMENT" && e.schema === "-" && e.name.startsWith("EXTENSION ")),
  );
}

/** Creates extensions and the pre-data objects; commits with the marker's phase moving to `data`. */
export async function runPreData(run: ImportRun, toc: TocEntry[]): Promise<void> {
  const tools = run.preflight.tools;
  const sql = await restoreSql(
    tools,
    run.schema!.dumpFile,
    preDataEntries(toc),
    path.join(run.workDir!, "pre.list"),
    "pre-data",
  );
  const extensions = await listExtensions(run.source);
  const searchPath = await databaseSearchPath(run.source);
  const target = run.target;
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
    run.log(`pre-data: ${toc.length} schema entries, ${extensions.length} extension(s)`);
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
        run.log(
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
  }
}
