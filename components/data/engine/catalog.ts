/** Catalog queries shared by pre-flight, copy and verify: what is in a database, and in scope. */
import type { Client } from "pg";
import { MARKER_SCHEMA } from "./marker";

export interface ScopeFilter {
  includeSchemas?: string[];
  excludeSchemas?: string[];
  includeTables?: string[];
  excludeTables?: string[];
}

/** SQL predicate on a schema-name expression: user schemas only, our marker schema never. */
export function schemaPredicate(expr: string, f: ScopeFilter): string {
  const lit = (xs: string[]) => xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(",");
  const parts = [
    `${expr} NOT IN ('pg_catalog','information_schema','pg_toast','${MARKER_SCHEMA}')`,
    `${expr} NOT LIKE 'pg\\_temp\\_%'`,
    `${expr} NOT LIKE 'pg\\_toast\\_temp\\_%'`,
  ];
  if (f.includeSchemas?.length) parts.push(`${expr} IN (${lit(f.includeSchemas)})`);
  if (f.excludeSchemas?.length) parts.push(`${expr} NOT IN (${lit(f.excludeSchemas)})`);
  return parts.join(" AND ");
}

/** Not created by an extension (those come with CREATE EXTENSION on the target). */
export const notExtensionMember = (classTable: string, oidExpr: string): string =>
  `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = '${classTable}'::regclass AND d.objid = ${oidExpr} AND d.deptype = 'e')`;

export interface TableInfo {
  oid: number;
  schema: string;
  name: string;
  /** `"schema"."name"` */
  qualified: string;
  /** Copyable columns (not dropped, not generated), quoted and comma-joined. */
  columns: string;
  bytes: number;
  estimatedRows: number;
  /** Main fork size in blocks (for ctid ranges). */
  blocks: number;
  /**
   * Copied (and checksummed) in COPY's binary format: every copied column's type is built in (or
   * an enum) with a binary form that names no object id, so both servers read and write it alike.
   * Otherwise text (extension, composite, range and domain types, arrays of those, reg* types).
   */
  binary: boolean;
}

/** Built-in types whose binary form is an object id, meaningless on another server. */
const OID_TYPES = [
  "regclass",
  "regcollation",
  "regconfig",
  "regdictionary",
  "regnamespace",
  "regoper",
  "regoperator",
  "regproc",
  "regprocedure",
  "regrole",
  "regtype",
];

export function tableMatches(t: { schema: string; name: string }, names: string[] | undefined): boolean {
  return (names ?? []).some((n) => n === `${t.schema}.${t.name}` || n === t.name);
}

/** Plain tables and leaf partitions whose rows we copy (scope-filtered, extension tables left out). */
export async function listTables(client: Client, f: ScopeFilter): Promise<TableInfo[]> {
  const r = await client.query(
    `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name,
            pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS qualified,
            pg_catalog.pg_table_size(c.oid)::bigint AS bytes,
            greatest(c.reltuples, 0)::bigint AS rows,
            (pg_catalog.pg_relation_size(c.oid) / current_setting('block_size')::int)::bigint AS blocks,
            coalesce((SELECT string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)
               FROM pg_catalog.pg_attribute a
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''), '') AS columns,
            coalesce((SELECT bool_and(t.typtype = 'e' OR (t.oid < 16384 AND t.typtype = 'b' AND t.typsend <> 0 AND t.typreceive <> 0
                                      AND t.typname NOT IN (${OID_TYPES.map((x) => `'${x}', '_${x}'`).join(", ")})))
               FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''), true) AS binary
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND ${schemaPredicate("n.nspname", f)} AND ${notExtensionMember("pg_class", "c.oid")}
      ORDER BY pg_catalog.pg_table_size(c.oid) DESC, n.nspname, c.relname`,
  );
  return r.rows
    .map((row) => ({
      oid: row.oid as number,
      schema: row.schema as string,
      name: row.name as string,
      qualified: row.qualified as string,
      columns: row.columns as string,
      bytes: Number(row.bytes),
      estimatedRows: Number(row.rows),
      blocks: Number(row.blocks),
      binary: row.binary === true,
    }))
    .filter((t) => (f.includeTables?.length ? tableMatches(t, f.includeTables) : true))
    .filter((t) => !tableMatches(t, f.excludeTables));
}

