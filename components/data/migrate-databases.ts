/**
 * The migrated databases as resources: for each database of the plan, its target (declared here, or
 * an existing one whose owner gets the generated password) and, when the stack imports, the
 * protected PostgresImport into it, with what the apps must wait for. The admin connection to the
 * cluster's Postgres is built once ({@link adminConnection}) and shared with Hasura.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DatabasePlan } from "../plan/types";
import { IMPORT_OPTION_NAMES, pickOptions, type ImportOptions } from "./import-options";
import { PostgresImport, type PostgresImportArgs } from "./postgres-import";
import { buildPostgresUrl } from "./postgres-url";
import { RolePassword } from "./role-password";
import { adminSslMode, TargetAdminConnection, TargetDatabase } from "./target-database";

/** The cluster's Postgres as the stack's admin reaches it (config `postgres` and `postgresPassword`). */
export interface TargetServer {
  /** Host reachable from where `pulumi up` runs. */
  host: string;
  port: number;
  /** Admin role able to create roles and databases. */
  adminUser: string;
  /** The admin's password; undefined for trust/peer auth (sent as ""). */
  password?: pulumi.Input<string>;
  /** libpq `sslmode` of the admin's connections; undefined = none (lib/pq and libpq defaults). */
  sslMode?: string;
  /** Maintenance database the admin connects to; undefined = `postgres`. */
  database?: string;
  /**
   * Whether the stack declares each migrated database and its owner role (TargetDatabase), which
   * needs an sslmode the postgresql provider knows (checked here, naming the config key).
   */
  manageDatabase: boolean;
}

/**
 * The admin connection (a secret Output): the one object TargetDatabase, RolePassword, the imports
 * into existing databases and Hasura's metadata database connect with.
 */
export function adminConnection(server: TargetServer): pulumi.Output<TargetAdminConnection> {
  // The postgresql provider cannot do `prefer`/`allow`: say so naming the config key, up front.
  if (server.manageDatabase) {
    adminSslMode(server.sslMode, "config postgres.sslMode (postgres.manageDatabase is true)");
  }
  const { host, port, adminUser: username, sslMode, database } = server;
  return pulumi.secret(
    pulumi.output(server.password ?? "").apply((password): TargetAdminConnection => ({
      host,
      port,
      username,
      password,
      sslMode,
      database,
    })),
  );
}

/** `postgres://admin@host:port/<database>` (secret): an existing database, reached as the admin. */
export function adminUrl(
  admin: pulumi.Output<TargetAdminConnection>,
  database: string,
): pulumi.Output<string> {
  return pulumi.secret(
    admin.apply((a) =>
      buildPostgresUrl({
        host: a.host,
        port: a.port,
        database,
        user: a.username,
        password: a.password,
        sslMode: a.sslMode,
      }),
    ),
  );
}

/** A cutover freeze the imports run under (components/cutover HerokuFreeze). */
export interface ImportFreeze extends pulumi.Resource {
  freezeId: pulumi.Output<string>;
  apps: pulumi.Output<string[]>;
}

export interface MigrateDatabasesArgs {
  /** The plan's migrated databases. */
  databases: readonly DatabasePlan[];
  /** The admin connection ({@link adminConnection}). */
  admin: pulumi.Output<TargetAdminConnection>;
  /**
   * Declare each database and its owner role (TargetDatabase) when true; else set the existing
   * owner role's password (RolePassword). See PostgresConfig.manageDatabase.
   */
  manageDatabase: boolean;
  /** Values of the generated credentials by name (each database's owner password). */
  credentials: Readonly<Record<string, pulumi.Input<string>>>;
  /** The import's options when the stack imports (`import.enabled`); undefined = no import. */
  import?: ImportOptions;
  /**
   * The Heroku Platform API, when a token is configured: each import then reads its source URL
   * from the attachment's config var right before copying (Heroku rotates credentials).
   */
  heroku?: { token: pulumi.Input<string>; apiUrl?: string };
  /**
   * Declares the cutover freeze once the targets exist (they are given), before any import; every
   * import then runs under it. Undefined, or returning undefined: no freeze.
   */
  freeze?: (targets: TargetDatabase[]) => ImportFreeze | undefined;
}

