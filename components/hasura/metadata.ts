/**
 * Catalog → Hasura metadata v3, purely (no I/O): one source per migrated database, every table and
 * view of the selected schemas tracked, an object and an array relationship for every foreign key,
 * named as the console names them (./naming.ts). Whatever cannot be tracked is reported with the
 * reason, never dropped silently.
 */
import type { HasuraRelationshipReport, HasuraSourceReport } from "../plan/hasura-section";
import type { CatalogForeignKey, CatalogRelation, PgCatalog } from "./catalog";
import type {
  ArrayRelationship,
  MetadataV3,
  ObjectRelationship,
  QualifiedTable,
  SourceMetadata,
  TableMetadata,
} from "./metadata-types";
import { nameTableRelationships, SuggestedRelationship } from "./naming";

/** Heroku Postgres keeps extensions here; Hasura must be told (`extensions_schema`, v2.11+). */
export const HEROKU_EXT_SCHEMA = "heroku_ext";

/** Which relations to track; null = no restriction. Tables are `schema.table` or `table`. */
export interface TrackFilter {
  includeSchemas: string[] | null;
  excludeSchemas: string[] | null;
  includeTables: string[] | null;
  excludeTables: string[] | null;
}

export const NO_FILTER: TrackFilter = {
  includeSchemas: null,
  excludeSchemas: null,
  includeTables: null,
  excludeTables: null,
};

export interface SourceSpec {
  /** Hasura source name. */
  name: string;
  /** Environment variable holding the database URL in GraphQL Engine (`from_env`). */
  envVar: string;
  filter: TrackFilter;
}

export interface GeneratedSource {
  metadata: SourceMetadata;
  report: HasuraSourceReport;
}

/** GraphQL names: `[_A-Za-z][_0-9A-Za-z]*` (Hasura's `G.mkName`). */
export const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** The table's root field name: the name in `public`, else `<schema>_<name>` (Hasura, Postgres). */
export function graphqlTableName(schema: string, name: string): string {
  return schema === "public" ? name : `${schema}_${name}`;
}

/** Names Hasura derives from a table's GraphQL name (root fields and types): two tables must not share one. */
export function derivedNames(n: string): string[] {
  const fields = ["", "_by_pk", "_aggregate", "_stream"].map((s) => n + s);
  const mutations = ["insert_", "update_", "delete_"].flatMap((p) => [`${p}${n}`, `${p}${n}_by_pk`]);
  const types = [
    "_aggregate_fields",
    "_bool_exp",
    "_constraint",
    "_insert_input",
    "_mutation_response",
    "_on_conflict",
    "_order_by",
    "_pk_columns_input",
    "_select_column",
    "_set_input",
    "_update_column",
    "_updates",
    "_stream_cursor_input",
    "_obj_rel_insert_input",
    "_arr_rel_insert_input",
  ].map((s) => n + s);
  return [...fields, ...mutations, `insert_${n}_one`, `update_${n}_many`, ...types];
}

const qualified = (schema: string, name: string) => `${schema}.${name}`;
const tableKey = (t: { schema: string; name: string }) => qualified(t.schema, t.name);

function matchesTable(t: { schema: string; name: string }, names: string[]): boolean {
  return names.some((n) => n === tableKey(t) || n === t.name);
}

/** Why a relation is not tracked, or null when it is trackable. Order: scope, then GraphQL limits. */
function scopeReason(r: CatalogRelation, f: TrackFilter): string | null {
  if (r.partitionOf !== null) return `partition of ${r.partitionOf}: tracked through its parent`;
  if (r.schema === HEROKU_EXT_SCHEMA) return `in ${HEROKU_EXT_SCHEMA}, Heroku's extension schema`;
  if (f.includeSchemas && !f.includeSchemas.includes(r.schema))
    return `schema ${r.schema} is not in hasura.includeSchemas`;
  if (f.excludeSchemas?.includes(r.schema)) return `schema ${r.schema} is in hasura.excludeSchemas`;
  if (f.includeTables && !matchesTable(r, f.includeTables)) return "not in hasura.includeTables";
  if (f.excludeTables && matchesTable(r, f.excludeTables)) return "in hasura.excludeTables";
  return null;
}

