/**
 * Pre-flight: everything checked before a single byte is written to the target.
 */
import { randomUUID } from "crypto";
import * as os from "os";
import type { Client } from "pg";
import {
  availableExtensions,
  databaseLocale,
  explainUnreadable,
  listExtensions,
  listTables,
  listUserObjects,
  serverInfo,
  ServerInfo,
  unreadableObjects,
} from "./catalog";
import { connect, maskUrl, parseUrl } from "./connection";
import { readMarker, sameSource } from "./marker";
import { checkToolVersion, findPgTools, PgTools } from "./pg-tools";
import { ImportError, PreflightOptions, PreflightReport, SourceIdentity } from "./types";

/** A conservative per-job copy rate for the estimate (COPY text, loopback measured ≈ 75 MB/s). */
const ESTIMATE_BYTES_PER_SECOND_PER_JOB = 20 * 1024 * 1024;

export interface PreflightContext {
  report: PreflightReport;
  tools: PgTools;
  sourceInfo: ServerInfo;
  targetInfo: ServerInfo;
}

export function sourceIdentity(url: string, info: ServerInfo): SourceIdentity {
  const p = parseUrl({ url });
  return { host: p.host, port: p.port, database: p.database, systemIdentifier: info.systemIdentifier };
}

/**
 * Source and target must be different databases: the import would otherwise write its marker and
 * restore the schema into the database it reads. Two URLs can name one database in many ways
 * (host aliases, IP vs name, a proxy), so the servers are compared: their system identifiers and
 * database names, or, when the identifier is not readable, whether the target's session shows up
 * in the source server's pg_stat_activity in the same database.
 */
async function refuseSameDatabase(
  opts: PreflightOptions,
  source: Client,
  target: Client,
  sourceInfo: ServerInfo,
  targetInfo: ServerInfo,
): Promise<void> {
  const db = async (c: Client) => (await c.query("SELECT current_database() AS d")).rows[0].d as string;
  const [sdb, tdb] = [await db(source), await db(target)];
  let same: boolean;
  let how: string;
  if (sourceInfo.systemIdentifier && targetInfo.systemIdentifier) {
    same = sourceInfo.systemIdentifier === targetInfo.systemIdentifier && sdb === tdb;
    how = `server system identifier ${sourceInfo.systemIdentifier}`;
  } else {
    const token = `h2h-probe-${randomUUID()}`;
    await target.query(`SET application_name = '${token}'`);
    try {
      const r = await source.query(
        "SELECT datname FROM pg_catalog.pg_stat_activity WHERE application_name = $1",
        [token],
      );
      same = r.rows.some((x) => x.datname === sdb);
    } finally {
      await target.query("SET application_name = 'heroku-to-hasura-import'");
    }
    how = "the target's session is visible on the source server";
  }
  if (same) {
    throw new ImportError(
      `source and target are the same database (${maskUrl(opts.target.url)}: ${how}, database ${sdb}): ` +
        "the import would write into the database it reads; point the target at another (empty) database",
      "same-database",
    );
  }
}

