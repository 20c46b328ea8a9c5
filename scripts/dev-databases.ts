/**
 * The dev job's target-database step (scripts/dev.sh): when the stack says
 * `postgres.manageDatabase: false`, the databases and owner roles the import writes into must exist
 * before `pulumi up`. Their names come from the real planner on the stack's own config and snapshot,
 * so they always match what the program expects. The owner roles get no password here: the program
 * sets each to its generated credential (a RolePassword resource), which exists only in the stack's
 * state, never Heroku's. Idempotent; prints names only.
 *
 *   ts-node --transpile-only scripts/dev-databases.ts <stack> [kubeconfig file]
 *
 * The kubeconfig (the local cluster's, which the dev job sets as secret config later) only makes the
 * stack config complete; nothing here talks to Kubernetes.
 */
import * as fs from "fs";
import * as path from "path";

import * as yaml from "js-yaml";
import { Client } from "pg";

import { parseStackConfig, selectSnapshots } from "../components/config";
import { readSnapshotFile } from "../components/heroku/snapshot-file";
import { planMigration } from "../components/plan";

const REPO = path.resolve(__dirname, "..");

function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

async function main(stack: string, kubeconfigFile: string | undefined): Promise<void> {
  const project = (yaml.load(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8")) as { name: string })
    .name;
  const stackFile = path.join(REPO, `Pulumi.${stack}.yaml`);
  const settings = yaml.load(fs.readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> };
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings.config ?? {})) {
    if (k.startsWith(`${project}:`)) raw[k.slice(project.length + 1)] = v;
  }
  if (kubeconfigFile !== undefined) raw.kubeconfig = fs.readFileSync(kubeconfigFile, "utf8");
  const config = parseStackConfig(raw, { project, stack, env: process.env });
  const hasuraMetadataDb = config.hasura.enabled ? config.hasura.metadataDatabase : null;
  if (config.postgres.manageDatabase || (!config.import.enabled && hasuraMetadataDb === null)) {
    console.error(
      `[dev] ${stack}: the stack manages its target databases (or imports nothing); nothing to prepare`,
    );
    return;
  }
  if (config.heroku.kind !== "file") throw new Error(`${stackFile}: the dev job needs heroku.snapshotFile`);
  const file = config.heroku.file;
  const set = await readSnapshotFile(path.resolve(REPO, file));
  const plan = planMigration(selectSnapshots(config, set.apps, file), config.plan);

  const { host, port, adminUser, database: maintenanceDb, password } = config.postgres;
  const admin = new Client({
    host,
    port,
    user: adminUser,
    database: maintenanceDb ?? "postgres",
    ...(password ? { password: password.reveal("postgresPassword") } : {}),
  });
  await admin.connect();
  try {
    for (const d of plan.databases) {
      const role = await admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [d.ownerRole]);
      if (role.rowCount === 0) await admin.query(`CREATE ROLE ${quoteIdent(d.ownerRole)} LOGIN`);
      const db = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [d.database]);
      if (db.rowCount === 0) {
        await admin.query(`CREATE DATABASE ${quoteIdent(d.database)} OWNER ${quoteIdent(d.ownerRole)}`);
        console.error(`[dev] created database ${d.database} (owner ${d.ownerRole}) on ${host}:${port}`);
      } else {
        console.error(`[dev] database ${d.database} exists on ${host}:${port}`);
      }
    }
    if (hasuraMetadataDb !== null) {
      // GraphQL Engine's own catalog: a database of its own, never a migrated one; it connects as
      // the admin, as the import does when the stack does not manage its databases.
      const meta = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [hasuraMetadataDb]);
      if (meta.rowCount === 0) {
        await admin.query(`CREATE DATABASE ${quoteIdent(hasuraMetadataDb)}`);
        console.error(`[dev] created Hasura's metadata database ${hasuraMetadataDb} on ${host}:${port}`);
      } else {
        console.error(`[dev] Hasura's metadata database ${hasuraMetadataDb} exists on ${host}:${port}`);
      }
    }
  } finally {
    await admin.end();
  }
}

main(process.argv[2] ?? "dev", process.argv[3]).catch((e: unknown) => {
  console.error(`[dev] preparing the target databases failed: ${(e as Error).message}`);
  process.exit(1);
});
