/**
 * The RedisImport dynamic provider: run-once semantics around the Redis copy engine (./engine).
 *
 * Pulumi serializes `redisImportProvider` into the resource's state and runs it in the
 * `pulumi-resource-pulumi-nodejs` process: no clients, credentials or heavy modules at module
 * scope; the engine (and through it `ioredis`) is loaded inside each method (./engine-loader).
 *
 * Semantics (tested through the real dynamic-provider server in test/data/redis):
 * - `diff` compares identities, never URLs: the source's `host:port`, and the target's
 *   `targetName` (the in-cluster Service, not the port-forward address that reaches it). A second
 *   `up`, a new password on either side or another local port for the port-forward copies nothing.
 *   A new source, target or explicit `importId` is a replacement (create first).
 * - `create` is resumable: the engine keeps a marker in the target and continues an interrupted or
 *   unverified copy; a partial copy is never reported as done.
 * - `read` (refresh) only annotates `markerStatus`; it never reports the copy as gone.
 * - `delete` forgets the copy; the data stays in the target.
 */
import type * as pulumi from "@pulumi/pulumi";
import { progressSink } from "../import-progress";
import { isKnown, UNKNOWN } from "../../engine-unknown";
import type { DatabaseSummary } from "./engine/types";
import { loadRedisEngine } from "./engine-loader";

/** Inputs as the provider receives them (resolved, plaintext). */
export interface RedisImportInputs {
  sourceUrl: string;
  targetUrl: string;
  targetName?: string;
  verifySourceCertificate?: boolean;
  sourceCaPem?: string;
  importId?: string;
  ttlToleranceMs?: number;
  waitSeconds?: number;
  targetHint?: string;
  progressFile?: string;
}

/** Outputs kept in state. `sourceUrl` and `targetUrl` are secret (additionalSecretOutputs). */
export interface RedisImportOutputs extends RedisImportInputs {
  importId: string;
  /** The `importId` input at creation, or null when the engine chose it. */
  requestedImportId: string | null;
  /** `host:port` of the source. */
  sourceIdentity: string;
  /** `targetName`, or the target URL's `host:port` when none was given. */
  targetIdentity: string;
  keys: number;
  databases: DatabaseSummary[];
  types: Record<string, number>;
  bytes: number;
  typedKeys: number;
  pendingEntriesNotCopied: number;
  durationMs: number;
  resumed: boolean;
  sourceVersion: string;
  targetVersion: string;
  completedAt: string;
  /** What the last refresh found in the target: `complete`, `missing`, `incomplete`, `other-import <id>`, `unreachable`. */
  markerStatus: string;
}

/** `host:port` of a redis(s):// URL; throws naming `what` (never the password). */
export function redisIdentity(url: string, what: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`${what} is not a valid URL`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new Error(`${what} must start with redis:// or rediss://, got ${u.protocol}//…`);
  }
  if (u.hostname === "") throw new Error(`${what} has no host`);
  return `${u.hostname.toLowerCase()}:${u.port === "" ? 6379 : Number(u.port)}`;
}

/** Replaces the passwords of `urls` and any redis(s) URL's password in `text`. */
export function redactRedis(urls: (string | undefined)[]): (text: string) => string {
  const secrets: string[] = [];
  for (const u of urls) {
    if (!u || u === UNKNOWN) continue;
    try {
      const pw = new URL(u).password;
      if (pw) secrets.push(pw, decodeURIComponent(pw));
    } catch {
      // not a URL: nothing to collect
    }
  }
  return (text: string) => {
    let out = text.replace(/(rediss?:\/\/[^:/@\s]*):[^@\s]*@/gi, "$1:***@");
    for (const s of secrets) if (s.length >= 3) out = out.split(s).join("***");
    return out;
  };
}

function clean<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && k !== "__provider") out[k] = v;
  return out as T;
}

function targetIdentityOf(p: RedisImportInputs): string {
  return p.targetName ?? redisIdentity(p.targetUrl, "targetUrl");
}

/** Input validation (pure). Messages name the property and never contain a password. */
export function checkRedisImportInputs(news: Record<string, unknown>): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const known = isKnown;
  for (const prop of ["sourceUrl", "targetUrl"]) {
    const v = news[prop];
    if (v === UNKNOWN) continue;
    if (typeof v !== "string") {
      failures.push({ property: prop, reason: `${prop} is required (a redis:// or rediss:// URL)` });
      continue;
    }
    try {
      redisIdentity(v, prop);
    } catch (e) {
      failures.push({ property: prop, reason: redactRedis([v])((e as Error).message) });
    }
  }
  for (const prop of ["targetName", "sourceCaPem", "targetHint", "progressFile"]) {
    if (known(news[prop]) && (typeof news[prop] !== "string" || news[prop] === "")) {
      failures.push({ property: prop, reason: `${prop} must be a non-empty string` });
    }
  }
  if (known(news.verifySourceCertificate) && typeof news.verifySourceCertificate !== "boolean") {
    failures.push({
      property: "verifySourceCertificate",
      reason: "verifySourceCertificate must be true or false",
    });
  }
  const importId = news.importId;
  if (known(importId) && !(typeof importId === "string" && /^[A-Za-z0-9._-]{1,63}$/.test(importId))) {
    failures.push({ property: "importId", reason: "importId must be 1-63 characters of A-Z a-z 0-9 . _ -" });
  }
  const ints: [string, number, number][] = [
    ["ttlToleranceMs", 0, 3_600_000],
    ["waitSeconds", 0, 86_400],
  ];
  for (const [prop, min, max] of ints) {
    const v = news[prop];
    if (known(v) && !(typeof v === "number" && Number.isInteger(v) && v >= min && v <= max)) {
      failures.push({ property: prop, reason: `${prop} must be an integer from ${min} to ${max}` });
    }
  }
  return failures;
}

