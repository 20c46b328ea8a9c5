/**
 * `npm run import -- --source URL --target URL [options]`: the copy engine as a command, for
 * rehearsals before the real cutover. URLs may also come from SOURCE_DATABASE_URL and
 * TARGET_DATABASE_URL (keeps passwords out of the process list). Progress goes to stderr.
 *
 * Exit codes: 0 done (verified equal), 1 verification found differences, 2 usage error,
 * 3 cannot connect (unreachable, auth, TLS), 4 refused by pre-flight (non-empty target, versions,
 * extensions, same database), 5 the copy failed (re-run to resume), 6 not final: the source was
 * written to during the import (its tables are named), 130/143/129 stopped by
 * SIGINT/SIGTERM/SIGHUP (re-run to resume).
 *
 * Stopping: SIGINT, SIGTERM or SIGHUP (npm passes its own on: the `import` script execs into this
 * process), or the parent process going away, stops the import within seconds:
 * the engine drops its connections, the servers roll back the units in flight, and the marker in
 * the target stays resumable. A second signal exits at once (equally safe: nothing half-done is
 * ever recorded).
 *
 * A run that copied the whole database (exit 0, or 6: not a resumed run, nor one that found the
 * import already complete) is recorded as a rehearsal (source size, wall
 * time: components/cutover/rehearsals), from which the migration report estimates the cutover's
 * freeze window; `--no-rehearsal-record` skips that, `--rehearsal-record FILE` puts it elsewhere.
 */
import * as os from "os";
import {
  ImportError,
  ImportOptions,
  ImportProgress,
  importDatabase,
  preflight,
  verifyDatabases,
} from "../components/data/engine";
import { maskUrl, parsePostgresUrl, redactor } from "../components/data/postgres-url";
import { recordRehearsal, rehearsalsFile } from "../components/cutover/rehearsals";
import { measureDatabaseSize } from "../components/cutover/source-size";

const USAGE = `usage: npm run import -- --source URL --target URL [--jobs N]
  [--include-schema S]… [--exclude-schema S]… [--include-table T]… [--exclude-table T]…
  [--allow-non-empty-target] [--import-id ID] [--split-larger-than-mb N] [--pg-bin-dir DIR]
  [--verify-only] [--preflight-only] [--json] [--verbose]
  [--rehearsal-record FILE | --no-rehearsal-record]
URLs can also be given as SOURCE_DATABASE_URL / TARGET_DATABASE_URL.`;

interface Cli {
  opts: ImportOptions;
  verifyOnly: boolean;
  preflightOnly: boolean;
  json: boolean;
  /** Where to record the run's figures; null = not recorded; undefined = the default file. */
  rehearsalRecord?: string | null;
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Cli {
  const o: Partial<ImportOptions> & {
    includeSchemas: string[];
    excludeSchemas: string[];
    includeTables: string[];
    excludeTables: string[];
  } = {
    includeSchemas: [],
    excludeSchemas: [],
    includeTables: [],
    excludeTables: [],
  };
  let source = env.SOURCE_DATABASE_URL;
  let target = env.TARGET_DATABASE_URL;
  let verifyOnly = false;
  let preflightOnly = false;
  let json = false;
  let rehearsalRecord: string | null | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case "--source":
        source = value();
        break;
      case "--target":
        target = value();
        break;
      case "--jobs": {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) throw new UsageError("--jobs must be a positive integer");
        o.jobs = n;
        break;
      }
      case "--include-schema":
        o.includeSchemas.push(value());
        break;
      case "--exclude-schema":
        o.excludeSchemas.push(value());
        break;
      case "--include-table":
        o.includeTables.push(value());
        break;
      case "--exclude-table":
        o.excludeTables.push(value());
        break;
      case "--allow-non-empty-target":
        o.allowNonEmptyTarget = true;
        break;
      case "--import-id":
        o.importId = value();
        break;
      case "--pg-bin-dir":
        o.pgBinDir = value();
        break;
      case "--split-larger-than-mb":
        o.splitTablesLargerThanBytes = Number(value()) * 1024 * 1024;
        break;
      case "--verify-only":
        verifyOnly = true;
        break;
      case "--preflight-only":
        preflightOnly = true;
        break;
      case "--json":
        json = true;
        break;
      case "--verbose":
        o.verbose = true;
        break;
      case "--rehearsal-record":
        rehearsalRecord = value();
        break;
      case "--no-rehearsal-record":
        rehearsalRecord = null;
        break;
      case "-h":
      case "--help":
        throw new UsageError("");
      default:
        throw new UsageError(`unknown argument ${maskUrl(a)}`);
    }
  }
  if (!source || !target) throw new UsageError("--source and --target are required");
  for (const [url, what] of [
    [source, "--source (or SOURCE_DATABASE_URL)"],
    [target, "--target (or TARGET_DATABASE_URL)"],
  ]) {
    try {
      parsePostgresUrl(url, what);
    } catch (err) {
      throw new UsageError(redactor([url])((err as Error).message));
    }
  }
  return {
    opts: { ...o, source: { url: source }, target: { url: target } } as ImportOptions,
    verifyOnly,
    preflightOnly,
    json,
    ...(rehearsalRecord !== undefined ? { rehearsalRecord } : {}),
  };
}