/** One migrated Heroku Postgres: its target database (when this stack manages it) and the import. */
export interface DatabaseMigration {
  plan: DatabasePlan;
  target: TargetDatabase | undefined;
  /** The owner's generated password set on an existing role (`postgres.manageDatabase` false). */
  rolePassword: RolePassword | undefined;
  import: PostgresImport | undefined;
}

/**
 * For each migrated database: the TargetDatabase when `manageDatabase` (the apps' URLs point at it
 * whether or not this stack imports), else a RolePassword giving the existing owner role the
 * generated password the apps' URLs carry; and, with `import`, the protected PostgresImport into
 * it. The import is a deliberate cutover step, so a stack without it still owns the database.
 * `opts` go to every resource declared here (parent, aliases).
 */
export function migrateDatabases(
  args: MigrateDatabasesArgs,
  opts: pulumi.ResourceOptions = {},
): DatabaseMigration[] {
  const { admin, credentials } = args;
  const targets = args.databases.map((d) =>
    args.manageDatabase
      ? new TargetDatabase(
          d.addon,
          {
            admin,
            database: d.database,
            ownerRole: d.ownerRole,
            ownerPassword: credentials[d.ownerCredential],
          },
          opts,
        )
      : undefined,
  );
  const freeze = args.import && args.freeze?.(targets.filter((t): t is TargetDatabase => t !== undefined));
  return args.databases.map((d, i) => {
    const target = targets[i];
    const rolePassword = args.manageDatabase
      ? undefined
      : new RolePassword(
          `${d.addon}-owner-password`,
          { admin, role: d.ownerRole, password: credentials[d.ownerCredential] },
          opts,
        );
    if (!args.import) return { plan: d, target, rolePassword, import: undefined };
    const importArgs: PostgresImportArgs = {
      sourceUrl: pulumi.secret(d.sourceUrl.reveal(`source URL of ${d.addon}`)),
      // An existing database: the admin connects to the database the plan names.
      targetUrl: target ? target.targetUrl : adminUrl(admin, d.database),
      ...pickOptions(args.import, IMPORT_OPTION_NAMES),
      ...(args.heroku ? { sourceFrom: sourceFrom(d, args.heroku) } : {}),
      ...(freeze ? { freeze: { freezeId: freeze.freezeId, apps: freeze.apps, urn: freeze.urn } } : {}),
    };
    const dataImport = new PostgresImport(`${d.addon}-import`, importArgs, {
      ...opts,
      protect: true,
      dependsOn: [...(target ? [target] : []), ...(freeze ? [freeze] : [])],
    });
    return { plan: d, target, rolePassword, import: dataImport };
  });
}

/** Where Heroku keeps the database's source URL: the attachment's config var, read with the token. */
function sourceFrom(d: DatabasePlan, heroku: NonNullable<MigrateDatabasesArgs["heroku"]>) {
  return {
    app: d.sourceAttachment.app,
    configVar: d.sourceAttachment.configVar,
    token: pulumi.secret(heroku.token),
    // An input to the engine: absent, never undefined-valued, so its state stays as it was.
    ...(heroku.apiUrl !== undefined ? { apiUrl: heroku.apiUrl } : {}),
  };
}

/**
 * What an app using the database waits for: the import when this stack runs one (an app must not
 * start, nor its release phase migrate, against a database still being copied; the import itself
 * waits for the target), else the target database this stack declares (the app's rewritten URL
 * points at it: its release phase would fail on a database not yet created), else nothing; and
 * the owner's new password on an existing role (the apps' URLs carry it).
 */
export function databaseReadiness(d: DatabaseMigration): pulumi.Resource[] {
  const password = d.rolePassword ? [d.rolePassword] : [];
  if (d.import) return [d.import, ...password];
  return d.target ? [d.target] : password;
}

/** Whether `app` uses the database: it owns it or holds an attachment of it. */
export function usesDatabase(d: DatabasePlan, app: string): boolean {
  return d.ownerApp === app || d.attachments.some((a) => a.app === app);
}
