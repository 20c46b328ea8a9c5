/**
 * Verification: proves the target equals the source, table by table and object by object.
 *
 * Rows: exact count plus an order-independent checksum, the sum of a 64-bit hash of each row's
 * text form, computed by each server over `ONLY` the table. Both sessions use the same output
 * settings (time zone, date/interval styles, float digits, bytea format) so the text form is the
 * same on both ends. Objects: the catalog's own definition text (pg_get_indexdef, …) per kind,
 * compared as sets, so a missing index or constraint is named, not just counted.
 */
import { createHash } from "crypto";
import * as os from "os";
import type { Client } from "pg";
import {
  listTables,
  NOT_COPIED_EXTENSIONS,
  notExtensionMember,
  ScopeFilter,
  schemaPredicate,
  tableMatches,
} from "./catalog";
import { connect } from "./connection";
import { runPool } from "./worker-pool";
import {
  ConnectionSpec,
  ObjectCounts,
  SequenceVerification,
  TableVerification,
  VerificationReport,
  VerifyOptions,
} from "./types";

export interface TableChecksum {
  rows: number;
  checksum: string;
}

export async function tableChecksum(client: Client, qualified: string): Promise<TableChecksum> {
  const r = await client.query(
    `SELECT count(*)::bigint::text AS n,
            coalesce(sum(pg_catalog.hashtextextended(_h2h_row::text, 0)::numeric), 0)::text AS h
       FROM ONLY ${qualified} AS _h2h_row`,
  );
  return { rows: Number(r.rows[0].n), checksum: BigInt(r.rows[0].h).toString(16) };
}

type Definitions = Record<keyof ObjectCounts, string[]>;

/** Every object's identity and definition, per kind, sorted. */
export async function objectDefinitions(client: Client, f: ScopeFilter): Promise<Definitions> {
  const sp = (e: string) => schemaPredicate(e, f);
  const q = async (sql: string): Promise<string[]> =>
    (await client.query(sql)).rows.map((r) => r.d as string).sort();
  await client.query("SET search_path = pg_catalog");
  const rel = (kinds: string) =>
    q(`SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) || ' ' || c.relkind::text ||
              CASE WHEN c.relkind IN ('v','m') THEN ' ' || md5(pg_catalog.pg_get_viewdef(c.oid)) ELSE '' END ||
              CASE WHEN c.relkind = 'm' THEN CASE WHEN c.relispopulated THEN ' populated' ELSE ' NOT POPULATED' END ELSE '' END AS d
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN (${kinds}) AND ${sp("n.nspname")} AND ${notExtensionMember("pg_class", "c.oid")}`);
  return {
    tables: await rel("'r','p','f'"),
    views: await rel("'v'"),
    materializedViews: await rel("'m'"),
    sequences: await rel("'S'"),
    indexes:
      await q(`SELECT pg_get_indexdef(i.indexrelid) || CASE WHEN i.indisvalid THEN '' ELSE ' INVALID' END AS d
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE ${sp("n.nspname")} AND ${notExtensionMember("pg_class", "i.indrelid")}`),
    constraints:
      await q(`SELECT coalesce(co.conrelid::regclass::text, co.contypid::regtype::text) || ' ' || pg_catalog.quote_ident(co.conname) || ' ' ||
              pg_get_constraintdef(co.oid) || CASE WHEN co.convalidated THEN '' ELSE ' NOT VALID' END AS d
         FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace
        WHERE ${sp("n.nspname")} AND ${notExtensionMember("pg_constraint", "co.oid")}
          AND (co.contypid = 0 OR ${notExtensionMember("pg_type", "co.contypid")})`),
    functions:
      await q(`SELECT p.oid::regprocedure::text || ' ' || md5(coalesce(p.prosrc, '') || coalesce(p.probin, '')) AS d
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE ${sp("n.nspname")} AND ${notExtensionMember("pg_proc", "p.oid")}`),
    triggers: await q(`SELECT pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::text AS d
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT t.tgisinternal AND ${sp("n.nspname")}`),
    // Versions may legitimately differ (the target offers what its packages ship): name and schema count.
    extensions: await q(`SELECT e.extname || ' in ' || n.nspname AS d
         FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname NOT IN (${NOT_COPIED_EXTENSIONS.map((x) => `'${x}'`).join(",")})`),
    comments:
      await q(`SELECT pg_catalog.pg_describe_object(d.classoid, d.objoid, d.objsubid) || ' ' || md5(d.description) AS d
         FROM pg_description d
        WHERE d.classoid IN ('pg_class'::regclass, 'pg_constraint'::regclass, 'pg_proc'::regclass, 'pg_type'::regclass, 'pg_namespace'::regclass, 'pg_trigger'::regclass)
          AND d.objoid NOT IN (SELECT objid FROM pg_depend WHERE deptype = 'e')
          AND d.objoid NOT IN (SELECT oid FROM pg_namespace WHERE NOT (${sp("nspname")}))
          AND (d.classoid <> 'pg_class'::regclass OR d.objoid IN (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${sp("n.nspname")}))
          AND (d.classoid <> 'pg_proc'::regclass OR d.objoid IN (SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${sp("n.nspname")}))
          AND (d.classoid <> 'pg_type'::regclass OR d.objoid IN (SELECT t.oid FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE ${sp("n.nspname")}))`),
    largeObjects: await q(
      `SELECT m.oid::text || ' ' || md5(pg_catalog.lo_get(m.oid)) AS d FROM pg_largeobject_metadata m`,
    ),
  };
}

