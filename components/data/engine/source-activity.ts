/**
 * Evidence that the source was quiet while it was copied: its write counters read just before the
 * import's snapshot and again after verification.
 *
 * What is read (one query each time, any user may read it):
 * - per table, `pg_stat_user_tables` n_tup_ins / n_tup_upd / n_tup_del (counted per row written,
 *   so an UPDATE that keeps every row count equal still shows) and the relation's file node (a
 *   TRUNCATE, VACUUM FULL or CLUSTER gives the table a new one, and TRUNCATE counts no row);
 * - per sequence, its `last_value` (a `nextval` writes no table row);
 * - for the database, `pg_stat_database.xact_commit` (the commit counter: read-only transactions,
 *   the import's own included, count too, so it is reported, never judged) and the transaction id
 *   horizon (transactions that wrote anything in the whole cluster: also only reported).
 *
 * The baseline is taken before the snapshot, so a write can only be counted twice, never missed:
 * a write committed between the reading and the snapshot is in the copy and still reported. The
 * server publishes a session's counters when the session goes idle, at most once a second
 * (PostgreSQL ≥ 15; ≤ 14 through its statistics collector, also within about a second), so the
 * final reading waits `settleMs` first. A session that keeps running statements without going
 * idle can hold its counts back longer: under the cutover freeze no other session of the apps'
 * credentials is connected (components/cutover waits for that), which is what makes the evidence
 * a proof there; without a freeze it is strong evidence, not proof.
 *
 * The baseline is kept in the target (`_heroku_to_hasura.source_activity`, one row per import),
 * so a resumed import is judged from its first snapshot, not from the resume.
 */
import type { Client } from "pg";
import { listTables, ScopeFilter, schemaPredicate } from "./catalog";
import { MARKER_SCHEMA } from "./marker";
import { ImportError, VerificationReport } from "./types";

/** How the import treats writes seen on the source. */
export interface SourceActivityOptions {
  /**
   * True when the source's apps are frozen for the cutover (components/cutover): any write to any
   * table of the source database fails the import, as the freeze did not hold. False (default): a
   * write to a copied table or sequence fails it as "not final", in its own words.
   */
  frozen?: boolean;
  /** Wait before the final reading, so the last writes' counters are published. Default 1500 ms. */
  settleMs?: number;
}

/** Writes seen on one table between the baseline and the final reading. */
export interface TableActivity {
  /** `schema.table`, quoted where needed (as in verification). */
  table: string;
  /** Whether the import copies this table's rows (excluded tables and other schemas do not). */
  inScope: boolean;
  inserted: number;
  updated: number;
  deleted: number;
  /** The table got a new file: TRUNCATE, VACUUM FULL or CLUSTER (a TRUNCATE counts no row). */
  rewritten: boolean;
  /** Created after the baseline. */
  created: boolean;
}

export interface SequenceActivity {
  sequence: string;
  from: string | null;
  to: string | null;
}

/** The evidence, as kept in the import's result. */
export interface SourceActivityReport {
  frozen: boolean;
  /** When the baseline was read (just before the first snapshot of this import). */
  since: string;
  /** When the final reading was taken (after verification). */
  until: string;
  /** Tables of the source database watched (in scope or not). */
  tablesWatched: number;
  /** Tables written to, in scope or not, sorted. */
  changed: TableActivity[];
  /** Sequences in the imported schemas whose value moved. */
  sequencesAdvanced: SequenceActivity[];
  /** `xact_commit` difference: commits in the database, read-only ones and the import's included. */
  commits: number | null;
  /** Transaction ids handed out in the whole cluster (any database, autoanalyze included). */
  writeTransactions: number | null;
  /** Reasons the evidence is incomplete (statistics off or reset, another server); empty when complete. */
  gaps: string[];
}

interface TableCounters {
  oid: number;
  ins: number;
  upd: number;
  del: number;
  node: string | null;
}

interface Reading {
  takenAt: string;
  systemIdentifier: string;
  statsReset: string | null;
  trackCounts: boolean;
  xactCommit: number | null;
  xidHorizon: string | null;
  tables: Record<string, TableCounters>;
  sequences: Record<string, string | null>;
}