function graphqlReason(r: CatalogRelation): string | null {
  const gql = graphqlTableName(r.schema, r.name);
  if (!GRAPHQL_NAME.test(gql))
    return `its GraphQL name "${gql}" is not a valid GraphQL name ([_A-Za-z][_0-9A-Za-z]*): rename it, or track it by hand with a custom_name`;
  if (r.columns.length === 0) return "it has no columns: a GraphQL object type needs at least one field";
  const badColumn = r.columns.find((c) => !GRAPHQL_NAME.test(c));
  if (badColumn !== undefined)
    return `column "${badColumn}" is not a valid GraphQL name: rename it, or track the table by hand with a custom column name`;
  const constraints = [...(r.primaryKey ? [r.primaryKey] : []), ...r.uniqueConstraints];
  const badConstraint = constraints.find((c) => !GRAPHQL_NAME.test(c.name));
  if (badConstraint !== undefined)
    return `constraint "${badConstraint.name}" is not a valid GraphQL name (Hasura lists it in the on_conflict enum): rename it`;
  return null;
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join("\u0000") === [...b].sort().join("\u0000");

/** The referencing columns are the referencing table's primary key or a unique constraint. */
function isUniqueOn(r: CatalogRelation, columns: readonly string[]): boolean {
  if (r.primaryKey && sameSet(r.primaryKey.columns, columns)) return true;
  return r.uniqueConstraints.some((u) => sameSet(u.columns, columns));
}

interface Candidate extends SuggestedRelationship {
  fk: CatalogForeignKey;
  /** The relationship lives on the referencing table (outgoing key). */
  outgoing: boolean;
}

function mapping(lcol: string[], rcol: string[]): Record<string, string> {
  return Object.fromEntries(lcol.map((c, i) => [c, rcol[i]]));
}

/**
 * `foreign_key_constraint_on` names a key by its columns; when two keys of the referencing table have
 * the same columns (towards the same table, for a remote key) Hasura cannot tell them apart, so the
 * relationship is written as a manual configuration instead.
 */
function ambiguous(c: Candidate, fks: readonly CatalogForeignKey[]): boolean {
  return (
    fks.filter(
      (o) =>
        o.schema === c.fk.schema &&
        o.table === c.fk.table &&
        sameSet(o.columns, c.fk.columns) &&
        (c.outgoing || (o.refSchema === c.fk.refSchema && o.refTable === c.fk.refTable)),
    ).length > 1
  );
}

function objectUsing(
  c: Candidate,
  fks: readonly CatalogForeignKey[],
  remote: QualifiedTable,
): ObjectRelationship["using"] {
  if (ambiguous(c, fks))
    return { manual_configuration: { remote_table: remote, column_mapping: mapping(c.lcol, c.rcol) } };
  if (c.outgoing) return { foreign_key_constraint_on: c.lcol.length === 1 ? c.lcol[0] : [...c.lcol] };
  return {
    foreign_key_constraint_on:
      c.rcol.length === 1 ? { table: remote, column: c.rcol[0] } : { table: remote, columns: [...c.rcol] },
  };
}

function arrayUsing(
  c: Candidate,
  fks: readonly CatalogForeignKey[],
  remote: QualifiedTable,
): ArrayRelationship["using"] {
  if (ambiguous(c, fks))
    return { manual_configuration: { remote_table: remote, column_mapping: mapping(c.lcol, c.rcol) } };
  return {
    foreign_key_constraint_on:
      c.rcol.length === 1 ? { table: remote, column: c.rcol[0] } : { table: remote, columns: [...c.rcol] },
  };
}

const byName = (a: CatalogForeignKey, b: CatalogForeignKey) =>
  cmp(a.schema, b.schema) || cmp(a.table, b.table) || cmp(a.name, b.name);

/** Generates one source's metadata and its report from the database's catalog. */
export function generateSource(spec: SourceSpec, catalog: PgCatalog): GeneratedSource {
  const notTracked: HasuraSourceReport["notTracked"] = [];
  const tracked: CatalogRelation[] = [];
  const claimed = new Map<string, string>();
  const relations = [...catalog.relations].sort((a, b) => cmp(a.schema, b.schema) || cmp(a.name, b.name));
  for (const r of relations) {
    const scoped = scopeReason(r, spec.filter);
    if (scoped !== null) {
      notTracked.push({ object: `${r.kind} ${tableKey(r)}`, reason: scoped, warning: false });
      continue;
    }
    const why = graphqlReason(r);
    if (why !== null) {
      notTracked.push({ object: `${r.kind} ${tableKey(r)}`, reason: why, warning: true });
      continue;
    }
    const names = derivedNames(graphqlTableName(r.schema, r.name));
    const clash = names.find((n) => claimed.has(n));
    if (clash !== undefined) {
      notTracked.push({
        object: `${r.kind} ${tableKey(r)}`,
        reason: `its GraphQL name "${clash}" is already used by ${claimed.get(clash)}: track it by hand with a custom_name`,
        warning: true,
      });
      continue;
    }
    for (const n of names) claimed.set(n, tableKey(r));
    tracked.push(r);
  }
  const trackedByKey = new Map(tracked.map((r) => [tableKey(r), r]));
  const fks = [...catalog.foreignKeys].sort(byName);
  for (const fk of fks) {
    const from = qualified(fk.schema, fk.table);
    const to = qualified(fk.refSchema, fk.refTable);
    const missing = [from, to].filter((t) => !trackedByKey.has(t));
    if (missing.length > 0 && trackedByKey.has(from) !== trackedByKey.has(to)) {
      notTracked.push({
        object: `foreign key ${fk.name} (${from} → ${to})`,
        reason: `no relationship: ${missing.join(" and ")} is not tracked`,
        warning: true,
      });
    }
  }

  const relationships: HasuraRelationshipReport[] = [];
  const tables: TableMetadata[] = tracked.map((t) => {
    const self = tableKey(t);
    const outgoing = fks.filter(
      (fk) =>
        qualified(fk.schema, fk.table) === self && trackedByKey.has(qualified(fk.refSchema, fk.refTable)),
    );
    const incoming = fks.filter(
      (fk) =>
        qualified(fk.refSchema, fk.refTable) === self && trackedByKey.has(qualified(fk.schema, fk.table)),
    );
    const objects: Candidate[] = outgoing.map((fk) => ({
      isObjRel: true,
      rTable: fk.refTable,
      lcol: fk.columns,
      rcol: fk.refColumns,
      fk,
      outgoing: true,
    }));
    const arrays: Candidate[] = [];
    for (const fk of incoming) {
      const referencing = trackedByKey.get(qualified(fk.schema, fk.table))!;
      const c: Candidate = {
        isObjRel: isUniqueOn(referencing, fk.columns),
        rTable: fk.table,
        lcol: fk.refColumns,
        rcol: fk.columns,
        fk,
        outgoing: false,
      };
      (c.isObjRel ? objects : arrays).push(c);
    }
    const ordered = [...objects, ...arrays];
    const names = nameTableRelationships(t.columns, ordered);
    const entry: TableMetadata = { table: { name: t.name, schema: t.schema } };
    const objectRels: ObjectRelationship[] = [];
    const arrayRels: ArrayRelationship[] = [];
    ordered.forEach((c, i) => {
      const remoteSchema = c.outgoing ? c.fk.refSchema : c.fk.schema;
      const remote: QualifiedTable = { name: c.rTable, schema: remoteSchema };
      const name = names[i].name;
      if (c.isObjRel) objectRels.push({ name, using: objectUsing(c, fks, remote) });
      else arrayRels.push({ name, using: arrayUsing(c, fks, remote) });
      relationships.push({
        table: self,
        name,
        type: c.isObjRel ? "object" : "array",
        remoteTable: qualified(remoteSchema, c.rTable),
        foreignKey: c.fk.name,
        mapping: c.lcol.map((l, j) => `${l} → ${c.rTable}.${c.rcol[j]}`).join(", "),
        fallbackName: names[i].fallback,
      });
    });
    if (objectRels.length > 0) entry.object_relationships = objectRels;
    if (arrayRels.length > 0) entry.array_relationships = arrayRels;
    return entry;
  });

  const extensionsSchema = catalog.schemas.includes(HEROKU_EXT_SCHEMA) ? HEROKU_EXT_SCHEMA : null;
  const metadata: SourceMetadata = {
    name: spec.name,
    kind: "postgres",
    tables,
    configuration: {
      connection_info: {
        database_url: { from_env: spec.envVar },
        isolation_level: "read-committed",
        use_prepared_statements: true,
      },
      ...(extensionsSchema !== null ? { extensions_schema: extensionsSchema } : {}),
    },
  };
  return {
    metadata,
    report: {
      source: spec.name,
      database: catalog.database,
      envVar: spec.envVar,
      extensionsSchema,
      tables: tracked.map((t) => ({
        table: tableKey(t),
        kind: t.kind,
        graphqlName: graphqlTableName(t.schema, t.name),
      })),
      relationships,
      notTracked,
    },
  };
}

/** The whole metadata document for the generated sources (version 3). */
export function metadataOf(sources: readonly GeneratedSource[]): MetadataV3 {
  return { version: 3, sources: sources.map((s) => s.metadata) };
}

/** Code-point order: the same on every machine, whatever its locale. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
