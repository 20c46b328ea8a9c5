import * as pulumi from "@pulumi/pulumi";
import type { HasuraSourceReport } from "../plan/hasura-section";
import { HASURA_METADATA_SECRET_OUTPUTS, hasuraMetadataProvider } from "./hasura-metadata-provider";

export interface HasuraMetadataSourceArgs {
  /** Hasura source name. Changing it renames the source (update). */
  name: pulumi.Input<string>;
  /** The target database, as reachable from where `pulumi up` runs (secret): its catalog is read. */
  url: pulumi.Input<string>;
  /** GraphQL Engine's environment variable holding the in-cluster URL (`from_env`). */
  envVar: pulumi.Input<string>;
  /** Only these schemas; default all but system schemas and `heroku_ext`. */
  includeSchemas?: pulumi.Input<string[]>;
  /** Schemas left out. Default none. */
  excludeSchemas?: pulumi.Input<string[]>;
  /** Only these tables (`schema.table` or `table`). Default all. */
  includeTables?: pulumi.Input<string[]>;
  /** Tables left out. Default none. */
  excludeTables?: pulumi.Input<string[]>;
}

export interface HasuraMetadataArgs {
  /** One per migrated database. Every change updates in place (nothing is replaced). */
  sources: pulumi.Input<pulumi.Input<HasuraMetadataSourceArgs>[]>;
  /** CLI project directory written on every create/update (`config.yaml`, `metadata/`). Updates. */
  directory: pulumi.Input<string>;
  /** Metadata API base URL reachable from where `pulumi up` runs; default none (directory only). Updates. */
  endpoint?: pulumi.Input<string>;
  /** GraphQL Engine's admin secret (secret). Updates. */
  adminSecret?: pulumi.Input<string>;
  /** Text that changes with the data (the imports' ids): a new value regenerates. Default none. */
  trigger?: pulumi.Input<string>;
}

/** The type token's module and type: `pulumi-nodejs:dynamic/heroku-to-hasura/hasura:HasuraMetadata`. */
export const HASURA_METADATA_MODULE = "heroku-to-hasura/hasura";
export const HASURA_METADATA_TYPE = "HasuraMetadata";

/**
 * Hasura metadata for the migrated databases, generated from their real catalogs (every table and
 * view tracked, a relationship pair per foreign key, named as the console names them), written as a
 * CLI metadata directory and, with an endpoint, applied through the metadata API. See
 * ./hasura-metadata-provider for the semantics.
 */
export class HasuraMetadata extends pulumi.dynamic.Resource {
  declare readonly fingerprint: pulumi.Output<string>;
  declare readonly reports: pulumi.Output<HasuraSourceReport[]>;
  declare readonly tables: pulumi.Output<number>;
  declare readonly relationships: pulumi.Output<number>;
  declare readonly applied: pulumi.Output<boolean>;
  declare readonly resourceVersion: pulumi.Output<number | null>;
  declare readonly directory: pulumi.Output<string>;

  constructor(name: string, args: HasuraMetadataArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      hasuraMetadataProvider,
      name,
      {
        sources: pulumi.secret(args.sources),
        directory: args.directory,
        endpoint: args.endpoint,
        adminSecret: args.adminSecret === undefined ? undefined : pulumi.secret(args.adminSecret),
        trigger: args.trigger,
        // Outputs, seeded so they are registered (pulumi/pulumi#12160).
        fingerprint: undefined,
        reports: undefined,
        tables: undefined,
        relationships: undefined,
        applied: undefined,
        resourceVersion: undefined,
        filesWritten: undefined,
      },
      {
        ...opts,
        additionalSecretOutputs: [
          ...(opts?.additionalSecretOutputs ?? []),
          ...HASURA_METADATA_SECRET_OUTPUTS,
        ],
      },
      HASURA_METADATA_MODULE,
      HASURA_METADATA_TYPE,
    );
  }
}
