/**
 * Verification: proves the target equals the source, table by table and object by object.
 *
 * Rows: exact count plus an order-independent checksum of each table's rows as COPY sends them
 * (./copy-protocol: binary where every column type allows, else text with identical output
 * settings on both ends). During an import the source side is taken from the COPY stream itself
 * (the snapshot the rows were copied from, no second read of the source) and the target side is
 * read back right after each table's COPY, in its transaction; a later run reads the target again.
 * `verifyDatabases` reads both sides. Objects: the catalog's own definition text
 * (pg_get_indexdef, …) per kind, compared as sets, so a missing index or constraint is named, not
 * just counted; tables with their columns (types, defaults, generated expressions).
 */
import { createHash } from "crypto";
import * as os from "os";
import type { Client } from "pg";
import {
  explainUnreadable,
  listTables,
  NOT_COPIED_EXTENSIONS,
  TableInfo,
  unreadableObjects,
  notExtensionMember,
  ScopeFilter,
  schemaPredicate,
  tableMatches,
} from "./catalog";
import { connect, COPY_SEARCH_PATH } from "./connection";
import { checkTarget, readSource, targetItem } from "./copy-data";
import { RowChecksum } from "./copy-protocol";
import { doneItems } from "./marker";
import { ImportRun } from "./run";
import { runPool } from "./worker-pool";
import {
  ConnectionSpec,
  ImportError,
  ObjectCounts,
  SequenceVerification,
  TableVerification,
  VerificationReport,
  VerifyOptions,
} from "./types";

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
    // Columns too: generated columns are computed by the target, not copied, so their expression
    // must be equal; and a changed type or default would not show in the rows.
    tables:
      await q(`SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) || ' ' || c.relkind::text || ' ' || md5(coalesce((
                SELECT string_agg(pg_catalog.quote_ident(a.attname) || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod) ||
                         CASE WHEN a.attnotnull THEN ' not null' ELSE '' END || ' ' || a.attidentity::text || a.attgenerated::text || ' ' ||
                         coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), ''), ', ' ORDER BY a.attnum)
                  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '')) AS d
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r','p','f') AND ${sp("n.nspname")} AND ${notExtensionMember("pg_class", "c.oid")}`),
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

/** One table's two checksums (null: missing on that side). */
interface TableSides {
  table: string;
  source: RowChecksum;
  target: RowChecksum | null;
}

/**
 * Compares rows (given per table), sequences and schema objects of the two databases, and builds
 * the report and its fingerprint (over the source side only).
 */
async function compare(
  source: Client,
  target: Client,
  sides: TableSides[],
  schemaScope: ScopeFilter,
): Promise<VerificationReport> {
  const results: TableVerification[] = sides
    .map((x) => ({
      table: x.table,
      sourceRows: x.source.rows,
      targetRows: x.target?.rows ?? -1,
      sourceChecksum: x.source.hex,
      targetChecksum: x.target?.hex ?? "missing",
      equal: x.target !== null && x.source.rows === x.target.rows && x.source.hex === x.target.hex,
    }))
    .sort((x, y) => x.table.localeCompare(y.table));
  const [sd, td] = [
    await objectDefinitions(source, schemaScope),
    await objectDefinitions(target, schemaScope),
  ];
  const [sv, tv] = [await sequenceValues(source, schemaScope), await sequenceValues(target, schemaScope)];

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
}

/**
 * The data units of each table (`data:<table>` or `data:<table>#<range>`), grouped in one pass. A
 * quoted table name may hold a `#` itself, so the table is the prefix that names one of `tables`.
 */
export function unitsByTable<U>(tables: string[], done: Map<string, U>): Map<string, [string, U][]> {
  const names = new Set(tables);
  const out = new Map<string, [string, U][]>();
  for (const entry of done.entries()) {
    if (!entry[0].startsWith("data:")) continue;
    const rest = entry[0].slice("data:".length);
    let table = names.has(rest) ? rest : undefined;
    for (let i = rest.indexOf("#"); table === undefined && i >= 0; i = rest.indexOf("#", i + 1)) {
      if (names.has(rest.slice(0, i))) table = rest.slice(0, i);
    }
    if (table === undefined) continue;
    const list = out.get(table);
    if (list) list.push(entry);
    else out.set(table, [entry]);
  }
  return out;
}

/**
 * The import's verification. Row checksums come from the marker: the source side recorded from
 * each unit's COPY stream, the target side read back by this run. Whatever this run has not read
 * back (tables copied by an earlier run: the target may have changed since) is read now, in
 * parallel; so is the source side of units recorded by an older version without a checksum.
 */
