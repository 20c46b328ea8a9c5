/**
 * A throwaway Postgres cluster for the Hasura tests, with databases loaded from SQL files: the
 * foreign-key cases (test/hasura/fk-cases.sql), the import tests' rich schema and the dev stack's
 * sample database.
 */
import * as fs from "fs";
import * as path from "path";
import { Client } from "pg";
import { PgCluster, startPgCluster } from "../../scripts/lib/pg-cluster";
import { readCatalog, type PgCatalog } from "../../components/hasura/catalog";
import { RICH_SOURCE_SQL } from "../support/postgres/clusters";

export const FK_CASES_SQL = path.join(__dirname, "fk-cases.sql");
export const SAMPLE_DB_SQL = path.resolve(__dirname, "../../examples/sample-db.sql");

export interface HasuraDatabases {
  cluster: PgCluster;
  /** URL of each loaded database: `fk`, `rich`, `sample`. */
  url: Record<"fk" | "rich" | "sample", string>;
}

let started: Promise<HasuraDatabases> | undefined;

/** One cluster per mocha process (pg-cluster stops it when the process exits). */
export function hasuraDatabases(): Promise<HasuraDatabases> {
  started ??= (async () => {
    const cluster = await startPgCluster();
    const url = {} as HasuraDatabases["url"];
    for (const [name, file] of [
      ["fk", FK_CASES_SQL],
      ["rich", RICH_SOURCE_SQL],
      ["sample", SAMPLE_DB_SQL],
    ] as const) {
      cluster.createDatabase(name);
      cluster.psql(fs.readFileSync(file, "utf8"), name);
      url[name] = cluster.url(name);
    }
    return { cluster, url };
  })();
  return started;
}

export async function catalogOf(url: string): Promise<PgCatalog> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await readCatalog(client);
  } finally {
    await client.end();
  }
}

/** Runs SQL with a short-lived client. */
export async function sql(url: string, text: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