/** Runs the checks with already-open clients (the import keeps using them). */
export async function preflightWith(
  opts: PreflightOptions,
  source: Client,
  target: Client,
): Promise<PreflightContext> {
  const warnings: string[] = [];
  const tools = findPgTools(opts.pgBinDir);
  const sourceInfo = await serverInfo(source);
  const targetInfo = await serverInfo(target);
  await refuseSameDatabase(opts, source, target, sourceInfo, targetInfo);
  checkToolVersion(tools, sourceInfo.versionNum, sourceInfo.version);
  if (Math.floor(targetInfo.versionNum / 10000) < Math.floor(sourceInfo.versionNum / 10000)) {
    warnings.push(
      `the target server (PostgreSQL ${targetInfo.version}) is older than the source (${sourceInfo.version}): ` +
        "schema features of the newer version may fail to restore",
    );
  }

  const [se, te] = [await databaseLocale(source), await databaseLocale(target)];
  if (se.encoding !== te.encoding) {
    throw new ImportError(
      `the target database's encoding is ${te.encoding}, the source's ${se.encoding}: text the target ` +
        `cannot represent would fail mid-copy and checksums would differ; create the target database ` +
        `with ENCODING '${se.encoding}' (TEMPLATE template0)`,
      "encoding",
    );
  }
  if (se.collate !== te.collate || se.ctype !== te.ctype) {
    warnings.push(
      `the target database's collation (${te.collate}/${te.ctype}) differs from the source's ` +
        `(${se.collate}/${se.ctype}): rows copy unchanged, but ORDER BY on text and text indexes ` +
        "sort differently for the apps; create the target database with the source's LC_COLLATE/LC_CTYPE to keep them",
    );
  }

  const exts = await listExtensions(source);
  const avail = await availableExtensions(target);
  const extensions = exts.map((e) => ({ ...e, availableOnTarget: avail.has(e.name) }));
  const missing = extensions.filter((e) => !e.availableOnTarget).map((e) => e.name);
  if (missing.length) {
    throw new ImportError(
      `the target server cannot install extension(s) used by the source: ${missing.join(", ")} ` +
        "(install their packages on the target server image)",
      "extension",
    );
  }
  const onTarget = new Map((await listExtensions(target)).map((e) => [e.name, e.schema]));
  const misplaced = extensions.filter((e) => onTarget.has(e.name) && onTarget.get(e.name) !== e.schema);
  if (misplaced.length) {
    throw new ImportError(
      "extension(s) installed on the target in another schema than on the source: " +
        misplaced.map((e) => `${e.name} (source: ${e.schema}, target: ${onTarget.get(e.name)})`).join(", ") +
        "; column types name the schema, so create them in the source's schema (Heroku: heroku_ext)",
      "extension",
    );
  }
  const needsSuper = extensions.filter((e) => {
    const a = avail.get(e.name);
    return a && !a.installed && !a.trusted && !targetInfo.isSuperuser;
  });
  if (needsSuper.length) {
    throw new ImportError(
      `extension(s) ${needsSuper.map((e) => e.name).join(", ")} are not trusted and the target user is not a superuser: ` +
        "create them on the target beforehand (the TargetDatabase resource does) or import as a superuser",
      "extension",
    );
  }

  const tables = await listTables(source, opts);
  const unreadable = await unreadableObjects(
    source,
    opts,
    tables.map((t) => t.oid),
  );
  if (unreadable.length) throw new ImportError(explainUnreadable(unreadable, "source user"), "privileges");
  const estimatedBytes = tables.reduce((a, t) => a + t.bytes, 0);
  const jobs = Math.max(1, opts.jobs ?? os.cpus().length);
  const identity = sourceIdentity(opts.source.url, sourceInfo);
  const marker = await readMarker(target);
  const targetObjects = await listUserObjects(target);

  let action: PreflightReport["action"] = "fresh";
  const targetName = maskUrl(opts.target.url);
  if (marker) {
    if (!sameSource(marker.source, identity)) {
      throw new ImportError(
        `target ${targetName} holds import ${marker.importId} from another source ` +
          `(${marker.source.host}:${marker.source.port}/${marker.source.database}); use an empty target database`,
        "other-import",
      );
    }
    if (opts.importId && opts.importId !== marker.importId && !opts.allowNonEmptyTarget) {
      throw new ImportError(
        `target ${targetName} holds import ${marker.importId} (${marker.completedAt ? "complete" : "incomplete"}); ` +
          `a new importId (${opts.importId}) needs an empty target database`,
        "non-empty-target",
      );
    }
    action =
      opts.importId && opts.importId !== marker.importId
        ? "fresh"
        : marker.completedAt
          ? "complete"
          : "resume";
  } else if (targetObjects.length && !opts.allowNonEmptyTarget) {
    throw new ImportError(
      `target ${targetName} is not empty (no import marker found); it holds:\n  ${targetObjects.join("\n  ")}\n` +
        "import into an empty database, or set allowNonEmptyTarget to copy alongside these objects",
      "non-empty-target",
    );
  }
  if (action === "fresh" && marker && opts.allowNonEmptyTarget) {
    warnings.push(
      `starting import ${opts.importId} over the previous import ${marker.importId} in the same target`,
    );
  }

  const report: PreflightReport = {
    source: maskUrl(opts.source.url),
    target: targetName,
    sourceServerVersion: sourceInfo.version,
    targetServerVersion: targetInfo.version,
    pgDumpVersion: tools.version,
    pgBinDir: tools.binDir,
    sourceIdentity: identity,
    extensions,
    tables: tables.map((t) => ({
      table: t.qualified,
      estimatedBytes: t.bytes,
      estimatedRows: t.estimatedRows,
    })),
    estimatedBytes,
    estimatedSeconds: Math.ceil(estimatedBytes / (ESTIMATE_BYTES_PER_SECOND_PER_JOB * jobs)),
    marker,
    action,
    targetObjects,
    warnings,
  };
  return { report, tools, sourceInfo, targetInfo };
}

/** Connects to both ends and checks everything; writes nothing. */
export async function preflight(opts: PreflightOptions): Promise<PreflightReport> {
  const source = await connect(opts.source, "source");
  try {
    const target = await connect(opts.target, "target");
    try {
      return (await preflightWith(opts, source, target)).report;
    } finally {
      await target.end().catch(() => undefined);
    }
  } finally {
    await source.end().catch(() => undefined);
  }
}
