import * as pulumi from "@pulumi/pulumi";
import { buildPostgresUrl, type DatabaseIdentity } from "./postgres-url";
import { IMPORT_OPTION_NAMES, type ImportOptions } from "./import-options";
import type { ObjectCounts, SourceActivityReport } from "./engine/types";
import {
  postgresImportProvider,
  type PostgresImportInputs,
  type TableVerificationSummary,
} from "./postgres-import-provider";

/** Target connection given as parts instead of a URL. */
export interface PostgresTargetArgs {
  host: pulumi.Input<string>;
  /** Default 5432. */
  port?: pulumi.Input<number>;
  database: pulumi.Input<string>;
  user: pulumi.Input<string>;
  password: pulumi.Input<string>;
  /** libpq `sslmode` for the target; default none (the engine's default, `prefer`). */
  sslMode?: pulumi.Input<string>;
}

/** Each import option (./import-options, documented there) as an input: a list's items may be Outputs. */
export type ImportOptionInputs = {
  [K in keyof ImportOptions]?: NonNullable<ImportOptions[K]> extends (infer E)[]
    ? pulumi.Input<pulumi.Input<E>[]>
    : pulumi.Input<NonNullable<ImportOptions[K]>>;
};

/**
 * The import's connections and cutover inputs; its options (`jobs`, `importId`, the schema and
 * table filters, `dropTargetOnDelete`, `progressFile`) are {@link ImportOptionInputs}.
 */
export interface PostgresImportArgs extends ImportOptionInputs {
  /**
   * Source database URL (`postgres://user:password@host:port/db?sslmode=require`). Stored as a
   * secret. Changing its host, port or database REPLACES the import (a new import into the
   * target); changing only the credentials or query parameters updates state and copies nothing.
   */
  sourceUrl: pulumi.Input<string>;
  /**
   * Target database URL. Stored as a secret. Give this or `target`. Changing host, port or
   * database REPLACES the import (the old target's data is kept); credentials update in place.
   */
  targetUrl?: pulumi.Input<string>;
  /** Target database as parts (turned into a secret URL). Give this or `targetUrl`. Same rules. */
  target?: pulumi.Input<PostgresTargetArgs>;
  /**
   * Where Heroku keeps the source URL, read right before copying instead of `sourceUrl`'s value
   * (Heroku rotates credentials between a preview and an up). `token` is stored as a secret input,
   * never as an output. Default none (`sourceUrl` is used). Updates in place.
   */
  sourceFrom?: pulumi.Input<{
    /** Heroku app holding the attachment. */
    app: pulumi.Input<string>;
    /** The attachment's URL config var, e.g. `DATABASE_URL`. */
    configVar: pulumi.Input<string>;
    /** Platform API token (read-protected scope). */
    token: pulumi.Input<string>;
    /** Platform API base URL; default Heroku's. */
    apiUrl?: pulumi.Input<string>;
  }>;
  /**
   * The cutover freeze the import runs under (components/cutover HerokuFreeze: pass its `freezeId`,
   * `apps` and `urn`, and depend on it). Then create first checks the apps are still frozen, and any
   * write to the source during the import fails it, naming the tables. Needs `sourceFrom`.
   * Default none. Updates in place (it only matters to a create).
   */
  freeze?: pulumi.Input<{
    freezeId: pulumi.Input<string>;
    apps: pulumi.Input<pulumi.Input<string>[]>;
    urn?: pulumi.Input<string>;
  }>;
}

/** The type token's module and type: `pulumi-nodejs:dynamic/heroku-to-hasura/data:PostgresImport`. */
export const POSTGRES_IMPORT_MODULE = "heroku-to-hasura/data";
export const POSTGRES_IMPORT_TYPE = "PostgresImport";

/** Outputs that hold credentials. */
export const POSTGRES_IMPORT_SECRET_OUTPUTS = ["sourceUrl", "targetUrl"];

/**
 * The one-time import of a Postgres database into another (Heroku Postgres → the cluster's
 * Postgres), verified, resumable and run once. See ./postgres-import-provider for the semantics.
 * Protected by default (`protect: false` in opts to allow `pulumi destroy`).
 */
export class PostgresImport extends pulumi.dynamic.Resource {
  declare readonly sourceUrl: pulumi.Output<string>;
  declare readonly targetUrl: pulumi.Output<string>;
  declare readonly importId: pulumi.Output<string>;
  declare readonly tables: pulumi.Output<number>;
  declare readonly rows: pulumi.Output<number>;
  declare readonly bytes: pulumi.Output<number>;
  declare readonly durationMs: pulumi.Output<number>;
  declare readonly verification: pulumi.Output<TableVerificationSummary[]>;
  declare readonly sourceServerVersion: pulumi.Output<string>;
  declare readonly fingerprint: pulumi.Output<string>;
  declare readonly sourceIdentity: pulumi.Output<DatabaseIdentity>;
  declare readonly targetIdentity: pulumi.Output<DatabaseIdentity>;
  declare readonly objectCounts: pulumi.Output<ObjectCounts>;
  declare readonly resumed: pulumi.Output<boolean>;
  declare readonly completedAt: pulumi.Output<string>;
  declare readonly markerStatus: pulumi.Output<string>;
  /** Evidence that the source was quiet during the import (see components/data/engine/source-activity). */
  declare readonly sourceActivity: pulumi.Output<SourceActivityReport | undefined>;

  constructor(name: string, args: PostgresImportArgs, opts?: pulumi.CustomResourceOptions) {
    if ((args.targetUrl === undefined) === (args.target === undefined)) {
      throw new Error(`PostgresImport ${name}: give exactly one of targetUrl and target`);
    }
    const targetUrl =
      args.targetUrl !== undefined
        ? pulumi.secret(args.targetUrl)
        : pulumi.secret(
            pulumi.output(args.target!).apply((t) =>
              buildPostgresUrl({
                host: t.host,
                port: t.port,
                database: t.database,
                user: t.user,
                password: t.password,
                sslMode: t.sslMode,
              }),
            ),
          );
    const props: Record<keyof PostgresImportInputs, unknown> & Record<string, unknown> = {
      sourceUrl: pulumi.secret(args.sourceUrl),
      targetUrl,
      ...(Object.fromEntries(IMPORT_OPTION_NAMES.map((k) => [k, args[k]])) as Record<
        keyof ImportOptions,
        unknown
      >),
      sourceFrom: args.sourceFrom === undefined ? undefined : pulumi.secret(args.sourceFrom),
      freeze: args.freeze,
      sourceActivity: undefined,
      // Outputs, seeded so they are registered (pulumi/pulumi#12160).
      requestedImportId: undefined,
      tables: undefined,
      rows: undefined,
      bytes: undefined,
      durationMs: undefined,
      verification: undefined,
      sourceServerVersion: undefined,
      fingerprint: undefined,
      sourceIdentity: undefined,
      targetIdentity: undefined,
      objectCounts: undefined,
      resumed: undefined,
      completedAt: undefined,
      markerStatus: undefined,
    };
    super(
      postgresImportProvider,
      name,
      props,
      {
        ...opts,
        protect: opts?.protect ?? true,
        additionalSecretOutputs: [
          ...(opts?.additionalSecretOutputs ?? []),
          ...POSTGRES_IMPORT_SECRET_OUTPUTS,
        ],
      },
      POSTGRES_IMPORT_MODULE,
      POSTGRES_IMPORT_TYPE,
    );
  }
}
