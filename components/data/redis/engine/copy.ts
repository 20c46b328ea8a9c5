/**
 * Copying keys: DUMP on the source, RESTORE … REPLACE on the target with the key's remaining TTL
 * (one pipeline per side per batch). Keys whose payload the target refuses (another server version's
 * RDB format) or sources that refuse DUMP are copied with per-type commands into a temporary key
 * renamed over the real one, so no reader ever sees half a key and an interrupted copy leaves only
 * temporary keys, removed when it resumes. Every write is idempotent: a batch copied twice after an
 * interruption is the same batch.
 */
import type { RedisClient } from "./connection";
import { CHUNK, printable, readChunks, streamMeta, TYPED } from "./values";

/** Our own keys in the target: the marker (db 0) and temporary keys of the typed copy (any db). */
export const MARKER_KEY = "heroku-to-hasura:redis-import";
export const TEMP_PREFIX = "heroku-to-hasura:redis-import:tmp:";

export function isOwnKey(key: Buffer): boolean {
  const s = key.toString("latin1");
  return s === MARKER_KEY || s.startsWith(TEMP_PREFIX);
}

export interface BatchStats {
  keys: number;
  bytes: number;
  typedKeys: number;
  pendingEntriesNotCopied: number;
  types: Record<string, number>;
}

export function emptyStats(): BatchStats {
  return { keys: 0, bytes: 0, typedKeys: 0, pendingEntriesNotCopied: 0, types: {} };
}

export function addStats(a: BatchStats, b: BatchStats): void {
  a.keys += b.keys;
  a.bytes += b.bytes;
  a.typedKeys += b.typedKeys;
  a.pendingEntriesNotCopied += b.pendingEntriesNotCopied;
  for (const [t, n] of Object.entries(b.types)) a.types[t] = (a.types[t] ?? 0) + n;
}

/** Results of a pipeline, errors thrown unless `allowErrors`. */
async function run(p: ReturnType<RedisClient["pipeline"]>): Promise<[Error | null, unknown][]> {
  const res = await p.exec();
  if (res === null) throw new Error("pipeline was discarded");
  return res;
}

/** Errors of RESTORE that mean "this payload is not for this server": copy the key by type instead. */
const PAYLOAD_REFUSED = /payload version or checksum are wrong|bad data format/i;
/** DUMP refused by the source (renamed command, ACL): copy everything by type. */
export const DUMP_REFUSED = /unknown command|NOPERM|no permissions/i;

export class CopyError extends Error {}

/** A target refusal, named by key: out of memory is the usual one (maxmemory smaller than the data). */
function targetError(db: number, key: Buffer, e: Error): CopyError {
  const oom = /OOM/.test(e.message)
    ? " — the in-cluster Redis is full: raise its maxmemory/memory limit (or its plan) and run `pulumi up` again"
    : "";
  return new CopyError(`db ${db} key "${printable(key)}": the target refused it: ${e.message}${oom}`);
}

let tempCounter = 0;

/**
 * Copies one key by type into a temporary key, sets the TTL the source has then, and renames it
 * over `key`. Returns its size in bytes and the stream entries pending in groups that could not be
 * carried, or null when the key vanished from the source meanwhile (then `key` is deleted in the
 * target too).
 */
export async function copyKeyTyped(
  src: RedisClient,
  tgt: RedisClient,
  db: number,
  key: Buffer,
): Promise<{ type: string; bytes: number; pending: number } | null> {
  const type = String(await src.call("TYPE", key));
  if (type === "none") {
    await tgt.call("DEL", key);
    return null;
  }
  if (!TYPED.includes(type)) {
    throw new CopyError(
      `db ${db} key "${printable(key)}" is of type ${type}, which only DUMP/RESTORE can copy, and the target ` +
        "refused its payload: run an in-cluster server with the same module and version as the source",
    );
  }
  const tmp = Buffer.concat([Buffer.from(`${TEMP_PREFIX}${process.pid}:${++tempCounter}:`), key]);
  let bytes = 0;
  let pending = 0;
  await tgt.call("DEL", tmp);
  try {
    await readChunks(src, key, type, async (chunk) => {
      const p = tgt.pipeline();
      switch (chunk.type) {
        case "string":
          bytes += chunk.value.length;
          p.call("SET", tmp, chunk.value);
          break;
        case "list":
        case "set":
          for (const i of chunk.items) bytes += i.length;
          p.call(chunk.type === "list" ? "RPUSH" : "SADD", tmp, ...chunk.items);
          break;
        case "hash":
          for (const [f, v] of chunk.pairs) bytes += f.length + v.length;
          p.call("HSET", tmp, ...chunk.pairs.flat());
          break;
        case "zset":
          for (const [m] of chunk.pairs) bytes += m.length + 8;
          p.call("ZADD", tmp, ...chunk.pairs.flatMap(([m, s]) => [s, m]));
          break;
        case "stream":
          for (const [id, f] of chunk.entries) {
            for (const x of f) bytes += x.length;
            p.call("XADD", tmp, id, ...f);
          }
          break;
      }
      for (const [err] of await run(p)) if (err) throw targetError(db, key, err);
    });
    if (type === "stream") {
      const meta = await streamMeta(src, key);
      if (String(await tgt.call("EXISTS", tmp)) === "0") {
        // An empty stream: create it through a throwaway group.
        await tgt.call("XGROUP", "CREATE", tmp, "__h2h", "0", "MKSTREAM");
        await tgt.call("XGROUP", "DESTROY", tmp, "__h2h");
      }
      const setId: (string | Buffer)[] = ["XSETID", tmp, meta.lastId];
      if (meta.entriesAdded !== null) setId.push("ENTRIESADDED", String(meta.entriesAdded));
      if (meta.maxDeletedId !== null) setId.push("MAXDELETEDID", meta.maxDeletedId);
      await tgt.call(setId[0] as string, ...setId.slice(1));
      for (const g of meta.groups) {
        const args: (string | Buffer)[] = ["CREATE", tmp, g.name, g.lastDeliveredId];
        if (g.entriesRead !== null) args.push("ENTRIESREAD", String(g.entriesRead));
        await tgt.call("XGROUP", ...args);
        pending += g.pending;
      }
    }
    const pttl = Number(await src.call("PTTL", key));
    if (pttl === -2) {
      await tgt.call("DEL", tmp, key);
      return null;
    }
    if (pttl > 0) await tgt.call("PEXPIRE", tmp, pttl);
    await tgt.call("RENAME", tmp, key);
  } catch (e) {
    await tgt.call("DEL", tmp).catch(() => undefined);
    if (e instanceof CopyError) throw e;
    throw targetError(db, key, e as Error);
  }
  return { type, bytes, pending };
}

