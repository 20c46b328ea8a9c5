/**
 * Hasura metadata v3 (`export_metadata` version 2's `metadata`, and the CLI's metadata directory), the
 * part this project generates. Field names are Hasura's.
 */

export interface QualifiedTable {
  schema: string;
  name: string;
}

/** `foreign_key_constraint_on` towards another table: `{table, column}` or `{table, columns}`. */
export interface RemoteForeignKey {
  table: QualifiedTable;
  column?: string;
  columns?: string[];
}

export interface ManualConfiguration {
  remote_table: QualifiedTable;
  /** This table's column → the other table's column. */
  column_mapping: Record<string, string>;
}

export interface ObjectRelationship {
  name: string;
  using:
    | { foreign_key_constraint_on: string | string[] | RemoteForeignKey }
    | { manual_configuration: ManualConfiguration };
}

export interface ArrayRelationship {
  name: string;
  using: { foreign_key_constraint_on: RemoteForeignKey } | { manual_configuration: ManualConfiguration };
}

export interface TableMetadata {
  table: QualifiedTable;
  object_relationships?: ObjectRelationship[];
  array_relationships?: ArrayRelationship[];
  /** Anything else Hasura keeps per table (permissions, event triggers…), kept when merging. */
  [key: string]: unknown;
}

export interface PgSourceConfiguration {
  connection_info: {
    database_url: { from_env: string };
    isolation_level: "read-committed";
    use_prepared_statements: boolean;
  };
  extensions_schema?: string;
}

export interface SourceMetadata {
  name: string;
  kind: "postgres";
  tables: TableMetadata[];
  configuration: PgSourceConfiguration;
  [key: string]: unknown;
}

export interface MetadataV3 {
  version: 3;
  sources: SourceMetadata[];
  [key: string]: unknown;
}
