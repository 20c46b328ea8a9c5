/**
 * The copy engine's public contract: plain data in, plain data out. No Pulumi here; the dynamic
 * resource and the `npm run import` command both call the functions in `./index`.
 */
import type { SourceActivityOptions, SourceActivityReport } from "./source-activity";

export type { SourceActivityOptions, SourceActivityReport };

/** How to reach one end of the import. */
export interface ConnectionSpec {
  /**
   * A libpq-style URL `postgres://user:password@host:port/db?sslmode=…`. The plaintext lives only
   * inside the engine: every message and result shows it masked (`postgres://user:***@host/db`).
   */
  url: string;
  /**
   * libpq `sslmode` (`disable`, `prefer`, `require`, `verify-ca`, `verify-full`). Default: the
   * URL's `sslmode`, else `require` for Heroku hosts (`*.amazonaws.com`, `*.heroku*.com`), else `prefer`.
   */
  sslMode?: string;
}

/** Everything the engine needs for one import. */
export interface ImportOptions {
  /** The database read from (only ever read). */
  source: ConnectionSpec;
  /** The database written to; it must be empty or hold our own marker for the same source. */
  target: ConnectionSpec;
  /** Parallel connections per side for data and index builds. Default: `os.cpus().length`. */
  jobs?: number;
  /** Only these schemas (exact names). Default: every non-system schema. */
  includeSchemas?: string[];
  /** Schemas left out (exact names). */
  excludeSchemas?: string[];
  /** Only these tables (`schema.table` or `table`, exact names). Default: every table. */
  includeTables?: string[];
  /** Tables left out (`schema.table` or `table`): their definition is copied, their rows are not. */
  excludeTables?: string[];
  /**
   * Recorded in the target's marker. A different id than the marker's is a deliberate new import:
   * it still refuses a non-empty target unless `allowNonEmptyTarget`. Default: a new random id
   * (or the marker's id when resuming).
   */
  importId?: string;
  /** Copy into a target that already holds objects (they are left as they are). Default false. */
  allowNonEmptyTarget?: boolean;
  /**
   * Tables larger than this on the source are copied in ctid ranges in parallel. Default: only a
   * table larger than an even share of all the data per job (it would otherwise leave the other
   * jobs idle at the end); ctid ranges cost the source more and lose `COPY … FREEZE`.
   */
  splitTablesLargerThanBytes?: number;
  /** Where `pg_dump`/`pg_restore` live. Default: detect (`PATH`, `/usr/lib/postgresql/<max>/bin`). */
  pgBinDir?: string;
  /** Called often during the copy (throttled by the caller if needed). */
  onProgress?: (p: ImportProgress) => void;
  /** Human-readable log lines; never contain a password. */
  log?: (line: string) => void;
  /** Also log each unit of work (table copied, index built, …) with its duration. Default false. */
  verbose?: boolean;
  /**
   * Stops the import when aborted: every open connection is dropped, so the servers roll back the
   * units in flight; committed units stay recorded and a later run resumes. The promise then
   * rejects with an ImportError of code `interrupted`.
   */
  signal?: AbortSignal;
  /**
   * How writes on the source during the import are judged (./source-activity): under a cutover
   * freeze any write fails the import; without one, a write to a copied table fails it as "not
   * final" (code `source-changed`). Default: no freeze.
   */
  sourceActivity?: SourceActivityOptions;
}

/** Phases of an import, in order; stored in the marker so a re-run knows where to resume. */
export type ImportPhase =
  "preflight" | "pre-data" | "data" | "post-data" | "finalize" | "verify" | "complete";

export interface TableProgress {
  /** `schema.table` quoted as an identifier would be (`public."Order"`). */
  table: string;
  rows: number;
  bytes: number;
  /** Estimated bytes on the source (pg_table_size), for ETA. */
  estimatedBytes: number;
  done: boolean;
}

export interface ImportProgress {
  phase: ImportPhase;
  /** Tables whose rows are copied / to copy. */
  tablesDone: number;
  tablesTotal: number;
  rows: number;
  bytes: number;
  estimatedBytes: number;
  /** Seconds since the copy phase started. */
  elapsedSeconds: number;
  bytesPerSecond: number;
  /** Seconds left, estimated from bytes/s; undefined before there is a rate. */
  etaSeconds?: number;
  /** Tables being copied right now. */
  active: TableProgress[];
  /** A short human message (e.g. "building 12 indexes"). */
  message?: string;
}

/** The source identity: what makes "the same source" across password rotations. No credentials. */
export interface SourceIdentity {
  host: string;
  port: number;
  database: string;
  /** `pg_control_system()`'s system identifier: distinguishes two servers behind one host name. */
  systemIdentifier: string;
}

