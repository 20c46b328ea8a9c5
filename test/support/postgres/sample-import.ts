/**
 * The database the end-to-end suites import: examples/sample-db.sql on a source cluster playing
 * Heroku Postgres, and a target cluster where the add-on's database and owner role exist
 * (`postgres.manageDatabase: false`), the role still logging in with Heroku's password, as a DBA
 * copying the role over leaves it (the stack gives it a new one).
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

import type { Stack } from "@pulumi/pulumi/automation";

import { PgCluster, startPgCluster } from "../../../scripts/lib/pg-cluster";
import { REPO_ROOT, type Sandbox } from "../engine";
import { programStack } from "../program-stack";
import { createTargetDatabase } from "./existing-target";

/** The sample's owner role and database on the source. */
export const SAMPLE_OWNER = "u_acme";
export const SAMPLE_DATABASE = "acme_source";

/**
 * Loads examples/sample-db.sql into a new database `db` as its owner `user` (so the import's
 * source role owns what it reads, as on Heroku).
 */
export function loadSampleDatabase(cluster: PgCluster, user: string, password: string, db: string): void {
  cluster.psql(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
  cluster.createDatabase(db, user);
  const input = fs.readFileSync(path.join(REPO_ROOT, "examples", "sample-db.sql"));
  const env = { ...process.env, PGPASSWORD: password, PGOPTIONS: "-c client_min_messages=error" };
  const args = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(cluster.port)];
  const r = spawnSync(path.join(cluster.binDir, "psql"), [...args, "-U", user, "-d", db], {
    input,
    env,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`loading examples/sample-db.sql failed: ${r.stderr}`);
}

/**
 * What Hasura's metadata directory holds under `databases/<source>/tables/` for the sample: a file
 * per tracked table or view (all of them are tracked) and the list of them.
 */
export const SAMPLE_TABLE_FILES = [
  "public_accounts.yaml",
  "public_active_projects.yaml",
  "public_api_requests.yaml",
  "public_invoices.yaml",
  "public_monthly_revenue.yaml",
  "public_projects.yaml",
  "tables.yaml",
];

export interface SampleImport {
  source: PgCluster;
  target: PgCluster;
  /** The sample owner's password on the source, and the target owner role's before `up`. */
  sourcePassword: string;
  /** The sample database's URL on the source, logging in as its owner with `password`. */
  sourceUrl(password?: string): string;
  /** The add-on's database on the target. */
  targetDb: string;
  /**
   * A stack of the program that imports the sample into the target (`import.enabled`, 2 jobs),
   * reading Heroku from the double at `apiUrl` and rendering its manifests to `renderTo` (no API
   * server), with `sections` added to the default config.
   */
  stack(
    sb: Sandbox,
    stackName: string,
    o: { apiUrl: string; renderTo: string; image: string; sections?: Record<string, unknown> },
  ): Promise<Stack>;
  stop(): void;
}

/** Starts both clusters: the sample on the source, the example Postgres add-on's database on the target. */
export async function startSampleImport(
  sourcePassword = `src-${crypto.randomBytes(9).toString("hex")}`,
): Promise<SampleImport> {
  const [source, target] = await Promise.all([startPgCluster(), startPgCluster()]);
  const stop = () => {
    source.stop();
    target.stop();
  };
  try {
    loadSampleDatabase(source, SAMPLE_OWNER, sourcePassword, SAMPLE_DATABASE);
    const targetDb = createTargetDatabase(target, sourcePassword);
    return {
      source,
      target,
      sourcePassword,
      sourceUrl: (password = sourcePassword) => source.url(SAMPLE_DATABASE, SAMPLE_OWNER, password),
      targetDb,
      stack: (sb, stackName, o) =>
        programStack(sb, stackName, {
          heroku: { apiUrl: o.apiUrl },
          cluster: { namespace: "default", renderTo: o.renderTo },
          postgresPort: target.port,
          postgresPassword: target.password,
          image: o.image,
          sections: { import: { enabled: true, jobs: 2 }, ...o.sections },
        }),
      stop,
    };
  } catch (e) {
    stop();
    throw e;
  }
}
