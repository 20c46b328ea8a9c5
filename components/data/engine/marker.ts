/**
 * The import's state, kept in the target itself so that any re-run (another machine, a lost
 * Pulumi state) sees it: `_heroku_to_hasura.import_state` (one row) and `.import_done` (one row
 * per committed unit of work, written in the same transaction as that work). Data units carry
 * their rows' checksum as read from the source; `target:` items the checksum read back from the
 * target by the current run (an earlier run's are dropped when a run starts: the target may have
 * changed in between).
 */
import type { Client } from "pg";
import { ImportMarker, ImportPhase, ImportResult, SourceIdentity } from "./types";

export const MARKER_SCHEMA = "_heroku_to_hasura";
const S = `"${MARKER_SCHEMA}"`;

export async function ensureMarkerTables(target: Client): Promise<void> {
  await target.query(`CREATE SCHEMA IF NOT EXISTS ${S};
    CREATE TABLE IF NOT EXISTS ${S}.import_state (id int PRIMARY KEY CHECK (id = 1), state jsonb NOT NULL);
    CREATE TABLE IF NOT EXISTS ${S}.import_done (item text PRIMARY KEY, rows bigint, bytes bigint, done_at timestamptz NOT NULL DEFAULT now());
    ALTER TABLE ${S}.import_done ADD COLUMN IF NOT EXISTS checksum text;
    COMMENT ON SCHEMA ${S} IS 'heroku-to-hasura import state: do not edit; the target counts as imported only when state.completedAt is set';`);
}

export async function readMarker(target: Client): Promise<ImportMarker | null> {
  const has = await target.query(`SELECT to_regclass('${S}.import_state') IS NOT NULL AS ok`);
  if (!has.rows[0].ok) return null;
  const r = await target.query(`SELECT state FROM ${S}.import_state WHERE id = 1`);
  if (r.rowCount === 0) return null;
  const state = r.rows[0].state as Omit<ImportMarker, "tablesDone">;
  const done = await target.query(`SELECT item FROM ${S}.import_done ORDER BY item`);
  return { ...state, tablesDone: done.rows.map((x) => x.item as string) };
}

export async function writeNewMarker(
  target: Client,
  importId: string,
  source: SourceIdentity,
): Promise<void> {
  const now = new Date().toISOString();
  const state = {
    importId,
    source,
    phase: "pre-data",
    startedAt: now,
    updatedAt: now,
    completedAt: null,
    fingerprint: null,
    result: null,
  };
  await target.query(`TRUNCATE ${S}.import_done`);
  await target.query(
    `INSERT INTO ${S}.import_state (id, state) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state`,
    [JSON.stringify(state)],
  );
}

export async function setPhase(target: Client, phase: ImportPhase): Promise<void> {
  await target.query(
    `UPDATE ${S}.import_state SET state = state || jsonb_build_object('phase', $1::text, 'updatedAt', $2::text) WHERE id = 1`,
    [phase, new Date().toISOString()],
  );
}

/**
 * Marks the import complete. Target sessions commit with `synchronous_commit = off`; this one
 * commit waits for the WAL flush, which also makes every earlier (asynchronous) commit durable.
 * Without it a target crash right after could lose the last tables' rows while the caller (and
 * Pulumi's state) already recorded the import as complete.
 */
export async function markComplete(target: Client, result: ImportResult): Promise<void> {
  const now = new Date().toISOString();
  await target.query("BEGIN");
  try {
    await target.query("SET LOCAL synchronous_commit = on");
    await target.query(
      `UPDATE ${S}.import_state SET state = state || jsonb_build_object('phase', 'complete', 'updatedAt', $1::text,
          'completedAt', $1::text, 'fingerprint', $2::text, 'result', $3::jsonb) WHERE id = 1`,
      [now, result.fingerprint, JSON.stringify(result)],
    );
    await target.query("COMMIT");
  } catch (err) {
    await target.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

/**
 * SQL that records a unit of work and commits the transaction that did it, in one round trip
 * (it matters with hundreds of small tables). Values are inlined as literals: no parameters in a
 * multi-statement query.
 */
export function markDoneAndCommitSql(item: string | string[], rows = 0, bytes = 0): string {
  const items = Array.isArray(item) ? item : [item];
  const values = items
    .map((i) => `('${i.replace(/'/g, "''")}', ${Math.trunc(rows)}, ${Math.trunc(bytes)})`)
    .join(", ");
  return `INSERT INTO ${S}.import_done (item, rows, bytes) VALUES ${values}; COMMIT`;
}

/** Records a unit of work; call inside the transaction that did it. */
export async function markDone(target: Client, item: string, rows = 0, bytes = 0): Promise<void> {
  await target.query(`INSERT INTO ${S}.import_done (item, rows, bytes) VALUES ($1, $2, $3)`, [
    item,
    rows,
    bytes,
  ]);
}

export interface DoneItem {
  rows: number;
  bytes: number;
  /** Row checksum (16 hex digits) of a data unit or a `target:` check; null for other items and for units recorded by older versions. */
  checksum: string | null;
}

export async function doneItems(target: Client): Promise<Map<string, DoneItem>> {
  const r = await target.query(`SELECT item, rows, bytes, checksum FROM ${S}.import_done`);
  return new Map(
    r.rows.map((x) => [
      x.item as string,
      {
        rows: Number(x.rows ?? 0),
        bytes: Number(x.bytes ?? 0),
        checksum: (x.checksum as string | null) ?? null,
      },
    ]),
  );
}

/** Forgets the target checksums of earlier runs: this run reads them again. */
export async function forgetTargetChecks(target: Client): Promise<void> {
  await target.query(`DELETE FROM ${S}.import_done WHERE item LIKE 'target:%'`);
}

export function sameSource(a: SourceIdentity, b: SourceIdentity): boolean {
  return (
    a.host.toLowerCase() === b.host.toLowerCase() &&
    a.port === b.port &&
    a.database === b.database &&
    (a.systemIdentifier === "" || b.systemIdentifier === "" || a.systemIdentifier === b.systemIdentifier)
  );
}