export async function verifyImport(run: ImportRun): Promise<VerificationReport> {
  const done = await doneItems(run.target);
  const sides: TableSides[] = [];
  const toRead: { table: TableInfo; side: TableSides; source: boolean; target: boolean }[] = [];
  const unitsOf = unitsByTable(
    run.tables.map((t) => t.qualified),
    done,
  );
  for (const t of run.tables) {
    const units = unitsOf.get(t.qualified) ?? [];
    const source = new RowChecksum();
    let sourceKnown = units.length > 0;
    for (const [, u] of units) {
      if (u.checksum === null) sourceKnown = false;
      else source.merge(RowChecksum.fromHex(u.checksum, u.rows));
    }
    const tgt = done.get(targetItem(t.qualified));
    const side: TableSides = {
      table: t.qualified,
      source,
      target: tgt?.checksum ? RowChecksum.fromHex(tgt.checksum, tgt.rows) : null,
    };
    sides.push(side);
    if (!sourceKnown || !side.target)
      toRead.push({ table: t, side, source: !sourceKnown, target: !side.target });
  }
  if (toRead.length) {
    const n = Math.min(run.jobs, toRead.length);
    run.log(
      `verify: reading ${toRead.length} table(s) back (copied by an earlier run, or recorded without a checksum)`,
    );
    const targets = await run.openMany("target", n);
    const sources = toRead.some((x) => x.source) ? await run.openMany("source", n) : [];
    for (const c of [...targets, ...sources]) await c.query(COPY_SEARCH_PATH);
    try {
      await runPool(
        toRead,
        targets.map((t, i) => ({ t, s: sources[i] })),
        async (x, w) => {
          if (x.source) x.side.source = await readSource(w.s, x.table);
          if (x.target)
            x.side.target = await checkTarget(w.t, x.table, true).catch((e: { code?: string }) => {
              if (e?.code === "42P01") return null;
              throw e;
            });
        },
      );
    } finally {
      await run.release([...targets, ...sources]);
    }
  }
  return compare(run.source, run.target, sides, {
    includeSchemas: run.opts.includeSchemas,
    excludeSchemas: run.opts.excludeSchemas,
  });
}

/**
 * Compares two databases, reading every table on both sides; never writes. `report.equal` is the
 * verdict. A table either side cannot read in full (no SELECT, row-level security that applies
 * to the user) is refused up front, naming it and what works, rather than compared partially.
 */
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
  const dataScope: ScopeFilter = {
    ...schemaScope,
    includeTables: opts.includeTables,
    excludeTables: opts.excludeTables,
  };
  const sources: Client[] = [];
  const targets: Client[] = [];
  try {
    for (let i = 0; i < jobs; i++) {
      sources.push(await connect(source, "source"));
      targets.push(await connect(target, "target"));
    }
    for (const c of [...sources, ...targets]) await c.query(COPY_SEARCH_PATH);
    // Data scope: excluded tables' rows were not copied, so they are not compared.
    const tables = await listTables(sources[0], dataScope);
    const onTarget = new Map((await listTables(targets[0], dataScope)).map((t) => [t.qualified, t]));
    const unreadable = [
      ...(
        await unreadableObjects(
          sources[0],
          schemaScope,
          tables.map((t) => t.oid),
        )
      ).map((u) => ({ u, role: "source user" })),
      ...(
        await unreadableObjects(
          targets[0],
          schemaScope,
          [...onTarget.values()].map((t) => t.oid),
        )
      ).map((u) => ({
        u,
        role: "target user",
      })),
    ].filter((x) => !x.u.why.startsWith("sequence"));
    for (const role of ["source user", "target user"]) {
      const objs = unreadable.filter((x) => x.role === role).map((x) => x.u);
      if (objs.length)
        throw new ImportError(
          `verification refused: ${explainUnreadable(objs, role, "verify")}`,
          "privileges",
        );
    }
    log(`verifying ${tables.length} table(s)`);
    const sides: TableSides[] = [];
    await runPool(
      tables,
      sources.map((s, i) => ({ s, t: targets[i] })),
      async (tbl, { s, t }) => {
        const there = onTarget.get(tbl.qualified);
        const [a, b] = await Promise.all([
          readSource(s, tbl),
          // The target's copy of the table is read the way the source's is (same columns, same format).
          there
            ? readSource(t, tbl).catch((e: { code?: string }) => {
                // A column missing on the target: the table definitions differ (reported below).
                if (e?.code === "42703") return null;
                throw e;
              })
            : Promise.resolve(null),
        ]);
        sides.push({ table: tbl.qualified, source: a, target: b });
      },
    );
    return await compare(sources[0], targets[0], sides, schemaScope);
  } finally {
    await Promise.all([...sources, ...targets].map((c) => c.end().catch(() => undefined)));
  }
}

export { tableMatches };
