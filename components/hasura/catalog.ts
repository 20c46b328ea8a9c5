/**
 * Reads what Hasura needs from a database's real catalog: every relation (tables, partitioned tables,
 * views, materialized views, foreign tables) with its columns, primary key and unique constraints,
 * and every foreign key with its columns in key order. System schemas, the import's marker schema,
 * Hasura's own catalog and extension members are left out here; everything else is the metadata
 * generator's decision (components/hasura/metadata.ts), which reports what it does not track.
 */
import type { Client } from "pg";
import { MARKER_SCHEMA } from "../data/engine/marker";

export type RelationKind = "table" | "partitioned table" | "view" | "materialized view" | "foreign table";

export interface CatalogConstraint {
  name: string;
  /** Columns in key order. */
  columns: string[];
}

export interface CatalogRelation {
  schema: string;
  name: string;
  kind: RelationKind;
  /** Columns in attribute order (dropped ones excluded). */
  columns: string[];
  /** The primary key, or null. */
  primaryKey: CatalogConstraint | null;
  /** Unique constraints (not unique indexes: Hasura's on_conflict names constraints). */
  uniqueConstraints: CatalogConstraint[];
  /** The partitioned table this relation is a partition of (`schema.name`), or null. */
  partitionOf: string | null;
}

export interface CatalogForeignKey {
  name: string;
  schema: string;
  table: string;
  /** Referencing columns, in key order. */
  columns: string[];
  refSchema: string;
  refTable: string;
  /** Referenced columns, in the same order as `columns`. */
  refColumns: string[];
}

export interface PgCatalog {
  /** `current_database()`: for messages. */
  database: string;
  relations: CatalogRelation[];
  foreignKeys: CatalogForeignKey[];
  /** Every non-system schema (to detect Heroku's `heroku_ext`). */
  schemas: string[];
}

/** Schemas never tracked: Postgres' own, Hasura's catalog, and the import's marker. */
export const SYSTEM_SCHEMAS = ["pg_catalog", "information_schema", "pg_toast", "hdb_catalog", MARKER_SCHEMA];

const SCHEMA_FILTER = (expr: string) =>
  `${expr} <> ALL ($1::text[]) AND ${expr} NOT LIKE 'pg\\_temp\\_%' AND ${expr} NOT LIKE 'pg\\_toast\\_temp\\_%'`;

const KINDS: Record<string, RelationKind> = {
  r: "table",
  p: "partitioned table",
  v: "view",
  m: "materialized view",
  f: "foreign table",
};

/** Reads the catalog in one repeatable-read snapshot, so relations and keys agree. */
export async function readCatalog(client: Client): Promise<PgCatalog> {
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    const db = await client.query<{ db: string }>("SELECT current_database() AS db");
    const rels = await client.query<{
      schema: string;
      name: string;
      relkind: string;
      columns: string[];
      partition_of: string | null;
    }>(
      `SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind,
              coalesce((SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
                         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '{}') AS columns,
              (SELECT pn.nspname || '.' || pc.relname FROM pg_catalog.pg_inherits i
                 JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent
                 JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
                WHERE c.relispartition AND i.inhrelid = c.oid) AS partition_of
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${SCHEMA_FILTER("n.nspname")}
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_class'::regclass
                           AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY n.nspname, c.relname`,
      [SYSTEM_SCHEMAS],
    );
    const cons = await client.query<{
      name: string;
      contype: string;
      schema: string;
      table: string;
      columns: string[];
      ref_schema: string | null;
      ref_table: string | null;
      ref_columns: string[] | null;
    }>(
      `SELECT con.conname AS name, con.contype::text AS contype, n.nspname AS schema, c.relname AS table,
              (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS columns,
              fn.nspname AS ref_schema, fc.relname AS ref_table,
              (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS ref_columns
         FROM pg_catalog.pg_constraint con
         JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
         LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
        WHERE con.contype IN ('p', 'u', 'f') AND con.conparentid = 0 AND ${SCHEMA_FILTER("n.nspname")}
        ORDER BY n.nspname, c.relname, con.conname`,
      [SYSTEM_SCHEMAS],
    );
    const schemas = await client.query<{ name: string }>(
      `SELECT nspname AS name FROM pg_catalog.pg_namespace n WHERE ${SCHEMA_FILTER("n.nspname")} ORDER BY nspname`,
      [SYSTEM_SCHEMAS],
    );
    const key = (s: string, t: string) => `${s}\u0000${t}`;
    const byTable = new Map<string, typeof cons.rows>();
    for (const c of cons.rows) {
      const k = key(c.schema, c.table);
      byTable.set(k, [...(byTable.get(k) ?? []), c]);
    }
    const relations: CatalogRelation[] = rels.rows.map((r) => {
      const own = byTable.get(key(r.schema, r.name)) ?? [];
      const pk = own.find((c) => c.contype === "p");
      return {
        schema: r.schema,
        name: r.name,
        kind: KINDS[r.relkind],
        columns: r.columns,
        primaryKey: pk ? { name: pk.name, columns: pk.columns } : null,
        uniqueConstraints: own
          .filter((c) => c.contype === "u")
          .map((c) => ({ name: c.name, columns: c.columns })),
        partitionOf: r.partition_of,
      };
    });
    const foreignKeys: CatalogForeignKey[] = cons.rows
      .filter((c) => c.contype === "f" && c.ref_schema !== null && c.ref_table !== null)
      .map((c) => ({
        name: c.name,
        schema: c.schema,
        table: c.table,
        columns: c.columns,
        refSchema: c.ref_schema!,
        refTable: c.ref_table!,
        refColumns: c.ref_columns ?? [],
      }));
    return {
      database: db.rows[0].db,
      relations,
      foreignKeys,
      schemas: schemas.rows.map((s) => s.name),
    };
  } finally {
    await client.query("ROLLBACK");
  }
}