const TABLE = `"${MARKER_SCHEMA}".source_activity`;

async function readCounters(source: Client, scope: ScopeFilter): Promise<Reading> {
  // The statistics views return a snapshot cached for the transaction: start from a fresh one.
  await source.query("SELECT pg_catalog.pg_stat_clear_snapshot()");
  const db = await source.query(
    `SELECT now()::text AS at, current_setting('track_counts') AS track,
            (SELECT xact_commit::text FROM pg_catalog.pg_stat_database WHERE datname = current_database()) AS commits,
            (SELECT stats_reset::text FROM pg_catalog.pg_stat_database WHERE datname = current_database()) AS reset,
            pg_catalog.txid_snapshot_xmax(pg_catalog.txid_current_snapshot())::text AS horizon`,
  );
  let systemIdentifier = "";
  try {
    const s = await source.query("SELECT system_identifier::text AS id FROM pg_catalog.pg_control_system()");
    systemIdentifier = s.rows[0].id as string;
  } catch {
    // Not readable on every managed server: the other checks still apply.
  }
  const t = await source.query(
    `SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) AS t, c.oid::bigint::text AS oid,
            coalesce(s.n_tup_ins, 0)::text AS ins, coalesce(s.n_tup_upd, 0)::text AS upd,
            coalesce(s.n_tup_del, 0)::text AS del, pg_catalog.pg_relation_filenode(c.oid)::text AS node
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_catalog.pg_stat_user_tables s ON s.relid = c.oid
      WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND ${schemaPredicate("n.nspname", {})}`,
  );
  const q = await source.query(
    `SELECT pg_catalog.format('%I.%I', schemaname, sequencename) AS s, last_value::text AS v
       FROM pg_catalog.pg_sequences WHERE ${schemaPredicate("schemaname", scope)}`,
  );
  const row = db.rows[0];
  return {
    takenAt: new Date(row.at as string).toISOString(),
    systemIdentifier,
    statsReset: (row.reset as string | null) ?? null,
    trackCounts: row.track === "on",
    xactCommit: row.commits === null ? null : Number(row.commits),
    xidHorizon: (row.horizon as string | null) ?? null,
    tables: Object.fromEntries(
      t.rows.map((r) => [
        r.t as string,
        {
          oid: Number(r.oid),
          ins: Number(r.ins),
          upd: Number(r.upd),
          del: Number(r.del),
          node: (r.node as string | null) ?? null,
        },
      ]),
    ),
    sequences: Object.fromEntries(q.rows.map((r) => [r.s as string, (r.v as string | null) ?? null])),
  };
}

