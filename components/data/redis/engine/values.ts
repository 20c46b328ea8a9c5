/**
 * A key's logical value, read in chunks (a big list or hash never travels as one reply), for the
 * typed copy and for the digests the verification compares when DUMP payloads differ (they do for
 * equal sets and hashes on two servers: a hash table's order depends on the process's random seed).
 */
import { createHash } from "crypto";
import type { RedisClient } from "./connection";

/** Elements per chunk. */
export const CHUNK = 1000;

export type Chunk =
  | { type: "string"; value: Buffer }
  | { type: "list" | "set"; items: Buffer[] }
  | { type: "hash"; pairs: [Buffer, Buffer][] }
  | { type: "zset"; pairs: [Buffer, string][] }
  | { type: "stream"; entries: [string, Buffer[]][] };

/** Types this engine can read and write without DUMP/RESTORE. */
export const TYPED = ["string", "list", "set", "zset", "hash", "stream"];

/** Printable key name for messages: non-printable bytes as \xNN, at most 200 characters. */
export function printable(key: Buffer): string {
  let out = "";
  for (const b of key) {
    out +=
      b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`;
    if (out.length > 200) return `${out.slice(0, 200)}…`;
  }
  return out;
}

function pairs(flat: Buffer[]): [Buffer, Buffer][] {
  const out: [Buffer, Buffer][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

/** Calls `each` with the value of `key` of type `type`, chunk by chunk. */
export async function readChunks(
  c: RedisClient,
  key: Buffer,
  type: string,
  each: (chunk: Chunk) => Promise<void> | void,
): Promise<void> {
  switch (type) {
    case "string": {
      const v = (await c.callBuffer("GET", key)) as Buffer | null;
      if (v !== null) await each({ type, value: v });
      return;
    }
    case "list": {
      for (let i = 0; ; i += CHUNK) {
        const items = (await c.callBuffer("LRANGE", key, i, i + CHUNK - 1)) as Buffer[];
        if (items.length > 0) await each({ type, items });
        if (items.length < CHUNK) return;
      }
    }
    case "set":
    case "hash": {
      let cursor = "0";
      do {
        const [next, flat] = (await c.callBuffer(
          type === "set" ? "SSCAN" : "HSCAN",
          key,
          cursor,
          "COUNT",
          CHUNK,
        )) as [Buffer, Buffer[]];
        cursor = next.toString();
        if (flat.length > 0)
          await each(type === "set" ? { type, items: flat } : { type, pairs: pairs(flat) });
      } while (cursor !== "0");
      return;
    }
    case "zset": {
      for (let i = 0; ; i += CHUNK) {
        const flat = (await c.callBuffer("ZRANGE", key, i, i + CHUNK - 1, "WITHSCORES")) as Buffer[];
        if (flat.length > 0) {
          await each({ type, pairs: pairs(flat).map(([m, s]) => [m, s.toString()] as [Buffer, string]) });
        }
        if (flat.length < 2 * CHUNK) return;
      }
    }
    case "stream": {
      let start = "-";
      for (;;) {
        const entries = (await c.callBuffer("XRANGE", key, start, "+", "COUNT", CHUNK)) as [
          Buffer,
          Buffer[],
        ][];
        if (entries.length > 0) await each({ type, entries: entries.map(([id, f]) => [id.toString(), f]) });
        if (entries.length < CHUNK) return;
        start = `(${entries[entries.length - 1][0].toString()}`;
      }
    }
    default:
      throw new Error(`type ${type} cannot be read without DUMP`);
  }
}

/** A stream's metadata beyond its entries: last id, counters and consumer groups. */
export interface StreamMeta {
  lastId: string;
  entriesAdded: number | null;
  maxDeletedId: string | null;
  groups: { name: Buffer; lastDeliveredId: string; entriesRead: number | null; pending: number }[];
}

function fields(flat: unknown[]): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (let i = 0; i + 1 < flat.length; i += 2) m.set(String(flat[i]), flat[i + 1]);
  return m;
}

export async function streamMeta(c: RedisClient, key: Buffer): Promise<StreamMeta> {
  const info = fields((await c.callBuffer("XINFO", "STREAM", key)) as unknown[]);
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(String(v)));
  const groups = ((await c.callBuffer("XINFO", "GROUPS", key)) as unknown[][]).map((g) => {
    const f = fields(g);
    return {
      name: f.get("name") as Buffer,
      lastDeliveredId: String(f.get("last-delivered-id")),
      entriesRead: num(f.get("entries-read")),
      pending: Number(String(f.get("pending") ?? "0")),
    };
  });
  return {
    lastId: String(info.get("last-generated-id")),
    entriesAdded: num(info.get("entries-added")),
    maxDeletedId: str(info.get("max-deleted-entry-id")),
    groups,
  };
}

function lengthPrefixed(h: ReturnType<typeof createHash>, b: Buffer | string): void {
  const buf = typeof b === "string" ? Buffer.from(b) : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(buf.length);
  h.update(len);
  h.update(buf);
}

/** A score as its float64 bytes, so `1` and `1.0` (two servers' spellings) digest alike. */
function scoreBytes(s: string): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(s === "inf" || s === "+inf" ? Infinity : s === "-inf" ? -Infinity : Number(s));
  return b;
}

const MOD = 1n << 128n;

/**
 * A digest of the key's logical value: ordered types hash in order; sets and hashes sum a hash of
 * each element (order-free, and a member a scan returns twice is counted once). A stream also
 * digests its last id and its consumer groups' names and positions.
 */
export async function valueDigest(c: RedisClient, key: Buffer, type: string): Promise<string> {
  const ordered = createHash("sha256");
  let sum = 0n;
  let count = 0;
  const seen = new Set<string>();
  const add = (parts: (Buffer | string)[], dedupKey?: Buffer) => {
    const h = createHash("sha256");
    for (const p of parts) lengthPrefixed(h, p);
    const d = h.digest();
    if (dedupKey !== undefined) {
      const k = createHash("sha256").update(dedupKey).digest("base64");
      if (seen.has(k)) return;
      seen.add(k);
    }
    sum = (sum + BigInt(`0x${d.subarray(0, 16).toString("hex")}`)) % MOD;
    count++;
  };
  await readChunks(c, key, type, (chunk) => {
    switch (chunk.type) {
      case "string":
        lengthPrefixed(ordered, chunk.value);
        count++;
        break;
      case "list":
        for (const i of chunk.items) lengthPrefixed(ordered, i);
        count += chunk.items.length;
        break;
      case "set":
        for (const i of chunk.items) add([i], i);
        break;
      case "hash":
        for (const [f, v] of chunk.pairs) add([f, v], f);
        break;
      case "zset":
        for (const [m, s] of chunk.pairs) {
          lengthPrefixed(ordered, m);
          ordered.update(scoreBytes(s));
        }
        count += chunk.pairs.length;
        break;
      case "stream":
        for (const [id, f] of chunk.entries) {
          lengthPrefixed(ordered, id);
          lengthPrefixed(ordered, String(f.length));
          for (const x of f) lengthPrefixed(ordered, x);
        }
        count += chunk.entries.length;
        break;
    }
  });
  if (type === "stream") {
    const meta = await streamMeta(c, key);
    lengthPrefixed(ordered, meta.lastId);
    for (const g of [...meta.groups].sort((a, b) => Buffer.compare(a.name, b.name))) {
      lengthPrefixed(ordered, g.name);
      lengthPrefixed(ordered, g.lastDeliveredId);
    }
  }
  return `${type}:${count}:${ordered.digest("hex").slice(0, 32)}:${sum.toString(16)}`;
}
