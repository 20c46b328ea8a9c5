/** After the rows and indexes: sequences, large objects and planner statistics. All idempotent. */
import type { Client } from "pg";
import { notExtensionMember, ScopeFilter, schemaPredicate } from "./catalog";
import { markDone } from "./marker";
import { runPool } from "./worker-pool";

/** Sets every in-scope sequence of the target to the source's current value. */
export async function copySequences(source: Client, target: Client, f: ScopeFilter): Promise<number> {
  const r = await source.query(
    `SELECT pg_catalog.format('%I.%I', s.schemaname, s.sequencename) AS q, s.last_value::text AS v, s.start_value::text AS start
       FROM pg_catalog.pg_sequences s
       JOIN pg_catalog.pg_namespace n ON n.nspname = s.schemaname
       JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = s.sequencename
      WHERE ${schemaPredicate("s.schemaname", f)} AND ${notExtensionMember("pg_class", "c.oid")}`,
  );
  for (const row of r.rows) {
    // last_value is NULL until the first nextval(): keep the sequence "not called" then.
    if (row.v === null)
      await target.query(`SELECT pg_catalog.setval($1::regclass, $2::bigint, false)`, [row.q, row.start]);
    else await target.query(`SELECT pg_catalog.setval($1::regclass, $2::bigint, true)`, [row.q, row.v]);
  }
  return r.rowCount ?? 0;
}

const LO_CHUNK = 1024 * 1024;

/** Copies large objects in 1 MiB chunks, one transaction (with its marker row) per object. */
export async function copyLargeObjects(
  sources: Client[],
  targets: Client[],
  done: Set<string>,
): Promise<number> {
  const r = await sources[0].query(
    "SELECT oid::bigint::text AS oid FROM pg_catalog.pg_largeobject_metadata ORDER BY oid",
  );
  const todo = r.rows.map((x) => x.oid as string).filter((oid) => !done.has(`lo:${oid}`));
  const pairs = sources.map((s, i) => ({ s, t: targets[i] }));
  await runPool(todo, pairs, async (oid, { s, t }) => {
    await t.query("BEGIN");
    try {
      await t.query(
        "SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = $1::oid",
        [oid],
      );
      await t.query("SELECT pg_catalog.lo_create($1::oid)", [oid]);
      for (let off = 0; ; off += LO_CHUNK) {
        const c = await s.query("SELECT pg_catalog.lo_get($1::oid, $2::bigint, $3::int) AS b", [
          oid,
          off,
          LO_CHUNK,
        ]);
        const b = c.rows[0].b as Buffer;
        if (b.length === 0) break;
        await t.query("SELECT pg_catalog.lo_put($1::oid, $2::bigint, $3::bytea)", [oid, off, b]);
        if (b.length < LO_CHUNK) break;
      }
      await markDone(t, `lo:${oid}`, 0, 0);
      await t.query("COMMIT");
    } catch (err) {
      await t.query("ROLLBACK").catch(() => undefined);
      throw new Error(`large object ${oid}: ${(err as Error).message}`, { cause: err });
    }
  });
  return todo.length;
}

/**
 * ANALYZE every imported table so the planner is not blind after the cutover (partitioned parents
 * and materialized views included), but those in `done` (analyzed while copying).
 */
export async function analyzeTables(targets: Client[], f: ScopeFilter, done: Set<string>): Promise<void> {
  const r = await targets[0].query(
    `SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS q FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r','p','m') AND ${schemaPredicate("n.nspname", f)} AND ${notExtensionMember("pg_class", "c.oid")}`,
  );
  await runPool(
    r.rows.map((x) => x.q as string).filter((q) => !done.has(q)),
    targets,
    async (q, t) => {
      await t.query(`ANALYZE ${q}`);
    },
  );
}
