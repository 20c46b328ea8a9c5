/**
 * The size of a source database (`pg_database_size`), for the migration report's window estimate.
 * Best effort with a short bound: an unreachable source only leaves the size unknown.
 */
import { connect } from "../data/engine/connection";

export async function measureDatabaseSize(url: string, timeoutMs = 5000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  const measure = (async () => {
    const c = await connect({ url }, "source");
    try {
      const r = await c.query("SELECT pg_catalog.pg_database_size(current_database())::text AS n");
      return Number(r.rows[0].n);
    } finally {
      await c.end().catch(() => undefined);
    }
  })().catch(() => null);
  try {
    return await Promise.race([measure, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
