import * as pulumi from "@pulumi/pulumi";
import * as postgresql from "@pulumi/postgresql";
import { buildPostgresUrl, SSL_MODES, type SslMode } from "./postgres-url";

/** Admin connection to the target server: used to create the role, database and extensions. */
export interface TargetAdminConnection {
  /** Host reachable from where `pulumi up` runs (e.g. `localhost` through a port-forward). */
  host: string;
  /** Default 5432. */
  port?: number;
  /** Admin role able to create roles and databases. */
  username: string;
  password: string;
  /**
   * libpq sslmode for the admin connection and for `targetUrl`: `disable`, `require`, `verify-ca`
   * or `verify-full`. Default `disable`. `prefer` and `allow` are refused: the postgresql provider
   * (Go lib/pq) has no plaintext/TLS fallback, and mapping them would either break a TLS-only
   * server or silently send the admin password in clear text. Changing it updates in place.
   */
  sslMode?: string;
  /**
   * Maintenance database the admin connects to (where it runs CREATE ROLE/DATABASE). Default
   * `postgres`; managed servers sometimes offer only another one (e.g. `defaultdb`). Updates the
   * admin provider in place.
   */
  database?: string;
  /** Whether `username` is a superuser (managed Postgres admins often are not). Default true. */
  superuser?: boolean;
}

/** An extension the imported data needs. */
export interface TargetExtension {
  /** Extension name, e.g. `citext`, `hstore`, `pg_stat_statements`. */
  name: string;
  /** Schema to create it in. Default `public`; Heroku's is `heroku_ext` (created when used). */
  schema?: string;
  /** Version; default the server's default version. */
  version?: string;
}

export interface TargetDatabaseArgs {
  /** Admin connection (secret: it holds the admin password). Changing host or port moves every child: REPLACES them. */
  admin: pulumi.Input<TargetAdminConnection>;
  /** Database name (valid unquoted identifier). Changing it REPLACES the database (protected: refused while protected). */
  database: string;
  /** Owner role of the database, with LOGIN; the import and the apps connect as it. Changing it REPLACES the role. */
  ownerRole: string;
  /** The owner role's password (secret). Updates in place. */
  ownerPassword: pulumi.Input<string>;
  /**
   * Extensions to create before the import (in the new database, as the admin). A `heroku_ext`
   * schema (owned by the owner role) is created first when any extension lives there, as on
   * Heroku. Default none. Adding one creates it; removing one drops it.
   */
  extensions?: TargetExtension[];
  /** `protect` on the Database (its data is the import's). Default true. */
  protectDatabase?: boolean;
}

/** The sslmodes the postgresql provider (lib/pq) accepts: libpq's without the plaintext/TLS fallbacks. */
export const ADMIN_SSL_MODES: readonly SslMode[] = SSL_MODES.filter((m) => m !== "prefer" && m !== "allow");

/**
 * The admin connection's sslmode for the postgresql provider (default `disable`). Throws for
 * `prefer`/`allow` (see TargetAdminConnection.sslMode) and anything lib/pq does not know.
 */
export function adminSslMode(mode: string | undefined | null, what = "the admin connection"): string {
  const m = mode ?? "disable";
  if (!(ADMIN_SSL_MODES as readonly string[]).includes(m)) {
    throw new Error(
      `sslmode "${m}" of ${what} is not supported by the postgresql provider (lib/pq has no ` +
        `plaintext/TLS fallback): use one of ${ADMIN_SSL_MODES.join(", ")}` +
        (m === "prefer" || m === "allow" ? ` ("require" if the server offers TLS, else "disable")` : ""),
    );
  }
  return m;
}

/** `heroku-to-hasura:data:TargetDatabase` */
export const TARGET_DATABASE_TYPE = "heroku-to-hasura:data:TargetDatabase";

/**
 * The import target: an owner role with LOGIN, a database it owns, and the extensions the source
 * uses, declared with `@pulumi/postgresql` through an explicit admin provider. The import
 * `dependsOn` this component, so all of it exists before any data is copied.
 */
export class TargetDatabase extends pulumi.ComponentResource {
  readonly provider: postgresql.Provider;
  readonly role: postgresql.Role;
  readonly database: postgresql.Database;
  /** The `heroku_ext` schema, or undefined when no extension needs it. */
  readonly herokuExtSchema: postgresql.Schema | undefined;
  readonly extensions: postgresql.Extension[];
  /** Database name. */
  readonly databaseName: pulumi.Output<string>;
  /** `postgres://owner:password@adminHost:port/database` (secret): the import's target. */
  readonly targetUrl: pulumi.Output<string>;

  constructor(name: string, args: TargetDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TARGET_DATABASE_TYPE, name, {}, opts);
    // A plain admin object is checked now (a clear error before anything registers); an Output
    // is checked when it resolves.
    if (!pulumi.Output.isInstance(args.admin) && !(args.admin instanceof Promise)) {
      adminSslMode((args.admin as TargetAdminConnection).sslMode, `TargetDatabase ${name}`);
    }
    const admin = pulumi.secret(args.admin);
    this.provider = new postgresql.Provider(
      `${name}-admin`,
      {
        host: admin.host,
        port: admin.apply((a) => a.port ?? 5432),
        username: admin.username,
        password: admin.password,
        sslmode: admin.apply((a) => adminSslMode(a.sslMode, `TargetDatabase ${name}`)),
        superuser: admin.apply((a) => a.superuser ?? true),
        database: admin.apply((a) => a.database ?? "postgres"),
      },
      { parent: this },
    );
    const child = { parent: this, provider: this.provider };
    this.role = new postgresql.Role(
      `${name}-owner`,
      { name: args.ownerRole, login: true, password: pulumi.secret(args.ownerPassword) },
      child,
    );
    this.database = new postgresql.Database(
      `${name}-database`,
      { name: args.database, owner: this.role.name },
      { ...child, protect: args.protectDatabase ?? true },
    );
    const extensions = args.extensions ?? [];
    this.herokuExtSchema = extensions.some((e) => e.schema === "heroku_ext")
      ? new postgresql.Schema(
          `${name}-heroku-ext`,
          { name: "heroku_ext", database: this.database.name, owner: this.role.name },
          child,
        )
      : undefined;
    this.extensions = extensions.map(
      (e) =>
        new postgresql.Extension(
          `${name}-ext-${e.name}`,
          { name: e.name, database: this.database.name, schema: e.schema ?? "public", version: e.version },
          { ...child, dependsOn: this.herokuExtSchema ? [this.herokuExtSchema] : [] },
        ),
    );
    this.databaseName = this.database.name;
    this.targetUrl = pulumi.secret(
      pulumi
        .all([admin, this.role.name, this.database.name, pulumi.secret(args.ownerPassword)])
        .apply(([a, user, database, password]) =>
          buildPostgresUrl({ host: a.host, port: a.port, database, user, password, sslMode: a.sslMode }),
        ),
    );
    this.registerOutputs({ databaseName: this.databaseName, targetUrl: this.targetUrl });
  }
}
