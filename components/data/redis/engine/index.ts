/**
 * The Redis copy engine: a one-time, resumable, verified copy of every key (type, value, TTL) of
 * every logical database of one Redis server into another, empty one. No Pulumi here: the
 * RedisImport provider (../redis-import-provider) drives it, and tests call it directly.
 *
 * Flow: connect (waiting for the target while the user starts a port-forward) → refuse a non-empty
 * target unless it holds this copy's marker → copy each database in SCAN batches, recording the
 * cursor in the marker after each batch → verify every key on both sides → mark complete. A failed
 * verification records the keys that differ; the next attempt copies those again and verifies
 * everything again.
 */
import { randomBytes } from "crypto";
import {
  connectRedis,
  connectWhenReady,
  maskRedisUrl,
  redisAddress,
  serverVersion,
  type RedisClient,
} from "./connection";
import { addStats, copyBatch, emptyStats, MARKER_KEY, removeTempKeys } from "./copy";
import { readMarker, writeMarker } from "./marker";
import type { RedisCopyOptions, RedisCopyResult, RedisEndpoint, RedisImportMarker } from "./types";
import { databasesWithKeys, verifyCopy } from "./verify";
import { printable } from "./values";

export * from "./types";
export { MARKER_KEY } from "./copy";
export { maskRedisUrl, parseRedisUrl, redisAddress } from "./connection";

/** Mismatches named in an error message (all are counted). */
const NAMED = 20;

async function runId(c: RedisClient): Promise<string> {
  const info = String(await c.call("INFO", "server"));
  return /^run_id:(.+)$/m.exec(info)?.[1].trim() ?? "";
}

function describeKeys(dbs: Map<number, number>): string {
  return [...dbs].map(([db, n]) => `${n} in db ${db}`).join(", ");
}