/**
 * In-scope tables and sequences the connected user cannot read in full, each with the reason:
 * no SELECT privilege, or row-level security filtering its rows (COPY and count(*) would both see
 * only the visible rows, so a partial copy would verify equal), or a sequence whose value reads as
 * NULL (it would be reset to its start on the target). Empty when everything can be read.
 */
export async function unreadableObjects(
  client: Client,
  f: ScopeFilter,
  tableOids: number[],
): Promise<Unreadable[]> {
  const r = await client.query(
    `SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) AS name,
            CASE WHEN c.relkind = 'S' THEN 'sequence'
                 WHEN NOT pg_catalog.has_table_privilege(c.oid, 'SELECT') THEN 'no-select'
                 WHEN c.relforcerowsecurity AND pg_catalog.pg_has_role(c.relowner, 'USAGE') THEN 'forced-rls'
                 ELSE 'rls' END AS why
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE (c.relkind = 'r' AND c.oid = ANY($1::oid[])
             AND (NOT pg_catalog.has_table_privilege(c.oid, 'SELECT') OR pg_catalog.row_security_active(c.oid)))
         OR (c.relkind = 'S' AND ${schemaPredicate("n.nspname", f)} AND ${notExtensionMember("pg_class", "c.oid")}
             AND NOT pg_catalog.has_sequence_privilege(c.oid, 'SELECT'))
      ORDER BY 1`,
    [tableOids],
  );
  return r.rows.map((row) => ({ name: row.name as string, why: row.why as Unreadable["why"] }));
}

/** An object the connected user cannot read in full, and why. */
export interface Unreadable {
  /** `schema.name`, quoted where needed. */
  name: string;
  why: "sequence" | "no-select" | "forced-rls" | "rls";
}

const UNREADABLE_REASON: Record<Unreadable["why"], string> = {
  sequence: "sequence without SELECT privilege (its current value cannot be read)",
  "no-select": "table without SELECT privilege",
  "forced-rls":
    "FORCE ROW LEVEL SECURITY applies its policies to the table's owner too, and this user is its owner (not a superuser, no BYPASSRLS)",
  rls: "row-level security hides rows from this user",
};

/**
 * One line per object and what would let the copy (or a verification) read it all. `role` is the
 * end in question ("source user"); the remedies are the ones that work for the reasons present.
 */
export function explainUnreadable(
  objects: Unreadable[],
  role: string,
  purpose: "copy" | "verify" = "copy",
): string {
  const why = new Set(objects.map((o) => o.why));
  const ways: string[] = [];
  if (why.has("forced-rls") || why.has("rls"))
    ways.push(
      `connect as a role with BYPASSRLS, or as a superuser${why.has("rls") && !why.has("forced-rls") ? ", or as the tables' owner" : ""}`,
    );
  if (why.has("forced-rls") && purpose === "copy")
    ways.push(
      "or, as the owner, run ALTER TABLE … NO FORCE ROW LEVEL SECURITY on those tables for the duration of the " +
        "import (the target then gets them without FORCE: run ALTER TABLE … FORCE ROW LEVEL SECURITY on both databases afterwards)",
    );
  if (why.has("no-select") || why.has("sequence")) ways.push("grant SELECT on them");
  ways.push("or leave them out (--exclude-table / excludeTables, or exclude their schema)");
  const consequence =
    purpose === "copy" ? "the copy would be partial" : "only part of their rows could be compared";
  return (
    `the ${role} cannot read everything in scope, so ${consequence}:\n  ` +
    objects.map((o) => `${o.name}: ${UNREADABLE_REASON[o.why]}`).join("\n  ") +
    `\nWhat works: ${ways.join("; ")}.`
  );
}