class UsageError extends Error {}

const mb = (b: number) => (b / 1048576).toFixed(1);
const dur = (s: number | undefined) =>
  s === undefined || !Number.isFinite(s)
    ? "?"
    : s >= 3600
      ? `${(s / 3600).toFixed(1)}h`
      : s >= 60
        ? `${Math.floor(s / 60)}m${Math.round(s % 60)}s`
        : `${Math.round(s)}s`;

/** One status line: overall bar, tables, rows, MB, MB/s, ETA and the busiest tables. */
export function progressLine(p: ImportProgress, width = 24): string {
  if (p.phase !== "data") return `[${p.phase}] ${p.message ?? ""}`;
  const frac = p.estimatedBytes > 0 ? Math.min(1, p.bytes / p.estimatedBytes) : 0;
  const fill = Math.round(frac * width);
  const bar = "#".repeat(fill) + "-".repeat(width - fill);
  const active = p.active
    .slice(0, 3)
    .map((t) => `${t.table} ${t.rows} rows ${mb(t.bytes)}MB`)
    .join(", ");
  return (
    `[data] [${bar}] ${p.tablesDone}/${p.tablesTotal} tables ${p.rows} rows ${mb(p.bytes)}/${mb(p.estimatedBytes)} MB ` +
    `${mb(p.bytesPerSecond)} MB/s ETA ${dur(p.etaSeconds)}${active ? ` | ${active}` : ""}`
  );
}

/**
 * Calls `gone` once the process that launched this one ends without passing a signal on (e.g.
 * npm killed with SIGKILL, or a shell wrapper that dies on SIGTERM): this process is then
 * re-parented, and stops rather than run on unseen. (`npm run import` execs into this process, so
 * npm's own signals reach it directly.)
 */
function watchParent(gone: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      gone();
    }
  }, 250);
  timer.unref();
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

function exitCode(err: unknown, stoppedBy: string | undefined): number {
  if (err instanceof UsageError) return 2;
  if (!(err instanceof ImportError)) return 5;
  if (err.code === "interrupted") return SIGNAL_EXIT[stoppedBy ?? "SIGTERM"] ?? 143;
  switch (err.code) {
    case "verify":
      return 1;
    case "source-changed":
      return 6;
    case "config":
      return 2;
    case "unreachable":
    case "auth":
    case "tls":
      return 3;
    case "copy":
      return 5;
    default:
      return 4;
  }
}

