/**
 * Dropping an import's data (PostgresImport `dropTargetOnDelete`): only while the target's marker
 * still names that import, checked under a lock in the same transaction as the drop.
 */
import { connect, scrub } from "./connection";
import { MARKER_SCHEMA } from "./marker";
import { ConnectionSpec, ImportError } from "./types";

export type DropOutcome =
  | { dropped: true }
  /** Nothing dropped; `reason` says why (no marker, or another import's marker). */
  | { dropped: false; reason: string };

/**
 * Drops everything the target user owns in the target database (`DROP OWNED BY CURRENT_USER
 * CASCADE`: the imported objects, large objects and the marker), if the marker names `importId`.
 * The connection honours the URL's sslmode like the import did (libpq semantics, `prefer`
 * fallback), and the marker row is locked until the drop commits, so a concurrent new import
 * cannot slip in between the check and the drop.
 */
export async function dropImport(target: ConnectionSpec, importId: string): Promise<DropOutcome> {
  const c = await connect(target, "target");
  try {
    await c.query("BEGIN");
    const has = await c.query(`SELECT to_regclass('"${MARKER_SCHEMA}".import_state') IS NOT NULL AS ok`);
    const row = has.rows[0].ok
      ? (
          await c.query(
            `SELECT state->>'importId' AS id FROM "${MARKER_SCHEMA}".import_state WHERE id = 1 FOR UPDATE`,
          )
        ).rows[0]
      : undefined;
    if (!row || row.id !== importId) {
      await c.query("ROLLBACK");
      return {
        dropped: false,
        reason: row
          ? `the target holds the marker of import ${row.id as string}`
          : "the target has no import marker",
      };
    }
    await c.query("DROP OWNED BY CURRENT_USER CASCADE");
    await c.query("COMMIT");
    return { dropped: true };
  } catch (err) {
    await c.query("ROLLBACK").catch(() => undefined);
    throw new ImportError(
      `dropping import ${importId} failed: ${scrub(String((err as Error)?.message ?? err), target)}`,
      "copy",
    );
  } finally {
    await c.end().catch(() => undefined);
  }
}