/**
 * Copies `keys` of logical database `db` (both clients have it selected). With `method` `dump`,
 * DUMP/RESTORE with a per-key fallback to the typed copy; returns the method to use from now on
 * (`typed` once the source refuses DUMP).
 */
export async function copyBatch(
  src: RedisClient,
  tgt: RedisClient,
  db: number,
  keys: Buffer[],
  method: "dump" | "typed",
  log: (line: string) => void,
): Promise<{ stats: BatchStats; method: "dump" | "typed" }> {
  const stats = emptyStats();
  const typed = async (key: Buffer) => {
    const r = await copyKeyTyped(src, tgt, db, key);
    if (r === null) return;
    stats.keys++;
    stats.typedKeys++;
    stats.bytes += r.bytes;
    stats.pendingEntriesNotCopied += r.pending;
    stats.types[r.type] = (stats.types[r.type] ?? 0) + 1;
  };
  if (keys.length === 0) return { stats, method };
  if (method === "typed") {
    for (const k of keys) await typed(k);
    return { stats, method };
  }
  const read = src.pipeline();
  for (const k of keys) {
    read.call("TYPE", k);
    read.call("PTTL", k);
    read.callBuffer("DUMP", k);
  }
  const replies = await run(read);
  const dumpRefused = replies.find(([err], i) => i % 3 === 2 && err && DUMP_REFUSED.test(err.message));
  if (dumpRefused) {
    log(`the source refuses DUMP (${dumpRefused[0]!.message}); copying every key with per-type commands`);
    return copyBatch(src, tgt, db, keys, "typed", log);
  }
  const write = tgt.pipeline();
  const written: { key: Buffer; type: string; size: number }[] = [];
  keys.forEach((k, i) => {
    const [typeErr, type] = replies[3 * i];
    const [ttlErr, pttl] = replies[3 * i + 1];
    const [dumpErr, payload] = replies[3 * i + 2];
    const err = typeErr ?? ttlErr ?? dumpErr;
    if (err)
      throw new CopyError(`db ${db} key "${printable(k)}": the source refused to read it: ${err.message}`);
    // Gone since the SCAN (deleted or expired): nothing to copy; a stale copy from an earlier attempt goes too.
    if (payload === null || Number(pttl) === -2) {
      write.call("DEL", k);
      written.push({ key: k, type: "none", size: 0 });
      return;
    }
    const ttl = Math.max(0, Number(pttl));
    write.call("RESTORE", k, ttl === 0 ? 0 : ttl, payload as Buffer, "REPLACE");
    written.push({ key: k, type: String(type), size: (payload as Buffer).length });
  });
  const results = await run(write);
  for (let i = 0; i < written.length; i++) {
    const w = written[i];
    const [err] = results[i];
    if (w.type === "none") continue;
    if (err && PAYLOAD_REFUSED.test(err.message)) {
      await typed(w.key);
      continue;
    }
    if (err) throw targetError(db, w.key, err);
    stats.keys++;
    stats.bytes += w.size;
    stats.types[w.type] = (stats.types[w.type] ?? 0) + 1;
  }
  return { stats, method };
}

/** Deletes temporary keys an interrupted typed copy left in `db` of the target (selected). */
export async function removeTempKeys(tgt: RedisClient): Promise<number> {
  let cursor = "0";
  let removed = 0;
  do {
    const [next, keys] = (await tgt.callBuffer(
      "SCAN",
      cursor,
      "MATCH",
      `${TEMP_PREFIX}*`,
      "COUNT",
      CHUNK,
    )) as [Buffer, Buffer[]];
    cursor = next.toString();
    if (keys.length > 0) removed += Number(await tgt.call("DEL", ...keys));
  } while (cursor !== "0");
  return removed;
}
