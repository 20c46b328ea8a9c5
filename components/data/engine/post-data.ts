/**
 * Post-data (indexes, constraints, triggers, …) from pg_dump's TOC, built in parallel in waves
 * that respect dependencies pg_restore would otherwise serialise:
 *   1. indexes, primary/unique/exclusion and NOT VALID check constraints (parallel)
 *   2. partition index attachments (parallel, need both indexes of wave 1)
 *   3. foreign keys, triggers, rules, policies and anything else (parallel)
 *   4. comments and materialized view refreshes (in dump order: refreshes depend on each other)
 * Each item commits together with its marker row, so a re-run builds exactly what is missing.
 * Wave 1 items of a table normally run during the data phase, as soon as its rows are in
 * (./data-phase); this phase builds whatever is left.
 */
import type { Client } from "pg";
import { markDoneAndCommitSql } from "./marker";
import { SqlItem } from "./pg-tools";
import { dropConnection } from "./copy-data";
import { retryOnDeadlock, runPool } from "./worker-pool";

export interface PostDataItem extends SqlItem {
  key: string;
  wave: number;
}

function wave(type: string): number {
  if (type === "INDEX" || type === "CONSTRAINT" || type === "CHECK CONSTRAINT") return 1;
  if (type === "INDEX ATTACH") return 2;
  if (type === "COMMENT" || type === "MATERIALIZED VIEW DATA") return 4;
  return 3;
}

export function planPostData(items: SqlItem[]): PostDataItem[] {
  const seen = new Map<string, number>();
  return items.map((it) => {
    const base = `post:${it.type}:${it.schema}:${it.name}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { ...it, key: n === 1 ? base : `${base}#${n}`, wave: wave(it.type) };
  });
}

/**
 * Runs one item in its own transaction with its marker row. Errors name the item and keep the
 * server's error code (a lost connection is told apart by the caller).
 */
export async function runItem(client: Client, item: PostDataItem): Promise<void> {
  await runItems(client, [item]);
}

/**
 * Runs items in one transaction with their marker rows (the many tiny keys of small tables: one
 * round trip and one commit instead of one per table). An error names the item that failed.
 */
export async function runItems(client: Client, items: PostDataItem[]): Promise<void> {
  let current = items[0];
  try {
    await retryOnDeadlock(async () => {
      try {
        await client.query("BEGIN");
        for (const item of items) {
          current = item;
          await client.query(item.sql);
        }
        await client.query(markDoneAndCommitSql(items.map((i) => i.key)));
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      }
    });
  } catch (err) {
    throw Object.assign(
      new Error(`${current.type} ${current.schema}.${current.name}: ${(err as Error).message}`),
      {
        code: (err as { code?: string }).code,
        cause: err,
      },
    );
  }
}

/** Runs the items not yet done on the given target connections (each already ran the preamble). */
export async function runPostData(
  clients: Client[],
  items: PostDataItem[],
  done: Set<string>,
  log: (line: string) => void,
): Promise<number> {
  const todo = items.filter((i) => !done.has(i.key));
  for (const w of [1, 2, 3, 4]) {
    const batch = todo.filter((i) => i.wave === w);
    if (!batch.length) continue;
    log(`post-data wave ${w}: ${batch.length} item(s)`);
    const workers = w === 4 ? clients.slice(0, 1) : clients;
    await runPool(
      batch,
      workers,
      (item, client) => runItem(client, item),
      // Fail fast: the others may be waiting on locks; the server rolls back their items.
      () => clients.forEach(dropConnection),
    );
  }
  return todo.length;
}

const NAME = `(?:"(?:[^"]|"")*"|[^\\s."]+)`;
const INDEX_ON = new RegExp(`^CREATE (?:UNIQUE )?INDEX ${NAME} ON (ONLY )?(${NAME}\\.${NAME}) USING `);
const ALTER_ONLY = new RegExp(`^ALTER TABLE ONLY (${NAME}\\.${NAME})\\s+ADD CONSTRAINT `);

/** The item takes an ACCESS EXCLUSIVE lock on its table (ALTER TABLE … ADD CONSTRAINT). */
export const locksTable = (item: SqlItem): boolean => /^ALTER TABLE /.test(item.sql);

/** The table a wave-1 item builds on (`schema.table` as quote_ident writes it), if it is one table. */
export function itemTable(item: SqlItem): string | undefined {
  const i = INDEX_ON.exec(item.sql);
  // ON ONLY: the partitioned parent's index, attached later; it has no rows of its own.
  if (i) return i[1] ? undefined : i[2];
  const a = ALTER_ONLY.exec(item.sql);
  return a ? a[1] : undefined;
}
