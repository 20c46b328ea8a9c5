/**
 * A source data set covering what a Heroku Redis holds: every core type (small and large
 * encodings), TTLs, binary key names and values, several logical databases, and a stream with
 * consumer groups and pending entries.
 */
import { Redis } from "ioredis";
import type { RedisServer } from "./server";

/** A client for tests (RESP2, TLS without a certificate check, as the engine connects to Heroku). */
export function testClient(s: RedisServer, db = 0): Redis {
  const c = new Redis({
    host: s.host,
    port: s.port,
    password: s.password ?? undefined,
    db,
    protocol: 2,
    ...(s.tls ? { tls: { rejectUnauthorized: false } } : {}),
  });
  c.on("error", () => undefined);
  return c;
}

export const BINARY_KEY = Buffer.from([0x00, 0xff, 0x0a, 0x41, 0x5c]);

/** Loads the data set; returns the number of keys per database. */
export async function loadRichData(s: RedisServer): Promise<Record<number, number>> {
  const c = testClient(s);
  try {
    const p = c.pipeline();
    p.set("str:plain", "hello");
    p.set("str:int", "12345");
    p.set("str:ttl", "expires", "PX", 3_600_000);
    p.set(BINARY_KEY, Buffer.from([0, 1, 2, 255, 254]));
    p.call("SETRANGE", "str:big", 200_000, "x");
    p.rpush("list:small", "a", "b", "c", "a");
    for (let i = 0; i < 5; i++)
      p.rpush("list:big", ...Array.from({ length: 1000 }, (_, j) => `item-${i}-${j}`));
    p.sadd("set:ints", 1, 2, 3, 40000);
    p.sadd("set:big", ...Array.from({ length: 3000 }, (_, i) => `member-${i}`));
    p.zadd("zset:small", 1, "one", 2.5, "two-and-a-half", "-inf", "minus-inf", "+inf", "plus-inf");
    p.zadd("zset:big", ...Array.from({ length: 2500 }, (_, i) => [i / 7, `z-${i}`]).flat());
    p.hset("hash:small", "f1", "v1", "f2", "v2");
    p.hset("hash:big", ...Array.from({ length: 2000 }, (_, i) => [`field-${i}`, `value-${i}`]).flat());
    p.pexpire("hash:big", 7_200_000);
    for (let i = 1; i <= 30; i++)
      p.xadd("stream:events", `${i}-0`, "n", String(i), "kind", i % 2 ? "odd" : "even");
    p.xgroup("CREATE", "stream:events", "workers", "0");
    p.xgroup("CREATE", "stream:events", "late", "$");
    p.xadd("stream:emptied", "5-1", "a", "b");
    p.xdel("stream:emptied", "5-1");
    await p.exec();
    // Two deliveries still pending in group workers.
    await c.xreadgroup("GROUP", "workers", "w1", "COUNT", 2, "STREAMS", "stream:events", ">");
    await c.select(3);
    await c.set("db3:only", "in another logical database", "EX", 86_400);
    await c.rpush("db3:list", "x", "y");
    return { 0: 15, 3: 2 };
  } finally {
    c.disconnect();
  }
}