/** The difference between two readings (pure). `inScope` names the tables whose rows are copied. */
export function compareReadings(
  before: Reading,
  after: Reading,
  inScope: Set<string>,
  frozen: boolean,
): SourceActivityReport {
  const gaps: string[] = [];
  if (!before.trackCounts || !after.trackCounts) {
    gaps.push("the source has track_counts off: no per-table write counters are kept");
  }
  if (
    before.systemIdentifier &&
    after.systemIdentifier &&
    before.systemIdentifier !== after.systemIdentifier
  ) {
    gaps.push(
      "the source is another server than at the baseline (failover or restore): counters not comparable",
    );
  }
  if (before.statsReset !== after.statsReset) {
    gaps.push("the source's statistics were reset during the import (pg_stat_reset or a server crash)");
  }
  const changed: TableActivity[] = [];
  for (const [table, a] of Object.entries(after.tables)) {
    const b = before.tables[table];
    const entry = (x: Partial<TableActivity>): TableActivity => ({
      table,
      inScope: inScope.has(table),
      inserted: 0,
      updated: 0,
      deleted: 0,
      rewritten: false,
      created: false,
      ...x,
    });
    if (!b || b.oid !== a.oid) {
      changed.push(entry({ created: true, inserted: a.ins, updated: a.upd, deleted: a.del }));
      continue;
    }
    if (a.ins < b.ins || a.upd < b.upd || a.del < b.del) {
      const gap = `write counters of ${table} went backwards (statistics reset)`;
      if (!gaps.includes(gap)) gaps.push(gap);
      continue;
    }
    const e = entry({
      inserted: a.ins - b.ins,
      updated: a.upd - b.upd,
      deleted: a.del - b.del,
      rewritten: a.node !== b.node,
    });
    if (e.inserted + e.updated + e.deleted > 0 || e.rewritten) changed.push(e);
  }
  for (const table of Object.keys(before.tables)) {
    if (!(table in after.tables)) {
      changed.push({
        table,
        inScope: inScope.has(table),
        inserted: 0,
        updated: 0,
        deleted: 0,
        rewritten: true,
        created: false,
      });
    }
  }
  changed.sort((x, y) => Number(y.inScope) - Number(x.inScope) || x.table.localeCompare(y.table));
  const sequencesAdvanced: SequenceActivity[] = [];
  for (const [sequence, to] of Object.entries(after.sequences)) {
    const from = before.sequences[sequence] ?? null;
    if (from !== to) sequencesAdvanced.push({ sequence, from, to });
  }
  sequencesAdvanced.sort((x, y) => x.sequence.localeCompare(y.sequence));
  const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.max(0, a - b));
  let writeTransactions: number | null = null;
  if (after.xidHorizon !== null && before.xidHorizon !== null) {
    writeTransactions = Number(BigInt(after.xidHorizon) - BigInt(before.xidHorizon));
  }
  return {
    frozen,
    since: before.takenAt,
    until: after.takenAt,
    tablesWatched: Object.keys(after.tables).length,
    changed,
    sequencesAdvanced,
    commits: diff(after.xactCommit, before.xactCommit),
    writeTransactions,
    gaps,
  };
}

/** Writes that make the copy not final: in-scope ones, or any under a freeze. */
export function disqualifyingChanges(r: SourceActivityReport): {
  tables: TableActivity[];
  sequences: SequenceActivity[];
} {
  return {
    tables: r.frozen ? r.changed : r.changed.filter((t) => t.inScope),
    sequences: r.sequencesAdvanced,
  };
}

/** One table's writes in words: `public.orders (12 inserted, 1 updated)`. */
export function describeTableActivity(t: TableActivity): string {
  const parts: string[] = [];
  if (t.created) parts.push("created during the import");
  if (t.inserted) parts.push(`${t.inserted} inserted`);
  if (t.updated) parts.push(`${t.updated} updated`);
  if (t.deleted) parts.push(`${t.deleted} deleted`);
  if (t.rewritten && !t.created) parts.push("rewritten or dropped (TRUNCATE, VACUUM FULL, CLUSTER, DROP)");
  return `${t.table} (${parts.join(", ")}${t.inScope ? "" : "; not copied by this import"})`;
}

/** The one-line summary logged at the end of a quiet import. */
export function describeQuiet(r: SourceActivityReport): string {
  const extra = [
    r.commits !== null ? `${r.commits} commit(s) counted, read-only ones and the import's own included` : "",
    r.changed.length > 0
      ? `writes outside the import's scope: ${r.changed.map(describeTableActivity).join("; ")}`
      : "",
  ].filter(Boolean);
  return (
    `source quiet: no write to the ${r.tablesWatched} table(s) of the source database from the snapshot (${r.since}) ` +
    `to the end of verification (${r.until})${extra.length ? `; ${extra.join("; ")}` : ""}` +
    (r.gaps.length ? `; evidence incomplete: ${r.gaps.join("; ")}` : "")
  );
}

/**
 * The error when the source changed during the import: under a freeze, the freeze did not hold;
 * without one, the copy is not final. Both in words, naming the tables, distinct from a
 * verification failure (whose differences are the writes' consequence and are summed up below).
 */
