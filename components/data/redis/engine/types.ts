/** Types of the Redis copy engine (no Pulumi in it; the RedisImport provider drives it). */

/** How to reach one Redis server. */
export interface RedisEndpoint {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). The db in the path is ignored: every logical database is copied. */
  url: string;
  /**
   * For `rediss://`: check the server's certificate. Default false, as Heroku documents for its
   * Key-Value Store, whose certificates are self-signed.
   */
  verifyCertificate?: boolean;
  /** PEM of the CA to trust when `verifyCertificate` is true (default: the system's CAs). */
  caPem?: string;
}

/** Options of one copy. */
export interface RedisCopyOptions {
  source: RedisEndpoint;
  target: RedisEndpoint;
  /** Names the copy (kept in the target's marker). Default: generated at the first attempt. */
  importId?: string;
  /** Keys per SCAN batch. Default 500. */
  batchSize?: number;
  /** Largest TTL difference (ms) the verification accepts. Default 5000. */
  ttlToleranceMs?: number;
  /** How long to wait for each server to answer before the copy starts, in seconds. Default 0. */
  waitSeconds?: number;
  /** `dump` (DUMP/RESTORE, typed copy for keys RESTORE refuses) or `typed` (per-type commands only). Default `dump`. */
  method?: "dump" | "typed";
  /** Progress and notes, one line each (never a value or a password). */
  log?: (line: string) => void;
}

/** One key that differs after the copy. */
export interface KeyMismatch {
  db: number;
  /** The key name, printable (non-printable bytes escaped as \xNN). */
  key: string;
  /** e.g. `value differs`, `ttl differs (source 60000 ms, target none)`, `missing in target`. */
  reason: string;
}

export interface DatabaseSummary {
  db: number;
  keys: number;
  /** Keys with a TTL. */
  expiring: number;
}

export interface RedisCopyResult {
  importId: string;
  /** Keys copied and verified, per logical database of the source. */
  databases: DatabaseSummary[];
  keys: number;
  /** Keys by type (`string`, `list`, `set`, `zset`, `hash`, `stream`, module types). */
  types: Record<string, number>;
  /** Bytes of DUMP payloads (or values) moved. */
  bytes: number;
  /** Keys copied with per-type commands because the target refused their DUMP payload (or method `typed`). */
  typedKeys: number;
  /** Stream consumer groups' pending entries that a typed copy could not carry (0 with DUMP/RESTORE). */
  pendingEntriesNotCopied: number;
  durationMs: number;
  /** True when this attempt continued an interrupted one. */
  resumed: boolean;
  sourceVersion: string;
  targetVersion: string;
  completedAt: string;
}

/** The copy's record in the target (a hash in db 0), which makes it resumable and run once. */
export interface RedisImportMarker {
  importId: string;
  /** `host:port` of the source. */
  source: string;
  /** True when `importId` was chosen by the user (else generated). */
  requested: boolean;
  phase: "copying" | "verifying" | "repair" | "complete";
  /** Logical databases to copy, in order, and where the copy is. */
  dbs: number[];
  dbIndex: number;
  cursor: string;
  keysCopied: number;
  bytes: number;
  typedKeys: number;
  pendingEntriesNotCopied: number;
  startedAt: string;
  completedAt: string | null;
  /** Keys to copy again (base64 names) after a failed verification, or `all`. */
  repair: { db: number; key: string }[] | "all";
  /** The result, once complete. */
  result: RedisCopyResult | null;
}
