/**
 * The RedisImport provider's run-once semantics. The pure part tests check/diff directly; the rest
 * serializes the provider exactly as `pulumi.dynamic.Resource` does and drives it through the real
 * dynamic-provider server in a separate plain `node` process (../../support/dynamic-provider-host),
 * against real redis-servers: a TLS source like Heroku's, plain targets like the in-cluster Redis
 * reached through a port-forward.
 */
import * as assert from "assert";
import { readRedisImportMarker } from "../../../components/data/redis/engine";
import {
  checkRedisImportInputs,
  diffRedisImport,
  redisImportProvider,
  type RedisImportOutputs,
} from "../../../components/data/redis/redis-import-provider";
import { UNKNOWN } from "../../../components/data/postgres-import-provider";
import { DynamicProviderHost, providerTextProblems, type Props } from "../../support/dynamic-provider-host";
import { loadRichData, testClient } from "../../support/redis/rich-data";
import { startRedis, type RedisServer } from "../../support/redis/server";

describe("RedisImport check and diff (pure)", () => {
  const olds = {
    sourceUrl: "rediss://:old@ec2-1.example.com:25310",
    targetUrl: "redis://:tgt@127.0.0.1:16379",
    targetName: "cache.default.svc:6379",
    importId: "r-1",
    requestedImportId: null,
    sourceIdentity: "ec2-1.example.com:25310",
    targetIdentity: "cache.default.svc:6379",
  } as unknown as RedisImportOutputs;
  const same = { sourceUrl: olds.sourceUrl, targetUrl: olds.targetUrl, targetName: olds.targetName };

  it("the same inputs, or other copy-time options, are no change", () => {
    assert.deepStrictEqual(diffRedisImport(olds, same), { changes: false });
    assert.deepStrictEqual(
      diffRedisImport(olds, {
        ...same,
        ttlToleranceMs: 1,
        waitSeconds: 9,
        verifySourceCertificate: true,
        importId: "r-1",
      }),
      { changes: false },
    );
  });

  it("new passwords or another port-forward port update in place; the target's identity is its name", () => {
    for (const news of [
      { ...same, sourceUrl: "rediss://:new@ec2-1.example.com:25310" },
      { ...same, targetUrl: "redis://:new@127.0.0.1:26379" },
    ]) {
      assert.deepStrictEqual(diffRedisImport(olds, news), { changes: true });
    }
  });

  it("a new source, target name or importId replaces, creating first", () => {
    const replace = (replaces: string[]) => ({ changes: true, replaces, deleteBeforeReplace: false });
    assert.deepStrictEqual(
      diffRedisImport(olds, { ...same, sourceUrl: "rediss://:old@ec2-2.example.com:25310" }),
      replace(["sourceUrl"]),
    );
    assert.deepStrictEqual(
      diffRedisImport(olds, { ...same, targetName: "cache2.default.svc:6379" }),
      replace(["targetName"]),
    );
    assert.deepStrictEqual(diffRedisImport(olds, { ...same, importId: "r-2" }), replace(["importId"]));
  });

  it("unknown values during preview are a change, never a replacement", () => {
    assert.deepStrictEqual(diffRedisImport(olds, { ...same, sourceUrl: UNKNOWN }), { changes: true });
    assert.deepStrictEqual(diffRedisImport(olds, { ...same, targetUrl: UNKNOWN }), { changes: true });
    assert.deepStrictEqual(
      checkRedisImportInputs({ sourceUrl: UNKNOWN, targetUrl: UNKNOWN, waitSeconds: UNKNOWN }),
      [],
    );
  });

  it("check reports each bad input by property, without the password", () => {
    const failures = checkRedisImportInputs({
      sourceUrl: "postgres://u:hunter22@h/",
      importId: "has space",
      waitSeconds: -1,
      verifySourceCertificate: "yes",
      targetName: "",
    });
    assert.deepStrictEqual(
      failures.map((f) => f.property),
      ["sourceUrl", "targetUrl", "targetName", "verifySourceCertificate", "importId", "waitSeconds"],
    );
    assert.ok(failures.every((f) => !f.reason.includes("hunter22")));
  });
});

