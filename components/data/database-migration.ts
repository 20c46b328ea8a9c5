import * as pulumi from "@pulumi/pulumi";
import type { DatabasePlan, TargetPostgresSettings } from "../plan/types";
import { PostgresImport } from "./postgres-import";
import { TargetDatabase, type TargetExtension } from "./target-database";

export interface DatabaseMigrationArgs {
  /** The planned database (source URL, target database, owner role and password). */
  plan: DatabasePlan;
  /** The cluster's Postgres, as seen from where `pulumi up` runs. Changing host or port REPLACES the import. */
  postgres: TargetPostgresSettings;
  /** Password of `postgres.adminUser` (secret). Updates the admin provider in place. */
  adminPassword: pulumi.Input<string>;
  /** Whether `postgres.adminUser` is a superuser. Default true. */
  adminIsSuperuser?: boolean;
  /** Extensions the source uses (e.g. `{ name: "citext", schema: "heroku_ext" }`). Default none. */
  extensions?: TargetExtension[];
  /** Import parallelism; default the CPU count. Import time only. */
  jobs?: number;
  /** See PostgresImportArgs.importId: a new value REPLACES the import. */
  importId?: string;
  /** See PostgresImportArgs.dropTargetOnDelete. Default false. */
  dropTargetOnDelete?: boolean;
  /** See PostgresImportArgs.progressFile. */
  progressFile?: string;
  /** `protect` for the import and the database. Default true. */
  protect?: boolean;
}

/** `heroku-to-hasura:data:DatabaseMigration` */
export const DATABASE_MIGRATION_TYPE = "heroku-to-hasura:data:DatabaseMigration";

/** One Heroku Postgres add-on moved into the cluster: the TargetDatabase, then the PostgresImport. */
export class DatabaseMigration extends pulumi.ComponentResource {
  readonly target: TargetDatabase;
  readonly import: PostgresImport;

  constructor(name: string, args: DatabaseMigrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(DATABASE_MIGRATION_TYPE, name, {}, opts);
    const { plan, postgres } = args;
    const protect = args.protect ?? true;
    this.target = new TargetDatabase(
      `${name}-target`,
      {
        admin: pulumi.secret(
          pulumi.output(args.adminPassword).apply((password) => ({
            host: postgres.host,
            port: postgres.port,
            username: postgres.adminUser,
            password,
            sslMode: postgres.sslMode ?? undefined,
            superuser: args.adminIsSuperuser ?? true,
          })),
        ),
        database: plan.database,
        ownerRole: plan.ownerRole,
        ownerPassword: pulumi.secret(plan.ownerPassword.reveal(`owner password of ${plan.addon}`)),
        extensions: args.extensions,
        protectDatabase: protect,
      },
      { parent: this },
    );
    this.import = new PostgresImport(
      `${name}-import`,
      {
        sourceUrl: pulumi.secret(plan.sourceUrl.reveal(`source URL of ${plan.addon}`)),
        targetUrl: this.target.targetUrl,
        jobs: args.jobs,
        importId: args.importId,
        dropTargetOnDelete: args.dropTargetOnDelete,
        progressFile: args.progressFile,
      },
      { parent: this, dependsOn: [this.target], protect },
    );
    this.registerOutputs({});
  }
}
