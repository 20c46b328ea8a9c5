/**
 * Figures of `npm run import` rehearsals, kept so the migration report can estimate the final
 * import's freeze window from a measured throughput: one JSON file (default
 * `.heroku-to-hasura/rehearsals.json` in the project, or `HEROKU_TO_HASURA_REHEARSALS`), newest
 * last. No secrets: the source's host, port and database name, sizes and times.
 */
import * as fs from "fs";
import * as path from "path";

export const DEFAULT_REHEARSALS_FILE = ".heroku-to-hasura/rehearsals.json";
const KEEP = 50;

export interface RehearsalRecord {
  /** When the rehearsal finished (ISO 8601). */
  at: string;
  source: { host: string; port: number; database: string };
  /** `pg_database_size` of the source when the rehearsal started. */
  databaseBytes: number;
  /** Bytes of COPY text streamed. */
  copiedBytes: number;
  rows: number;
  tables: number;
  /** Wall time of the whole import, verification included. */
  durationMs: number;
  jobs: number;
  /** `verified`, or `not-final` (the source changed during it; the timing still holds). */
  outcome: "verified" | "not-final";
}

/** The file: `HEROKU_TO_HASURA_REHEARSALS`, else the default under `root`. */
export function rehearsalsFile(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(root, env.HEROKU_TO_HASURA_REHEARSALS || DEFAULT_REHEARSALS_FILE);
}

export function readRehearsals(file: string): RehearsalRecord[] {
  try {
    const doc = JSON.parse(fs.readFileSync(file, "utf8")) as { rehearsals?: RehearsalRecord[] };
    return Array.isArray(doc.rehearsals) ? doc.rehearsals : [];
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return [];
    throw new Error(`rehearsal records ${file} cannot be read: ${(e as Error).message}`, { cause: e });
  }
}

/** Appends a record (keeping the newest 50), written atomically. */
export function recordRehearsal(file: string, r: RehearsalRecord): void {
  const all = [...readRehearsals(file), r].slice(-KEEP);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ rehearsals: all }, null, 2) + "\n");
  fs.renameSync(tmp, file);
}

/** The newest rehearsal of the source `host:port/database`, or null. */
export function latestRehearsal(
  records: RehearsalRecord[],
  source: { host: string; port: number; database: string },
): RehearsalRecord | null {
  const same = records.filter(
    (r) =>
      r.source.host.toLowerCase() === source.host.toLowerCase() &&
      r.source.port === source.port &&
      r.source.database === source.database &&
      r.durationMs > 0,
  );
  return same.length ? same[same.length - 1] : null;
}