export function sourceChangedError(r: SourceActivityReport, verification: VerificationReport): ImportError {
  const { tables, sequences } = disqualifyingChanges(r);
  const list = [
    ...tables.slice(0, 30).map(describeTableActivity),
    ...sequences
      .slice(0, 10)
      .map((s) => `sequence ${s.sequence} advanced from ${s.from ?? "unset"} to ${s.to ?? "unset"}`),
  ];
  const more =
    tables.length - Math.min(tables.length, 30) + sequences.length - Math.min(sequences.length, 10);
  const named = `  ${list.join("\n  ")}${more > 0 ? `\n  … and ${more} more` : ""}`;
  const window = `between the import's snapshot (${r.since}) and the end of verification (${r.until})`;
  const counted =
    tables.length > 0
      ? `${tables.length} table(s) changed${sequences.length ? ` and ${sequences.length} sequence(s) advanced` : ""}`
      : `${sequences.length} sequence(s) advanced`;
  const consequence = verification.equal
    ? "Verification happened to find the target equal, but the source moved on after the copy."
    : `As a consequence, verification found ${verification.differences.length} difference(s), e.g. ${verification.differences[0]}.`;
  const message = r.frozen
    ? `the source was written to during the frozen import: ${counted} ${window}:\n${named}\n` +
      "The Heroku apps are frozen, so the writer is something else: a one-off dyno (heroku run, Scheduler), " +
      "another app or tool using these credentials, or a direct psql session. Stop it, then empty the target " +
      "database (or use a new one) and run the import again; the apps stay frozen meanwhile " +
      "(`npm run cutover -- status`), or give up with `npm run cutover -- rollback`.\n" +
      `${consequence} The target stays marked incomplete.`
    : `not final: ${counted} on the source during the copy, ${window}, so the target already misses writes:\n` +
      `${named}\n` +
      "This is expected while the apps still write (a rehearsal), and it is not a fault of the copy. For the final " +
      "import, stop every write to the source first: set cutover.freeze: true in the stack config (maintenance " +
      "mode on and every process type scaled to 0), then empty the target database (or use a new one) and import " +
      `again.\n${consequence} The target stays marked incomplete.`;
  return new ImportError(message, "source-changed");
}

/** Watches the source from just before the snapshot to the end of verification. */
export class SourceActivity {
  private constructor(
    private readonly baseline: Reading,
    private readonly inScope: Set<string>,
    private readonly scope: ScopeFilter,
    private readonly opts: SourceActivityOptions,
  ) {}

  /**
   * Reads the baseline (call before exporting the snapshot), or, when resuming an import whose
   * baseline the target keeps, that one.
   */
  static async begin(
    source: Client,
    target: Client,
    importId: string,
    scope: ScopeFilter,
    opts: SourceActivityOptions,
    log: (line: string) => void,
  ): Promise<SourceActivity> {
    await target.query(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (import_id text PRIMARY KEY, baseline jsonb NOT NULL)`,
    );
    const kept = await target.query(`SELECT baseline FROM ${TABLE} WHERE import_id = $1`, [importId]);
    let baseline: Reading;
    if (kept.rowCount) {
      baseline = kept.rows[0].baseline as Reading;
      log(`source activity: judged from this import's first snapshot (${baseline.takenAt})`);
    } else {
      baseline = await readCounters(source, scope);
      await target.query(`INSERT INTO ${TABLE} (import_id, baseline) VALUES ($1, $2)`, [
        importId,
        JSON.stringify(baseline),
      ]);
    }
    if (!baseline.trackCounts) {
      log("warning: track_counts is off on the source: writes during the import cannot be detected");
    }
    const inScope = new Set((await listTables(source, scope)).map((t) => t.qualified));
    return new SourceActivity(baseline, inScope, scope, opts);
  }

  /** The final reading, `settleMs` after the call (after verification). */
  async end(source: Client): Promise<SourceActivityReport> {
    await new Promise((r) => setTimeout(r, this.opts.settleMs ?? 1500));
    const now = await readCounters(source, this.scope);
    return compareReadings(this.baseline, now, this.inScope, this.opts.frozen === true);
  }
}

/** True when the report shows writes that make the import not final (see disqualifyingChanges). */
export function sourceChanged(r: SourceActivityReport): boolean {
  const d = disqualifyingChanges(r);
  return d.tables.length > 0 || d.sequences.length > 0;
}