export async function sequenceValues(client: Client, f: ScopeFilter): Promise<Map<string, string | null>> {
  const r = await client.query(
    `SELECT pg_catalog.format('%I.%I', schemaname, sequencename) AS q, last_value::text AS v
       FROM pg_catalog.pg_sequences WHERE ${schemaPredicate("schemaname", f)}`,
  );
  return new Map(r.rows.map((x) => [x.q as string, x.v as string | null]));
}

function diffSets(kind: string, src: string[], tgt: string[], out: string[]): void {
  const t = new Set(tgt);
  const s = new Set(src);
  const short = (x: string) => (x.length > 200 ? x.slice(0, 200) + "…" : x);
  for (const x of src) if (!t.has(x)) out.push(`${kind} missing or different in the target: ${short(x)}`);
  for (const x of tgt) if (!s.has(x)) out.push(`${kind} only in the target: ${short(x)}`);
}

/** Compares source and target; never writes. `report.equal` is the verdict. */
export async function verifyDatabases(
  source: ConnectionSpec,
  target: ConnectionSpec,
  opts: VerifyOptions = {},
): Promise<VerificationReport> {
  const jobs = Math.max(1, opts.jobs ?? os.cpus().length);
  const log = opts.log ?? (() => undefined);
  const schemaScope: ScopeFilter = {
    includeSchemas: opts.includeSchemas,
    excludeSchemas: opts.excludeSchemas,
  };
  const sources: Client[] = [];
  const targets: Client[] = [];
  try {
    for (let i = 0; i < jobs; i++) {
      sources.push(await connect(source, "source"));
      targets.push(await connect(target, "target"));
    }
    // Data scope: excluded tables' rows were not copied, so they are not compared.
    const tables = await listTables(sources[0], {
      ...schemaScope,
      includeTables: opts.includeTables,
      excludeTables: opts.excludeTables,
    });
    log(`verifying ${tables.length} table(s)`);
    const results: TableVerification[] = [];
    const pairs = sources.map((s, i) => ({ s, t: targets[i] }));
    await runPool(tables, pairs, async (tbl, { s, t }) => {
      const [a, b] = await Promise.all([
        tableChecksum(s, tbl.qualified),
        // Only a missing table is a difference; any other error (privileges, row-level security,
        // a dropped connection) must surface as itself, not as "missing in the target".
        tableChecksum(t, tbl.qualified).catch((e: { code?: string }) => {
          if (e?.code === "42P01") return null;
          throw e;
        }),
      ]);
      results.push({
        table: tbl.qualified,
        sourceRows: a.rows,
        targetRows: b?.rows ?? -1,
        sourceChecksum: a.checksum,
        targetChecksum: b?.checksum ?? "missing",
        equal: b !== null && a.rows === b.rows && a.checksum === b.checksum,
      });
    });
    results.sort((x, y) => x.table.localeCompare(y.table));

    const [sd, td] = await Promise.all([
      objectDefinitions(sources[0], schemaScope),
      objectDefinitions(targets[0], schemaScope),
    ]);
    const [sv, tv] = await Promise.all([
      sequenceValues(sources[0], schemaScope),
      sequenceValues(targets[0], schemaScope),
    ]);

    const differences: string[] = [];
    for (const r of results) {
      if (r.equal) continue;
      differences.push(
        r.targetRows < 0
          ? `table ${r.table}: missing in the target`
          : r.sourceRows !== r.targetRows
            ? `table ${r.table}: ${r.sourceRows} rows in the source, ${r.targetRows} in the target`
            : `table ${r.table}: same row count (${r.sourceRows}) but different content (checksum ${r.sourceChecksum} vs ${r.targetChecksum})`,
      );
    }
    const sequences: SequenceVerification[] = [...sv.entries()].sort().map(([name, v]) => ({
      sequence: name,
      sourceValue: v,
      targetValue: tv.get(name) ?? null,
      equal: tv.has(name) && tv.get(name) === v,
    }));
    for (const s of sequences) {
      if (!s.equal)
        differences.push(
          `sequence ${s.sequence}: ${s.sourceValue ?? "not called"} in the source, ${s.targetValue ?? "not called/missing"} in the target`,
        );
    }
    const kinds = Object.keys(sd) as (keyof ObjectCounts)[];
    for (const k of kinds) diffSets(k, sd[k], td[k], differences);
    const counts = (d: Definitions) =>
      Object.fromEntries(kinds.map((k) => [k, d[k].length])) as unknown as ObjectCounts;

    const h = createHash("sha256");
    for (const r of results) h.update(`T ${r.table} ${r.sourceRows} ${r.sourceChecksum}\n`);
    for (const s of sequences) h.update(`S ${s.sequence} ${s.sourceValue}\n`);
    for (const k of kinds) for (const d of sd[k]) h.update(`O ${k} ${d}\n`);

    return {
      equal: differences.length === 0,
      tables: results,
      sequences,
      sourceCounts: counts(sd),
      targetCounts: counts(td),
      differences,
      fingerprint: h.digest("hex"),
      rows: results.reduce((a, r) => a + r.sourceRows, 0),
    };
  } finally {
    await Promise.all([...sources, ...targets].map((c) => c.end().catch(() => undefined)));
  }
}

export { tableMatches };
