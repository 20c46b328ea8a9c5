/**
 * The migration report's Hasura section, as plain data: what HasuraEngine deploys and what the
 * HasuraMetadata resource tracked in each migrated database (known once the metadata has been
 * generated from the target's catalog, i.e. after the import, during `pulumi up`).
 */

export interface HasuraSection {
  /** GraphQL Engine image as deployed. */
  image: string;
  /** False when the image is the unpinned default tag rather than a digest. */
  imagePinned: boolean;
  console: boolean;
  devMode: boolean;
  /** `host:port/database` of the metadata database (in-cluster address). */
  metadataDatabase: string;
  /** Metadata API endpoint the stack applies through, or null (directory only). */
  endpoint: string | null;
  /** Where the metadata directory is written (`hasura metadata apply --project <dir>/..`). */
  directory: string;
  /** Null until the metadata has been generated. */
  sources: HasuraSourceReport[] | null;
  /** Whether the metadata was applied through the API (null: not generated yet). */
  applied: boolean | null;
}

export interface HasuraSourceReport {
  /** Hasura source name. */
  source: string;
  /** Target database the source reads. */
  database: string;
  /** Environment variable of GraphQL Engine holding the database URL (`from_env`). */
  envVar: string;
  /** `configuration.extensions_schema`, or null. */
  extensionsSchema: string | null;
  tables: HasuraTableReport[];
  relationships: HasuraRelationshipReport[];
  /**
   * Tables, views and foreign keys left out, each with the reason; `warning` when it is a problem
   * (a name GraphQL cannot carry, no columns, a clash, a key to an untracked table) rather than the
   * stack's choice (filters, partitions reached through their parent, Heroku's extension schema).
   */
  notTracked: { object: string; reason: string; warning: boolean }[];
}

export interface HasuraTableReport {
  /** `schema.name`. */
  table: string;
  kind: string;
  /** Root field name in the GraphQL schema. */
  graphqlName: string;
}

export interface HasuraRelationshipReport {
  /** `schema.name` of the table holding the relationship. */
  table: string;
  name: string;
  type: "object" | "array";
  /** `schema.name` of the other table. */
  remoteTable: string;
  /** The foreign key constraint behind it. */
  foreignKey: string;
  /** `col → remote.col` pairs, comma-separated. */
  mapping: string;
  /** True when the console's `_by_` fallback was used because the plain name was taken. */
  fallbackName: boolean;
}
