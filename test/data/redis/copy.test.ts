/**
 * The Redis copy engine against real servers (Debian's redis-server): a TLS-only, password-protected
 * source like Heroku's Key-Value Store, and plain targets like the in-cluster Redis behind a
 * port-forward.
 */
import * as assert from "assert";
import { copyRedis, MARKER_KEY, readRedisImportMarker } from "../../../components/data/redis/engine";
import { verifyCopy } from "../../../components/data/redis/engine/verify";
import { connectRedis } from "../../../components/data/redis/engine/connection";
import { valueDigest } from "../../../components/data/redis/engine/values";
import { freePort } from "../../../scripts/lib/pg-cluster";
import { BINARY_KEY, loadRichData, testClient } from "../../support/redis/rich-data";
import { startRedis, type RedisServer } from "../../support/redis/server";

/** Every key of every database (but our marker) with its type, value digest and TTL (rounded to minutes). */
async function snapshot(s: RedisServer): Promise<string[]> {
  const c = await connectRedis({ url: s.url() }, "snapshot");
  try {
    const out: string[] = [];
    for (const db of [0, 1, 2, 3]) {
      await c.select(db);
      const keys = ((await c.callBuffer("KEYS", "*")) as Buffer[]).filter((k) => k.toString() !== MARKER_KEY);
      for (const k of keys) {
        const type = String(await c.call("TYPE", k));
        const pttl = Number(await c.call("PTTL", k));
        out.push(
          `${db} ${k.toString("hex")} ${await valueDigest(c, k, type)} ${pttl < 0 ? "none" : Math.round(pttl / 60_000)}`,
        );
      }
    }
    return out.sort();
  } finally {
    c.disconnect();
  }
}