async function main(): Promise<number> {
  let cli: Cli;
  try {
    cli = parseArgs(process.argv.slice(2), process.env);
  } catch (err) {
    const m = (err as Error).message;
    process.stderr.write((m ? `error: ${m}\n` : "") + USAGE + "\n");
    return 2;
  }
  const tty = process.stderr.isTTY === true;
  let lastPrinted = 0;
  const redact = redactor([cli.opts.source.url, cli.opts.target.url]);
  const stop = new AbortController();
  let stoppedBy: string | undefined;
  const onStop = (why: string) => {
    if (stoppedBy !== undefined) {
      // Second request: leave now. Nothing half-done is recorded, so this is safe too.
      process.stderr.write(`\n${why} again: exiting now; run the same command again to resume\n`);
      process.exit(SIGNAL_EXIT[why] ?? 143);
    }
    stoppedBy = why;
    process.stderr.write(
      `${tty ? "\n" : ""}${why}: stopping the import (the units in flight are rolled back)…\n`,
    );
    stop.abort(why);
    // The engine settles within seconds; should it not, leave anyway.
    setTimeout(() => process.exit(SIGNAL_EXIT[why] ?? 143), 15000).unref();
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => onStop(sig));
  watchParent(() => onStop("SIGTERM"));
  const opts: ImportOptions = {
    ...cli.opts,
    signal: stop.signal,
    log: (line) => process.stderr.write(`${tty ? "\r\x1b[K" : ""}${line}\n`),
    onProgress: (p) => {
      const now = Date.now();
      if (tty)
        process.stderr.write(`\r\x1b[K${progressLine(p).slice(0, (process.stderr.columns ?? 120) - 1)}`);
      else if (now - lastPrinted > 2000 || p.phase !== "data") {
        lastPrinted = now;
        process.stderr.write(progressLine(p) + "\n");
      }
    },
  };
  try {
    if (cli.preflightOnly) {
      const r = await preflight(opts);
      process.stdout.write(JSON.stringify(r, null, 2) + "\n");
      return 0;
    }
    if (cli.verifyOnly) {
      const r = await verifyDatabases(opts.source, opts.target, { ...opts });
      if (cli.json) process.stdout.write(JSON.stringify(r, null, 2) + "\n");
      for (const d of r.differences) process.stderr.write(`difference: ${d}\n`);
      process.stderr.write(
        r.equal
          ? `verified equal: ${r.tables.length} tables, ${r.rows} rows, fingerprint ${r.fingerprint}\n`
          : "NOT equal\n",
      );
      return r.equal ? 0 : 1;
    }
    const sizeAtStart = cli.rehearsalRecord === null ? null : await measureDatabaseSize(opts.source.url);
    const started = Date.now();
    const rehearsal = (
      outcome: "verified" | "not-final",
      r?: { bytes: number; rows: number; tables: number },
    ) => {
      if (cli.rehearsalRecord === null || sizeAtStart === null) return;
      const file = cli.rehearsalRecord ?? rehearsalsFile(process.cwd());
      const { host, port, database } = parsePostgresUrl(opts.source.url);
      const durationMs = Date.now() - started;
      recordRehearsal(file, {
        at: new Date().toISOString(),
        source: { host, port, database },
        databaseBytes: sizeAtStart,
        copiedBytes: r?.bytes ?? 0,
        rows: r?.rows ?? 0,
        tables: r?.tables ?? 0,
        durationMs,
        jobs: opts.jobs ?? os.cpus().length,
        outcome,
      });
      process.stderr.write(
        `rehearsal recorded in ${file}: ${mb(sizeAtStart)} MB database in ${dur(durationMs / 1000)} ` +
          `(${mb(sizeAtStart / (durationMs / 1000))} MB/s), for the migration report's freeze window\n`,
      );
    };
    let r: Awaited<ReturnType<typeof importDatabase>>;
    try {
      r = await importDatabase(opts);
    } catch (err) {
      if (err instanceof ImportError && err.code === "source-changed") rehearsal("not-final");
      throw err;
    }
    if (tty) process.stderr.write("\n");
    // Only a run that copied the whole database measures its throughput: a resumed one copied part
    // of it, and one that found the import complete copied nothing.
    if (!r.resumed && !r.alreadyComplete) rehearsal("verified", r);
    if (cli.json) process.stdout.write(JSON.stringify(r, null, 2) + "\n");
    process.stderr.write(
      `done: import ${r.importId}${r.resumed ? " (resumed)" : ""}: ${r.tables} tables, ${r.rows} rows, ${mb(r.bytes)} MB in ${dur(r.durationMs / 1000)}, ` +
        `verified equal, fingerprint ${r.fingerprint}\n`,
    );
    return 0;
  } catch (err) {
    if (tty) process.stderr.write("\n");
    // ImportError messages are masked by the engine; anything else is masked here too.
    const msg = err instanceof ImportError ? err.message : String((err as Error)?.message ?? err);
    process.stderr.write(
      `${err instanceof ImportError && err.code === "interrupted" ? "stopped" : "error"}: ${redact(msg)}\n`,
    );
    return exitCode(err, stoppedBy);
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      // main reports its own errors; reaching here is a bug, so say where and fail.
      console.error(`import: unexpected error: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