/**
 * The run-once diff (pure). A new source (`host:port`), target (`targetName`) or explicit `importId`
 * replaces; new URLs of the same servers (credentials, the port-forward's address) update in place;
 * the copy-time options (tolerance, waiting, certificate check, progress file) are ignored.
 */
export function diffRedisImport(
  olds: RedisImportOutputs,
  news: RedisImportInputs,
): pulumi.dynamic.DiffResult {
  const replaces: string[] = [];
  let unknown = false;
  if (news.sourceUrl === UNKNOWN) unknown = true;
  else if (redisIdentity(news.sourceUrl, "sourceUrl") !== olds.sourceIdentity) replaces.push("sourceUrl");
  if (news.targetName === UNKNOWN || (news.targetName === undefined && news.targetUrl === UNKNOWN))
    unknown = true;
  else if (targetIdentityOf(news) !== olds.targetIdentity) {
    replaces.push(news.targetName !== undefined ? "targetName" : "targetUrl");
  }
  if (news.importId === UNKNOWN) unknown = true;
  else if (news.importId !== undefined && news.importId !== olds.importId) replaces.push("importId");
  if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: false };
  return { changes: unknown || news.sourceUrl !== olds.sourceUrl || news.targetUrl !== olds.targetUrl };
}

export const redisImportProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
    return { inputs: news, failures: checkRedisImportInputs(news) };
  },

  async diff(_id: string, olds: RedisImportOutputs, news: RedisImportInputs) {
    return diffRedisImport(olds, news);
  },

  async create(inputs: RedisImportInputs) {
    const redact = redactRedis([inputs.sourceUrl, inputs.targetUrl]);
    const sourceIdentity = redisIdentity(inputs.sourceUrl, "sourceUrl");
    const targetIdentity = targetIdentityOf(inputs);
    const label = `RedisImport ${sourceIdentity} -> ${targetIdentity}`;
    const sink = progressSink(label, inputs.progressFile, redact);
    let result: Awaited<ReturnType<Awaited<ReturnType<typeof loadRedisEngine>>["copyRedis"]>>;
    try {
      const engine = await loadRedisEngine();
      result = await engine.copyRedis({
        source: {
          url: inputs.sourceUrl,
          verifyCertificate: inputs.verifySourceCertificate ?? false,
          ...(inputs.sourceCaPem ? { caPem: inputs.sourceCaPem } : {}),
        },
        target: { url: inputs.targetUrl },
        importId: inputs.importId,
        ttlToleranceMs: inputs.ttlToleranceMs,
        waitSeconds: inputs.waitSeconds ?? 0,
        targetHint: inputs.targetHint,
        log: sink.log,
      });
    } catch (e) {
      // Nothing is recorded in state: the next `up` calls create again and the engine resumes from
      // its marker in the target. The cause is not kept: it may quote a URL.
      // eslint-disable-next-line preserve-caught-error
      throw new Error(redact(`${label} failed: ${(e as Error).message}`));
    }
    const outs: RedisImportOutputs = {
      ...clean(inputs),
      importId: result.importId,
      requestedImportId: inputs.importId ?? null,
      sourceIdentity,
      targetIdentity,
      keys: result.keys,
      databases: result.databases,
      types: result.types,
      bytes: result.bytes,
      typedKeys: result.typedKeys,
      pendingEntriesNotCopied: result.pendingEntriesNotCopied,
      durationMs: result.durationMs,
      resumed: result.resumed,
      sourceVersion: result.sourceVersion,
      targetVersion: result.targetVersion,
      completedAt: result.completedAt,
      markerStatus: "complete",
    };
    return { id: result.importId, outs };
  },

  async update(_id: string, olds: RedisImportOutputs, news: RedisImportInputs) {
    // Only reachable for in-place changes (see diffRedisImport): keep what the copy produced, record
    // the new URLs. No data is read or written.
    if (
      redisIdentity(news.sourceUrl, "sourceUrl") !== olds.sourceIdentity ||
      targetIdentityOf(news) !== olds.targetIdentity
    ) {
      throw new Error(
        `RedisImport ${olds.importId}: an identity change must replace the copy, not update it`,
      );
    }
    return { outs: clean({ ...olds, sourceUrl: news.sourceUrl, targetUrl: news.targetUrl }) };
  },

  async read(id: string, props: RedisImportOutputs) {
    const redact = redactRedis([props.sourceUrl, props.targetUrl]);
    let markerStatus: string;
    try {
      const engine = await loadRedisEngine();
      const marker = await engine.readRedisImportMarker({ url: props.targetUrl });
      markerStatus = !marker
        ? "missing"
        : marker.importId !== props.importId
          ? `other-import ${marker.importId}`
          : marker.phase === "complete"
            ? "complete"
            : "incomplete";
    } catch (e) {
      // Usual when the port-forward is not running during a refresh.
      markerStatus = "unreachable";
      process.stderr.write(
        `[RedisImport ${id}] refresh could not read the target: ${redact((e as Error).message)}\n`,
      );
    }
    // Never an empty id: a refresh must not make the next `up` copy again.
    return { id, props: { ...clean(props), markerStatus } };
  },

  async delete(id: string, props: RedisImportOutputs) {
    process.stderr.write(`[RedisImport ${id}] forgotten; the data in ${props.targetIdentity} is kept\n`);
  },
};