/** Copies `source` into `target` once, verified; resumes an interrupted copy of the same source. */
export async function copyRedis(opts: RedisCopyOptions & { targetHint?: string }): Promise<RedisCopyResult> {
  const log = opts.log ?? (() => undefined);
  const batchSize = opts.batchSize ?? 500;
  const ttlToleranceMs = opts.ttlToleranceMs ?? 5000;
  const started = Date.now();
  const sourceAddress = redisAddress(opts.source.url, "source URL");
  const clients: RedisClient[] = [];
  try {
    const src = await connectRedis(opts.source, "source");
    clients.push(src);
    const tgt = await connectWhenReady(
      opts.target,
      "target",
      opts.waitSeconds ?? 0,
      log,
      opts.targetHint ?? "",
    );
    clients.push(tgt);
    const meta = await connectRedis(opts.target, "target");
    clients.push(meta);
    if ((await runId(src)) === (await runId(tgt))) {
      throw new Error("the source and the target are the same Redis server");
    }
    const [sourceVersion, targetVersion] = await Promise.all([serverVersion(src), serverVersion(tgt)]);
    const sourceDbs = await databasesWithKeys(src);
    if (String(await src.call("EXISTS", MARKER_KEY)) !== "0") {
      throw new Error(`the source holds a key named ${MARKER_KEY}, which this copy keeps in the target`);
    }

    let marker = await readMarker(meta);
    let resumed = false;
    if (marker === null) {
      const held = await databasesWithKeys(tgt);
      if (held.size > 0) {
        throw new Error(
          `the target is not empty (keys: ${describeKeys(held)}) and holds no copy marker: the copy only ` +
            "writes into an empty server. Point it at the in-cluster server, or empty that server first " +
            "(FLUSHALL) if its data is disposable",
        );
      }
      marker = {
        importId: opts.importId ?? `redis-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`,
        source: sourceAddress,
        requested: opts.importId !== undefined,
        phase: "copying",
        dbs: [...sourceDbs.keys()].sort((a, b) => a - b),
        dbIndex: 0,
        cursor: "0",
        keysCopied: 0,
        bytes: 0,
        typedKeys: 0,
        pendingEntriesNotCopied: 0,
        startedAt: new Date().toISOString(),
        completedAt: null,
        repair: [],
        result: null,
      };
      await writeMarker(meta, marker);
      log(
        `copy ${marker.importId}: ${describeKeys(sourceDbs) || "no keys"} (source ${sourceVersion}, target ${targetVersion})`,
      );
    } else {
      if (opts.importId !== undefined && opts.importId !== marker.importId) {
        throw new Error(
          `the target holds copy ${marker.importId} (${marker.phase}); a new importId (${opts.importId}) needs an ` +
            "empty server: FLUSHALL it first if its data is disposable",
        );
      }
      if (marker.source !== sourceAddress) {
        throw new Error(
          `the target holds copy ${marker.importId} (${marker.phase}) of ${marker.source}, not of ${sourceAddress}: ` +
            "a copy from another source needs an empty server",
        );
      }
      resumed = true;
      if (marker.phase === "complete" && marker.result) {
        log(`copy ${marker.importId} is complete in the target: nothing copied`);
        return { ...marker.result, resumed: true };
      }
      log(`resuming copy ${marker.importId} (${marker.phase}, ${marker.keysCopied} keys copied before)`);
    }
    const m: RedisImportMarker = marker;
    const save = () => writeMarker(meta, m);
    const total = [...sourceDbs.values()].reduce((a, b) => a + b, 0);
    let method = opts.method ?? "dump";
    const stats = emptyStats();

    if (resumed) {
      for (const db of new Set([...m.dbs, 0])) {
        await tgt.select(db);
        const removed = await removeTempKeys(tgt);
        if (removed > 0) log(`removed ${removed} temporary keys an interrupted copy left in db ${db}`);
      }
      await tgt.select(0);
    }

    if (m.phase === "repair") {
      if (m.repair === "all") {
        Object.assign(m, { phase: "copying", dbIndex: 0, cursor: "0" });
      } else {
        log(`copying again the ${m.repair.length} keys that differed`);
        const byDb = new Map<number, Buffer[]>();
        for (const r of m.repair) byDb.set(r.db, [...(byDb.get(r.db) ?? []), Buffer.from(r.key, "base64")]);
        for (const [db, keys] of byDb) {
          await Promise.all([src.select(db), tgt.select(db)]);
          for (let i = 0; i < keys.length; i += batchSize) {
            const r = await copyBatch(src, tgt, db, keys.slice(i, i + batchSize), method, log);
            method = r.method;
            addStats(stats, r.stats);
          }
        }
        Object.assign(m, { phase: "verifying", repair: [] });
        await save();
      }
    }

    if (m.phase === "copying") {
      let lastLog = 0;
      for (; m.dbIndex < m.dbs.length; m.dbIndex++, m.cursor = "0") {
        const db = m.dbs[m.dbIndex];
        await Promise.all([src.select(db), tgt.select(db)]);
        do {
          const [next, keys] = (await src.callBuffer("SCAN", m.cursor, "COUNT", batchSize)) as [
            Buffer,
            Buffer[],
          ];
          const r = await copyBatch(src, tgt, db, keys, method, log);
          method = r.method;
          addStats(stats, r.stats);
          m.cursor = next.toString();
          m.keysCopied += r.stats.keys;
          m.bytes += r.stats.bytes;
          m.typedKeys += r.stats.typedKeys;
          m.pendingEntriesNotCopied += r.stats.pendingEntriesNotCopied;
          await save();
          if (Date.now() - lastLog >= 2000 || m.cursor === "0") {
            lastLog = Date.now();
            log(`copying db ${db}: ${m.keysCopied}/${total} keys, ${m.bytes} bytes`);
          }
        } while (m.cursor !== "0");
      }
      Object.assign(m, { phase: "verifying" });
      await save();
    }

    log(`verifying ${total} keys`);
    await Promise.all([src.select(0), tgt.select(0)]);
    const v = await verifyCopy(src, tgt, m.dbs, { ttlToleranceMs, batchSize, log });
    if (v.total > 0) {
      m.phase = "repair";
      m.repair =
        v.total > v.raw.length ? "all" : v.raw.map((r) => ({ db: r.db, key: r.key.toString("base64") }));
      await save();
      const named = v.mismatches
        .slice(0, NAMED)
        .map((x) => `  - db ${x.db} "${x.key}": ${x.reason}`)
        .join("\n");
      throw new Error(
        `verification failed: ${v.total} key${v.total === 1 ? "" : "s"} differ between the source and the target ` +
          `(written during the copy?):\n${named}${v.total > NAMED ? `\n  … and ${v.total - NAMED} more` : ""}\n` +
          "Stop the writes to the source (e.g. `heroku maintenance:on` and scale the workers to 0) and run " +
          "`pulumi up` again: the keys that differ are copied again and every key is verified again.",
      );
    }
    const databases = m.dbs.map((db) => ({
      db,
      keys: v.keys.get(db) ?? 0,
      expiring: v.expiring.get(db) ?? 0,
    }));
    const result: RedisCopyResult = {
      importId: m.importId,
      databases,
      keys: databases.reduce((a, d) => a + d.keys, 0),
      types: v.types,
      bytes: m.bytes,
      typedKeys: m.typedKeys,
      pendingEntriesNotCopied: m.pendingEntriesNotCopied,
      durationMs: Date.now() - started,
      resumed,
      sourceVersion,
      targetVersion,
      completedAt: new Date().toISOString(),
    };
    Object.assign(m, { phase: "complete", completedAt: result.completedAt, result });
    await save();
    log(`copy ${m.importId} complete: ${result.keys} keys verified in ${result.durationMs} ms`);
    return result;
  } catch (e) {
    // eslint-disable-next-line preserve-caught-error -- the cause may quote a URL: only the masked text
    throw new Error(maskRedisUrl((e as Error).message));
  } finally {
    for (const c of clients) c.disconnect();
  }
}

/** The marker of the copy in `target` (null when it holds none). */
export async function readRedisImportMarker(target: RedisEndpoint): Promise<RedisImportMarker | null> {
  const c = await connectRedis(target, "target");
  try {
    return await readMarker(c);
  } finally {
    c.disconnect();
  }
}

export { printable };
