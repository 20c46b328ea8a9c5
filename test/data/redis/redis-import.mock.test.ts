/**
 * RedisImport and copyAddonData under Pulumi mocks: type token, serialized provider, protect,
 * secrets, dependsOn and the inputs the plan turns into, in milliseconds and without a server.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { SecretString } from "../../../components/heroku/secret-string";
import type { StatefulAddonPlan } from "../../../components/plan/types";
import { redisAddon } from "../../k8s/plan-fixtures";
import { installMocks, recorder, unwrap } from "../../support/pulumi-mocks";

const record = recorder.recordOptions;
const registered = () => recorder.registrations;
const seen = (name: string) => {
  const r = recorder.options.find((s) => s.name === name)!;
  return { props: r.props, opts: r.opts as pulumi.CustomResourceOptions };
};

let mod: {
  RedisImport: typeof import("../../../components/data/redis/redis-import").RedisImport;
  copyAddonData: typeof import("../../../components/data/redis/addon-copy").copyAddonData;
};

function copyPlan(): StatefulAddonPlan {
  return {
    ...redisAddon("redis-curved-11111", "cache", ["acme-api"]),
    data: {
      mode: "copy",
      sourceUrl: SecretString.of("rediss://:heroku-src-pw@ec2-1.example.com:25310"),
      sourceVar: { app: "acme-api", key: "REDIS_URL" },
      host: "127.0.0.1",
      port: 16379,
      tls: false,
      waitSeconds: null,
      ttlToleranceMs: 2000,
      importId: null,
      progressFile: null,
    },
  };
}

describe("RedisImport resource (mock)", function () {
  before(async () => {
    installMocks();
    mod = {
      RedisImport: (await import("../../../components/data/redis/redis-import")).RedisImport,
      copyAddonData: (await import("../../../components/data/redis/addon-copy")).copyAddonData,
    };
  });
  beforeEach(() => recorder.reset());

  it("mock: a plan that copies gives a protected RedisImport after its server, with secret URLs and the port-forward hint", async () => {
    const server = new pulumi.ComponentResource("test:index:Server", "cache-server");
    const imp = mod.copyAddonData(copyPlan(), "shop", server, "target-pw/1", { transformations: [record] });
    assert.ok(imp);
    await unwrap(imp.urn);
    const reg = registered().filter((r) => r.name === "redis-curved-11111-data");
    assert.strictEqual(reg.length, 1);
    assert.strictEqual(reg[0].type, "pulumi-nodejs:dynamic/heroku-to-hasura/data:RedisImport");
    const provider = reg[0].inputs.__provider as string;
    assert.match(provider, /exports\.handler/);
    assert.ok(!provider.includes("heroku-src-pw") && !provider.includes("target-pw"));
    const o = seen("redis-curved-11111-data");
    assert.strictEqual(o.opts.protect, true);
    assert.deepStrictEqual(o.opts.dependsOn, [server]);
    assert.deepStrictEqual(o.opts.additionalSecretOutputs, ["sourceUrl", "targetUrl", "sourceCaPem"]);
    for (const k of ["sourceUrl", "targetUrl"]) {
      assert.strictEqual(await pulumi.isSecret(o.props[k] as pulumi.Output<string>), true, k);
    }
    assert.strictEqual(
      await unwrap(o.props.targetUrl as pulumi.Output<string>),
      "redis://:target-pw%2F1@127.0.0.1:16379",
    );
    assert.strictEqual(
      await unwrap(o.props.sourceUrl as pulumi.Output<string>),
      "rediss://:heroku-src-pw@ec2-1.example.com:25310",
    );
    assert.deepStrictEqual(
      {
        targetName: reg[0].inputs.targetName,
        waitSeconds: reg[0].inputs.waitSeconds,
        ttlToleranceMs: reg[0].inputs.ttlToleranceMs,
        targetHint: reg[0].inputs.targetHint,
        importId: reg[0].inputs.importId,
      },
      {
        targetName: "cache.default.svc:6379",
        waitSeconds: 600,
        ttlToleranceMs: 2000,
        targetHint: "kubectl port-forward -n shop svc/cache 16379:6379",
        importId: undefined,
      },
    );
  });

  it("mock: the target password may be an Output (a generated credential), and a Service address gets no hint", async () => {
    const plan = copyPlan();
    if (plan.data.mode === "copy") plan.data.host = "cache.default.svc";
    const server = new pulumi.ComponentResource("test:index:Server", "cache-server-2");
    const imp = mod.copyAddonData(plan, "default", server, pulumi.secret(pulumi.output("generated/pw")), {
      transformations: [record],
    });
    await unwrap(imp!.urn);
    const o = seen("redis-curved-11111-data");
    assert.strictEqual(
      await unwrap(o.props.targetUrl as pulumi.Output<string>),
      "redis://:generated%2Fpw@cache.default.svc:16379",
    );
    assert.strictEqual(
      registered().find((r) => r.name === "redis-curved-11111-data")!.inputs.targetHint,
      undefined,
    );
  });

  it("mock: an acknowledged empty start creates no copy", () => {
    const server = new pulumi.ComponentResource("test:index:Server", "cache-server-3");
    assert.strictEqual(mod.copyAddonData(redisAddon("r", "r", []), "default", server, null), undefined);
  });

  it("mock: protect can be turned off", async () => {
    const imp = new mod.RedisImport(
      "rehearsal",
      { sourceUrl: "redis://:a@h:1", targetUrl: "redis://:b@127.0.0.1:2" },
      { protect: false, transformations: [record] },
    );
    await unwrap(imp.urn);
    assert.strictEqual(seen("rehearsal").opts.protect, false);
  });
});
