/**
 * A target Postgres as `postgres.manageDatabase: false` expects it: a real cluster where the
 * migrated database and its owner role exist (as the dev job or a DBA leaves them), for end-to-end
 * tests. The stack sets the owner role's generated password (RolePassword), so it needs this server
 * and its admin.
 */
import { sqlIdentifier } from "../../../components/plan/names";
import { PgCluster, startPgCluster } from "../../../scripts/lib/pg-cluster";

/** The example's Postgres add-on, the one acme-api's DATABASE_URL belongs to. */
export const PG_ADDON = "postgresql-concave-52656";

/**
 * Creates `addon`'s target database on `pg`, owned by its owner role, which logs in with
 * `ownerPassword` (none: the role has no password yet). Returns the database's name.
 */
export function createTargetDatabase(pg: PgCluster, ownerPassword?: string, addon = PG_ADDON): string {
  const owner = sqlIdentifier(addon, "_owner");
  pg.psql(`CREATE ROLE ${owner} LOGIN${ownerPassword === undefined ? "" : ` PASSWORD '${ownerPassword}'`}`);
  const database = sqlIdentifier(addon);
  pg.createDatabase(database, owner);
  return database;
}

/** Starts a cluster holding the target database and owner role (without a password) of `addon`. */
export async function existingTarget(addon = PG_ADDON): Promise<PgCluster> {
  const pg = await startPgCluster();
  createTargetDatabase(pg, undefined, addon);
  return pg;
}