describe("Redis copy engine (real redis-server: TLS source, plain targets)", function () {
  this.timeout(120_000);
  let source: RedisServer;
  const targets: RedisServer[] = [];
  let expected: string[];
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);
  const newTarget = async () => {
    const t = await startRedis();
    targets.push(t);
    return t;
  };

  before(async () => {
    source = await startRedis({ tls: true });
    assert.deepStrictEqual(await loadRichData(source), { 0: 15, 3: 2 });
    expected = await snapshot(source);
    assert.strictEqual(expected.length, 17);
  });
  after(() => {
    source?.stop();
    for (const t of targets) t.stop();
  });

  it("copies every key of every database with its type, value and TTL, over TLS without a certificate check, and verifies", async () => {
    const target = await newTarget();
    const r = await copyRedis({
      source: { url: source.url() },
      target: { url: target.url() },
      log,
      batchSize: 4,
    });
    assert.deepStrictEqual(r.databases, [
      { db: 0, keys: 15, expiring: 2 },
      { db: 3, keys: 2, expiring: 1 },
    ]);
    assert.strictEqual(r.keys, 17);
    assert.deepStrictEqual(r.types, { string: 6, list: 3, set: 2, zset: 2, hash: 2, stream: 2 });
    assert.strictEqual(r.typedKeys, 0, "same server version: every payload restored");
    assert.strictEqual(r.pendingEntriesNotCopied, 0);
    assert.strictEqual(r.resumed, false);
    assert.match(r.sourceVersion, /^\d+\.\d+/);
    assert.deepStrictEqual(await snapshot(target), expected);
    // The pending entries of the stream's group came along (DUMP carries the PEL).
    const t = testClient(target);
    const pending = (await t.xpending("stream:events", "workers")) as unknown[];
    assert.strictEqual(pending[0], 2);
    assert.strictEqual(String(await t.getBuffer(BINARY_KEY).then((b) => b?.toString("hex"))), "000102fffe");
    t.disconnect();
    const marker = await readRedisImportMarker({ url: target.url() });
    assert.strictEqual(marker?.phase, "complete");
    assert.strictEqual(marker?.importId, r.importId);
    assert.ok(!lines.join("\n").includes(source.password!), "no password in the log");

    // Run again: adopted, nothing copied (no RESTORE reaches the target).
    const restores = () => /cmdstat_restore:calls=(\d+)/.exec(target.cli("INFO", "commandstats"))?.[1];
    const before = restores();
    const again = await copyRedis({ source: { url: source.url() }, target: { url: target.url() }, log });
    assert.strictEqual(again.resumed, true);
    assert.strictEqual(again.importId, r.importId);
    assert.strictEqual(restores(), before);
  });

  it("the typed copy (no DUMP) carries the same keys, values, TTLs, stream ids and groups, and counts the pending entries it cannot", async () => {
    const target = await newTarget();
    const r = await copyRedis({
      source: { url: source.url() },
      target: { url: target.url() },
      method: "typed",
      log,
    });
    assert.strictEqual(r.keys, 17);
    assert.strictEqual(r.typedKeys, 17);
    assert.strictEqual(r.pendingEntriesNotCopied, 2);
    assert.deepStrictEqual(await snapshot(target), expected);
    const t = testClient(target);
    assert.strictEqual(await t.call("ZSCORE", "zset:small", "minus-inf"), "-inf");
    const info = (await t.call("XINFO", "STREAM", "stream:emptied")) as unknown[];
    assert.strictEqual(info[info.indexOf("last-generated-id") + 1], "5-1");
    t.disconnect();
  });

  it("verification names a key whose value changed and one whose TTL changed", async () => {
    const target = await newTarget();
    await copyRedis({ source: { url: source.url() }, target: { url: target.url() } });
    const t = testClient(target);
    await t.set("str:plain", "changed");
    await t.pexpire("list:small", 60_000);
    await t.hset("hash:big", "field-7", "other");
    await t.set("only:in:target", "x");
    t.disconnect();
    const [src, tgt] = await Promise.all([
      connectRedis({ url: source.url() }, "source"),
      connectRedis({ url: target.url() }, "target"),
    ]);
    try {
      const v = await verifyCopy(src, tgt, [0, 3], { ttlToleranceMs: 5000, batchSize: 100, log });
      assert.deepStrictEqual(
        v.mismatches.map((m) => `${m.db} ${m.key}: ${m.reason.replace(/\d+ ms/, "N ms")}`).sort(),
        [
          "0 hash:big: value differs (hash)",
          "0 list:small: ttl differs (source none, target N ms)",
          "0 only:in:target: in the target but not in the source (deleted or written during the copy?)",
          "0 str:plain: value differs (string)",
        ],
      );
    } finally {
      src.disconnect();
      tgt.disconnect();
    }
  });

  it("keys written during the copy fail it by name; the next attempt copies them again and completes", async () => {
    const target = await newTarget();
    let wrote = false;
    const racing = (l: string) => {
      // The moment the copy starts verifying, the "app" still writes to Heroku (redis-cli blocks
      // this process until the writes are done, so they land before the verification reads).
      if (!wrote && l.startsWith("verifying")) {
        wrote = true;
        source.cli("SET", "str:int", "99999");
        source.cli("EXPIRE", "set:ints", "600");
      }
    };
    const slowVerify = { source: { url: source.url() }, target: { url: target.url() }, log: racing };
    await assert.rejects(copyRedis(slowVerify), (e: Error) => {
      assert.match(e.message, /^verification failed: 2 keys differ between the source and the target/);
      assert.match(e.message, /db 0 "str:int": value differs \(string\)/);
      assert.match(e.message, /db 0 "set:ints": ttl differs \(source \d+ ms, target none\)/);
      assert.match(e.message, /Stop the writes to the source/);
      return true;
    });
    assert.strictEqual((await readRedisImportMarker({ url: target.url() }))?.phase, "repair");
    const r = await copyRedis({ source: { url: source.url() }, target: { url: target.url() }, log });
    assert.strictEqual(r.resumed, true);
    assert.deepStrictEqual(await snapshot(target), await snapshot(source));
    // Restore the data set for the other tests.
    source.cli("SET", "str:int", "12345");
    source.cli("PERSIST", "set:ints");
  });

  it("refuses a non-empty target, another importId and another source, naming what is there", async () => {
    const target = await newTarget();
    target.cli("SET", "app:data", "1");
    await assert.rejects(
      copyRedis({ source: { url: source.url() }, target: { url: target.url() } }),
      /the target is not empty \(keys: 1 in db 0\) and holds no copy marker/,
    );
    target.cli("FLUSHALL");
    const r = await copyRedis({
      source: { url: source.url() },
      target: { url: target.url() },
      importId: "first",
    });
    assert.strictEqual(r.importId, "first");
    await assert.rejects(
      copyRedis({ source: { url: source.url() }, target: { url: target.url() }, importId: "second" }),
      /holds copy first \(complete\); a new importId \(second\) needs an empty server/,
    );
    const other = await newTarget();
    await assert.rejects(
      copyRedis({ source: { url: other.url() }, target: { url: target.url() } }),
      /holds copy first \(complete\) of 127\.0\.0\.1:\d+, not of 127\.0\.0\.1:\d+/,
    );
    await assert.rejects(
      copyRedis({ source: { url: target.url() }, target: { url: target.url() } }),
      /the source and the target are the same Redis server/,
    );
  });

  it("waits for the target to come up (the port-forward being started) and says how long", async () => {
    const port = await freePort();
    const password = "late-target-pw";
    const url = `redis://:${password}@127.0.0.1:${port}`;
    const waiting: string[] = [];
    const copy = copyRedis({
      source: { url: source.url() },
      target: { url },
      waitSeconds: 30,
      targetHint: "kubectl port-forward svc/cache 1234:6379",
      log: (l) => waiting.push(l),
    });
    await new Promise((r) => setTimeout(r, 1500));
    targets.push(await startRedis({ port, password }));
    const r = await copy;
    assert.strictEqual(r.keys, 17);
    assert.match(
      waiting[0],
      /^waiting for target 127\.0\.0\.1:\d+ \(\d+s left\): kubectl port-forward svc\/cache 1234:6379$/,
    );
    assert.ok(!waiting.join("").includes(password));
  });

  it("checks the source's certificate when asked: trusted with its CA, refused without", async () => {
    const target = await newTarget();
    await assert.rejects(
      copyRedis({ source: { url: source.url(), verifyCertificate: true }, target: { url: target.url() } }),
      /cannot connect to source 127\.0\.0\.1:\d+: .*(certificate|self.signed)/i,
    );
    const r = await copyRedis({
      source: { url: source.url(), verifyCertificate: true, caPem: source.caPem! },
      target: { url: target.url() },
    });
    assert.strictEqual(r.keys, 17);
  });

  it("a wrong password is an error naming the side, without the password", async () => {
    const target = await newTarget();
    await assert.rejects(
      copyRedis({
        source: { url: source.url(undefined, "not-the-password") },
        target: { url: target.url() },
      }),
      (e: Error) => {
        assert.match(e.message, /source 127\.0\.0\.1:\d+/);
        assert.ok(!e.message.includes("not-the-password"));
        return true;
      },
    );
  });
});