describe("RedisImport provider, serialized, against real redis-servers", function () {
  this.timeout(300_000);
  let source: RedisServer;
  let target: RedisServer;
  let host: DynamicProviderHost;
  let first: { id: string; outs: Props };
  let inputs: Props;
  const servers: RedisServer[] = [];
  const secrets = () => servers.map((s) => s.password!).concat(["rotated-target-pw"]);
  const secretsIn = (text: string) => secrets().filter((p) => text.includes(p));

  before(async () => {
    [source, target] = await Promise.all([startRedis({ tls: true }), startRedis()]);
    servers.push(source, target);
    await loadRichData(source);
    inputs = { sourceUrl: source.url(), targetUrl: target.url(), targetName: "cache.default.svc:6379" };
    host = await DynamicProviderHost.serve(redisImportProvider);
  });
  after(() => {
    host?.stop();
    for (const s of servers) s.stop();
  });

  it("the serialized provider carries no credentials and no machine path", async () => {
    assert.deepStrictEqual(await providerTextProblems(host, redisImportProvider, secrets()), []);
  });

  it("create copies and verifies every key, reporting progress without secrets", async () => {
    const checked = await host.check({}, inputs);
    assert.deepStrictEqual(checked.failures, []);
    first = await host.create(checked.inputs);
    const o = first.outs;
    assert.strictEqual(first.id, o.importId);
    assert.strictEqual(o.keys, 17);
    assert.deepStrictEqual(o.databases, [
      { db: 0, keys: 15, expiring: 2 },
      { db: 3, keys: 2, expiring: 1 },
    ]);
    assert.strictEqual(o.sourceIdentity, `127.0.0.1:${source.port}`);
    assert.strictEqual(o.targetIdentity, "cache.default.svc:6379");
    assert.strictEqual(o.markerStatus, "complete");
    assert.strictEqual(o.requestedImportId, null);
    const { sourceUrl: _s, targetUrl: _t, ...publicOuts } = o;
    assert.deepStrictEqual(secretsIn(JSON.stringify(publicOuts)), []);
    assert.match(
      host.stderr,
      /\[RedisImport 127\.0\.0\.1:\d+ -> cache\.default\.svc:6379\] copy redis-\S+ complete: 17 keys verified/,
    );
    assert.deepStrictEqual(secretsIn(host.stderr), []);
    assert.strictEqual(target.cli("-n", "3", "GET", "db3:only").trim(), "in another logical database");
  });

  it("a second up does nothing (diff: no changes)", async () => {
    const checked = await host.check(first.outs, inputs);
    assert.deepStrictEqual(await host.diff(first.id, first.outs, checked.inputs), {
      changes: "none",
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("with the state lost, create adopts the completed copy and copies nothing", async () => {
    const restores = () => /cmdstat_restore:calls=(\d+)/.exec(target.cli("INFO", "commandstats"))?.[1];
    const before = restores();
    const again = await host.create(inputs);
    assert.strictEqual(again.id, first.id);
    assert.strictEqual(again.outs.keys, 17);
    assert.strictEqual(again.outs.resumed, true);
    assert.strictEqual(restores(), before);
  });

  it("a new target password and another port-forward port update state in place and copy nothing", async () => {
    target.cli("CONFIG", "SET", "requirepass", "rotated-target-pw");
    const news = { ...inputs, targetUrl: target.url(undefined, "rotated-target-pw") };
    assert.deepStrictEqual(await host.diff(first.id, first.outs, news), {
      changes: "some",
      replaces: [],
      deleteBeforeReplace: false,
    });
    first = await host.updateInPlace(first, news, ["targetUrl"]);
    inputs = news;
  });

  it("refresh keeps the copy, even when the target cannot be reached (no port-forward), so up never copies again", async () => {
    const read = await host.read(first.id, first.outs);
    assert.strictEqual(read.id, first.id);
    assert.strictEqual(read.props.markerStatus, "complete");
    const gone = await host.read(first.id, { ...first.outs, targetUrl: "redis://:x-pw-x@127.0.0.1:1" });
    assert.strictEqual(gone.id, first.id);
    assert.strictEqual(gone.props.markerStatus, "unreachable");
    assert.strictEqual(gone.props.keys, 17);
    assert.ok(!host.stderr.includes("x-pw-x"));
  });

  it("a create killed mid-copy is resumed by the next create, and the result is verified", async () => {
    const big = await startRedis({ tls: true });
    servers.push(big);
    big.cli("DEBUG", "POPULATE", "200000", "k", "64");
    big.cli("PEXPIRE", "k:7", "3600000");
    const dest = await startRedis();
    servers.push(dest);
    const news = { sourceUrl: big.url(), targetUrl: dest.url(), targetName: "big.default.svc:6379" };
    const doomed = await host.startAnother();
    const attempt = doomed.create(news).catch((e: Error) => e);
    await doomed.waitForStderr(/copying db 0: [1-9]\d*\/200000 keys/);
    doomed.kill();
    assert.ok((await attempt) instanceof Error, "the killed create must fail");
    const marker = await readRedisImportMarker({ url: dest.url() });
    assert.ok(marker, "the killed copy left its marker");
    assert.strictEqual(marker.phase, "copying", "a partial copy must not look complete");
    assert.ok(
      marker.keysCopied > 0 && marker.keysCopied < 200_000,
      `copied before the kill: ${marker.keysCopied}`,
    );

    const resumed = await host.create(news);
    assert.strictEqual(resumed.outs.resumed, true);
    assert.strictEqual(resumed.outs.keys, 200_000);
    assert.strictEqual(resumed.id, marker.importId);
    assert.match(host.stderr, /resuming copy redis-\S+ \(copying, \d+ keys copied before\)/);
    assert.strictEqual(Number(dest.cli("DBSIZE").trim()), 200_001, "every key and the marker");
    const t = testClient(dest);
    assert.ok((await t.pttl("k:7")) > 3_000_000);
    t.disconnect();
    bigCopy = { news, dest, id: resumed.id };
  });

  let bigCopy: { news: Props; dest: RedisServer; id: string };

  it("a verification failure (a changed value, a changed TTL) fails create naming the keys; the next create repairs them", async () => {
    const { news, dest } = bigCopy;
    const c = testClient(dest);
    // Back to "copied, not yet verified", with two keys that no longer match the source.
    const marker = JSON.parse((await c.hget("heroku-to-hasura:redis-import", "json"))!);
    await c.hset(
      "heroku-to-hasura:redis-import",
      "json",
      JSON.stringify({ ...marker, phase: "verifying", result: null }),
    );
    await c.set("k:1", "not what Heroku holds");
    await c.pexpire("k:2", 1_000_000);
    await assert.rejects(host.create(news), (e: Error) => {
      assert.match(
        e.message,
        /RedisImport 127\.0\.0\.1:\d+ -> big\.default\.svc:6379 failed: verification failed: 2 keys differ/,
      );
      assert.match(e.message, /db 0 "k:1": value differs \(string\)/);
      assert.match(e.message, /db 0 "k:2": ttl differs \(source none, target \d+ ms\)/);
      assert.deepStrictEqual(secretsIn(e.message), []);
      return true;
    });
    const repaired = await host.create(news);
    assert.strictEqual(repaired.id, bigCopy.id);
    assert.strictEqual(repaired.outs.keys, 200_000);
    assert.strictEqual((await c.get("k:1"))?.replace(/\0+$/, ""), "value:1"); // DEBUG POPULATE pads to 64 bytes
    assert.strictEqual(await c.pttl("k:2"), -1);
    c.disconnect();
  });

  it("delete forgets the copy and keeps the data", async () => {
    await host.delete(first.id, first.outs);
    assert.match(host.stderr, /forgotten; the data in cache\.default\.svc:6379 is kept/);
    assert.strictEqual(target.cli("-a", "rotated-target-pw", "--no-auth-warning", "DBSIZE").trim(), "16");
  });
});