export interface TableVerification {
  /** `schema.table`, quoted where needed. */
  table: string;
  sourceRows: number;
  targetRows: number;
  /**
   * Order-independent checksum of the rows as COPY sends them (binary format where every column
   * type is built in, else text): 16 hex digits.
   */
  sourceChecksum: string;
  targetChecksum: string;
  equal: boolean;
}

export interface SequenceVerification {
  sequence: string;
  sourceValue: string | null;
  targetValue: string | null;
  equal: boolean;
}

/** Counts of schema objects in the imported schemas. */
export interface ObjectCounts {
  tables: number;
  indexes: number;
  constraints: number;
  views: number;
  materializedViews: number;
  functions: number;
  triggers: number;
  sequences: number;
  extensions: number;
  largeObjects: number;
  /** Comments on tables, columns, views, indexes, constraints, functions, types and schemas. */
  comments: number;
}

export interface VerificationReport {
  equal: boolean;
  tables: TableVerification[];
  sequences: SequenceVerification[];
  sourceCounts: ObjectCounts;
  targetCounts: ObjectCounts;
  /** One line per difference, naming the table/sequence/object kind. Empty when equal. */
  differences: string[];
  /** sha256 over the sorted per-table checksums, row counts and sequence values of the source. */
  fingerprint: string;
  rows: number;
}

export interface VerifyOptions {
  includeSchemas?: string[];
  excludeSchemas?: string[];
  includeTables?: string[];
  excludeTables?: string[];
  /** Parallel verification connections per side. Default `os.cpus().length`. */
  jobs?: number;
  log?: (line: string) => void;
}

export interface ImportResult {
  importId: string;
  tables: number;
  rows: number;
  /** Bytes of COPY text streamed. */
  bytes: number;
  durationMs: number;
  sourceServerVersion: string;
  fingerprint: string;
  verification: TableVerification[];
  objectCounts: ObjectCounts;
  /** True when this run continued an interrupted import found in the target's marker. */
  resumed: boolean;
  /**
   * True when the target's marker already held this import complete and verified: this run copied
   * nothing, and the figures are the earlier run's.
   */
  alreadyComplete?: boolean;
  /** Evidence that the source was quiet from the snapshot to the end of verification. */
  sourceActivity?: SourceActivityReport;
}

export interface ExtensionInfo {
  name: string;
  schema: string;
  version: string;
  /** Whether the target server offers it (`pg_available_extensions`). */
  availableOnTarget: boolean;
}

export interface PreflightReport {
  /** Source URL, masked. */
  source: string;
  target: string;
  sourceServerVersion: string;
  targetServerVersion: string;
  /** `pg_dump --version` of the tool that will be used, e.g. "15.8". */
  pgDumpVersion: string;
  pgBinDir: string;
  sourceIdentity: SourceIdentity;
  extensions: ExtensionInfo[];
  /** Tables to copy with their estimated size. */
  tables: { table: string; estimatedBytes: number; estimatedRows: number }[];
  estimatedBytes: number;
  /** Rough duration at a conservative 20 MB/s per job. */
  estimatedSeconds: number;
  /** Marker found in the target, if any. */
  marker: ImportMarker | null;
  /** What the run will do: start afresh, resume the marker's import, or nothing (already complete). */
  action: "fresh" | "resume" | "complete";
  /** Non-system objects already in the target (empty when the target is empty). */
  targetObjects: string[];
  warnings: string[];
}

/** What pre-flight needs: the import's own options, minus the copy-only ones. */
export type PreflightOptions = Pick<
  ImportOptions,
  | "source"
  | "target"
  | "jobs"
  | "includeSchemas"
  | "excludeSchemas"
  | "includeTables"
  | "excludeTables"
  | "importId"
  | "allowNonEmptyTarget"
  | "pgBinDir"
  | "log"
>;

/** The import state kept in the target (`_heroku_to_hasura.import_state`). */
export interface ImportMarker {
  importId: string;
  source: SourceIdentity;
  phase: ImportPhase;
  /** Tables (or table parts) whose rows are committed in the target. */
  tablesDone: string[];
  startedAt: string;
  updatedAt: string;
  /** Set once verification passed; the target is "complete" only then. */
  completedAt: string | null;
  fingerprint: string | null;
  /** The ImportResult of the completed import (no secrets), for an idempotent re-run. */
  result: ImportResult | null;
}

/** An error whose message is safe to show (passwords masked) and names what is at fault. */
export class ImportError extends Error {
  constructor(
    message: string,
    /** Machine-readable kind, for exit codes and tests. */
    readonly code:
      | "unreachable"
      | "auth"
      | "tls"
      | "version"
      | "tools"
      | "extension"
      | "non-empty-target"
      | "same-database"
      | "other-import"
      | "privileges"
      | "busy"
      | "encoding"
      | "copy"
      | "verify"
      | "interrupted"
      | "source-changed"
      | "config",
  ) {
    super(message);
    this.name = "ImportError";
  }
}
