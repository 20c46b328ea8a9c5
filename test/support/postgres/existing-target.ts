/**
 * A target Postgres as `postgres.manageDatabase: false` expects it: a real cluster where the
 * migrated database and its owner role exist (as the dev job or a DBA leaves them, the role without
 * a password), for end-to-end tests that render or apply the program without importing. The stack
 * sets the owner role's generated password (RolePassword), so it needs this server and its admin.
 */
import { sqlIdentifier } from "../../../components/plan/names";
import { PgCluster, startPgCluster } from "../../../scripts/lib/pg-cluster";

export interface ExistingTarget {
  pg: PgCluster;
  /** The stack's `postgres` config section for this server. */
  postgres: { host: string; port: number; adminUser: string; manageDatabase: false };
}

/** Starts a cluster holding the target database and owner role of `addon` (default the example's Postgres). */
export async function existingTarget(addon = "postgresql-concave-52656"): Promise<ExistingTarget> {
  const pg = await startPgCluster();
  const owner = sqlIdentifier(addon, "_owner");
  pg.psql(`CREATE ROLE ${owner} LOGIN`);
  pg.createDatabase(sqlIdentifier(addon), owner);
  return { pg, postgres: { host: "127.0.0.1", port: pg.port, adminUser: "postgres", manageDatabase: false } };
}