/** Human-readable list of user objects already in a database (for "refuse a non-empty target"). */
export async function listUserObjects(client: Client, limit = 50): Promise<string[]> {
  const f: ScopeFilter = {};
  const r = await client.query(
    `SELECT kind || ' ' || name AS what FROM (
       SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view'
                WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' ELSE 'foreign table' END AS kind,
              pg_catalog.format('%I.%I', n.nspname, c.relname) AS name
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r','p','v','m','S','f') AND ${schemaPredicate("n.nspname", f)}
          AND ${notExtensionMember("pg_class", "c.oid")}
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype IN ('a','i') AND c.relkind = 'S')
       UNION ALL
       SELECT 'function', p.oid::regprocedure::text
         FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE ${schemaPredicate("n.nspname", f)} AND ${notExtensionMember("pg_proc", "p.oid")}
       UNION ALL
       SELECT 'type', pg_catalog.format('%I.%I', n.nspname, t.typname)
         FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
        WHERE t.typtype IN ('e','d','r') AND ${schemaPredicate("n.nspname", f)} AND ${notExtensionMember("pg_type", "t.oid")}
       UNION ALL
       SELECT 'large objects', count(*)::text FROM pg_catalog.pg_largeobject_metadata HAVING count(*) > 0
     ) x ORDER BY 1 LIMIT ${limit}`,
  );
  return r.rows.map((row) => row.what as string);
}

export interface ServerInfo {
  version: string;
  versionNum: number;
  systemIdentifier: string;
  isSuperuser: boolean;
}

export async function serverInfo(client: Client): Promise<ServerInfo> {
  const r = await client.query(
    `SELECT current_setting('server_version') AS v, current_setting('server_version_num')::int AS n,
            (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) AS su`,
  );
  let systemIdentifier = "";
  try {
    // Not every managed provider lets a non-superuser read the control file; host/port/db suffice then.
    const s = await client.query("SELECT system_identifier::text AS id FROM pg_catalog.pg_control_system()");
    systemIdentifier = s.rows[0].id as string;
  } catch {
    // left empty: host, port and database identify the server instead
  }
  return {
    version: r.rows[0].v,
    versionNum: r.rows[0].n,
    systemIdentifier,
    isSuperuser: r.rows[0].su === true,
  };
}

/**
 * Extensions not carried over: plpgsql is always there, and pg_stat_statements (which Heroku
 * installs in every database) holds only server statistics and needs shared_preload_libraries.
 */
export const NOT_COPIED_EXTENSIONS = ["plpgsql", "pg_stat_statements"];

export interface ExtensionRow {
  name: string;
  schema: string;
  version: string;
}

export async function listExtensions(client: Client): Promise<ExtensionRow[]> {
  const r = await client.query(
    `SELECT e.extname AS name, n.nspname AS schema, e.extversion AS version
       FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
      WHERE e.extname NOT IN (${NOT_COPIED_EXTENSIONS.map((x) => `'${x}'`).join(",")}) ORDER BY 1`,
  );
  return r.rows as ExtensionRow[];
}

export async function availableExtensions(
  client: Client,
): Promise<Map<string, { installed: string | null; trusted: boolean }>> {
  const r = await client.query(
    `SELECT a.name, a.installed_version,
            coalesce((SELECT bool_or(v.trusted) FROM pg_catalog.pg_available_extension_versions v WHERE v.name = a.name), false) AS trusted
       FROM pg_catalog.pg_available_extensions a`,
  );
  return new Map(
    r.rows.map((row) => [
      row.name as string,
      { installed: row.installed_version as string | null, trusted: row.trusted === true },
    ]),
  );
}

/** The database-level search_path (Heroku puts heroku_ext there), or null. */
export async function databaseSearchPath(client: Client): Promise<string | null> {
  const r = await client.query(
    `SELECT s.setconfig FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
      WHERE d.datname = current_database() AND s.setrole = 0`,
  );
  for (const row of r.rows) {
    for (const c of (row.setconfig as string[]) ?? [])
      if (c.startsWith("search_path=")) return c.slice("search_path=".length);
  }
  return null;
}

/** The current database's encoding and default collation. */
export async function databaseLocale(
  client: Client,
): Promise<{ encoding: string; collate: string; ctype: string }> {
  const r = await client.query(
    `SELECT pg_catalog.pg_encoding_to_char(encoding) AS encoding, datcollate AS collate, datctype AS ctype
       FROM pg_catalog.pg_database WHERE datname = current_database()`,
  );
  return r.rows[0] as { encoding: string; collate: string; ctype: string };
}
