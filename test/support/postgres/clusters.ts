/**
 * Two throwaway clusters shared by the data-engine tests of one mocha process: a TLS-only source
 * (like Heroku) holding the rich fixture database, and a plain target where each test creates its
 * own database. Stopped when the process exits.
 */
import * as fs from "fs";
import * as path from "path";
import { Client } from "pg";
import { PgCluster, startPgCluster } from "../../../scripts/lib/pg-cluster";

export interface EngineFixture {
  source: PgCluster;
  target: PgCluster;
  /** URL of the rich source database (TLS, sslmode=require). */
  sourceUrl: string;
  /** Creates an empty target database and returns its URL. */
  newTarget(prefix?: string): string;
}

let fixture: Promise<EngineFixture> | undefined;
let counter = 0;

export const RICH_SOURCE_SQL = path.join(__dirname, "rich-source.sql");

export function engineFixture(): Promise<EngineFixture> {
  fixture ??= (async () => {
    const [source, target] = await Promise.all([startPgCluster({ tls: true }), startPgCluster()]);
    source.createDatabase("rich");
    source.psql(fs.readFileSync(RICH_SOURCE_SQL, "utf8"), "rich");
    return {
      source,
      target,
      sourceUrl: source.url("rich"),
      newTarget(prefix = "t") {
        const name = `${prefix}_${process.pid}_${++counter}`;
        target.createDatabase(name);
        return target.url(name);
      },
    };
  })();
  return fixture;
}

/** Runs one query with a short-lived client. */
export async function query<T = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const c = new Client({ connectionString: url.replace("sslmode=require", "sslmode=no-verify") });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** Polls until `f` returns a truthy value (or throws after `ms`). */
export async function waitFor<T>(
  f: () => Promise<T | undefined | null | false>,
  ms = 30000,
  what = "condition",
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
