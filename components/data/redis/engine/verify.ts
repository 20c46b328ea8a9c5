/**
 * Verification of a copy: every key of every logical database, on both sides — the same key set,
 * and for each key the same type, the same value (equal DUMP payloads, else equal logical
 * digests) and the same TTL within a tolerance (a copied TTL runs from the moment of the copy).
 * A key written during the copy is reported by name.
 */
import type { RedisClient } from "./connection";
import { isOwnKey } from "./copy";
import type { KeyMismatch } from "./types";
import { printable, valueDigest } from "./values";

export interface VerifyResult {
  mismatches: KeyMismatch[];
  /** The keys behind `mismatches`, raw, for a repair. */
  raw: { db: number; key: Buffer }[];
  /** Keys compared, per database of the source. */
  keys: Map<number, number>;
  expiring: Map<number, number>;
  types: Record<string, number>;
}

interface KeyState {
  type: string;
  pttl: number;
  dump: Buffer | null;
}

async function states(c: RedisClient, keys: Buffer[]): Promise<KeyState[]> {
  const p = c.pipeline();
  for (const k of keys) {
    p.call("TYPE", k);
    p.call("PTTL", k);
    p.callBuffer("DUMP", k);
  }
  const res = (await p.exec()) ?? [];
  return keys.map((_, i) => {
    const [e1, type] = res[3 * i];
    const [e2, pttl] = res[3 * i + 1];
    const [e3, dump] = res[3 * i + 2];
    if (e1 || e2) throw e1 ?? e2;
    // A server that refuses DUMP is compared by digest only.
    return { type: String(type), pttl: Number(pttl), dump: e3 ? null : (dump as Buffer | null) };
  });
}

const ttlText = (pttl: number) => (pttl < 0 ? "none" : `${pttl} ms`);

/** Logical databases holding keys, from INFO keyspace (our marker counts: callers discount it). */
export async function databasesWithKeys(c: RedisClient): Promise<Map<number, number>> {
  const info = String(await c.call("INFO", "keyspace"));
  const out = new Map<number, number>();
  for (const m of info.matchAll(/^db(\d+):keys=(\d+)/gm)) {
    if (Number(m[2]) > 0) out.set(Number(m[1]), Number(m[2]));
  }
  return out;
}

/**
 * Compares source and target over `dbs` (plus any other database the target holds keys in).
 * Stops collecting names after `limit` mismatches (still counting them).
 */
export async function verifyCopy(
  src: RedisClient,
  tgt: RedisClient,
  dbs: number[],
  opts: { ttlToleranceMs: number; batchSize: number; limit?: number; log: (line: string) => void },
): Promise<VerifyResult & { total: number }> {
  const limit = opts.limit ?? 100_000;
  const result: VerifyResult & { total: number } = {
    mismatches: [],
    raw: [],
    keys: new Map(),
    expiring: new Map(),
    types: {},
    total: 0,
  };
  const report = (db: number, key: Buffer, reason: string) => {
    result.total++;
    if (result.mismatches.length < limit) {
      result.mismatches.push({ db, key: printable(key), reason });
      result.raw.push({ db, key });
    }
  };
  const tol = opts.ttlToleranceMs;
  const soonGone = (pttl: number) => pttl >= 0 && pttl <= tol;

  const compare = async (db: number, keys: Buffer[], fromSource: boolean) => {
    const [s, t] = await Promise.all([states(src, keys), states(tgt, keys)]);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const a = s[i];
      const b = t[i];
      if (a.type === "none" && b.type === "none") continue;
      if (a.type === "none") {
        if (!soonGone(b.pttl))
          report(db, key, "in the target but not in the source (deleted or written during the copy?)");
        continue;
      }
      if (!fromSource) continue; // present in the source: compared in the source's pass
      result.keys.set(db, (result.keys.get(db) ?? 0) + 1);
      if (a.pttl >= 0) result.expiring.set(db, (result.expiring.get(db) ?? 0) + 1);
      result.types[a.type] = (result.types[a.type] ?? 0) + 1;
      if (b.type === "none") {
        if (!soonGone(a.pttl)) report(db, key, "missing in the target");
        continue;
      }
      if (a.type !== b.type) {
        report(db, key, `type differs (source ${a.type}, target ${b.type})`);
        continue;
      }
      const sameValue =
        (a.dump !== null && b.dump !== null && a.dump.equals(b.dump)) ||
        (await valueDigest(src, key, a.type).catch(() => "source")) ===
          (await valueDigest(tgt, key, b.type).catch(() => "target"));
      if (!sameValue) {
        report(db, key, `value differs (${a.type})`);
        continue;
      }
      if (a.pttl < 0 !== b.pttl < 0 || Math.abs(a.pttl - b.pttl) > tol) {
        report(db, key, `ttl differs (source ${ttlText(a.pttl)}, target ${ttlText(b.pttl)})`);
      }
    }
  };

  const targetDbs = await databasesWithKeys(tgt);
  const all = [...new Set([...dbs, ...targetDbs.keys()])].sort((x, y) => x - y);
  for (const db of all) {
    await Promise.all([src.select(db), tgt.select(db)]);
    // Every source key, compared with the target's.
    let cursor = "0";
    do {
      const [next, keys] = (await src.callBuffer("SCAN", cursor, "COUNT", opts.batchSize)) as [
        Buffer,
        Buffer[],
      ];
      cursor = next.toString();
      if (keys.length > 0) await compare(db, keys, true);
    } while (cursor !== "0");
    // Every target key the source does not have.
    cursor = "0";
    do {
      const [next, found] = (await tgt.callBuffer("SCAN", cursor, "COUNT", opts.batchSize)) as [
        Buffer,
        Buffer[],
      ];
      cursor = next.toString();
      const keys = found.filter((k) => !isOwnKey(k));
      if (keys.length === 0) continue;
      const p = src.pipeline();
      for (const k of keys) p.call("EXISTS", k);
      const exists = ((await p.exec()) ?? []).map(([, n]) => Number(n));
      const absent = keys.filter((_, i) => exists[i] === 0);
      if (absent.length > 0) await compare(db, absent, false);
    } while (cursor !== "0");
    opts.log(`verified db ${db}: ${result.keys.get(db) ?? 0} keys`);
  }
  await Promise.all([src.select(0), tgt.select(0)]);
  return result;
}
