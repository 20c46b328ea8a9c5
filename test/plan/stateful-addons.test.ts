import assert from "assert";
import { SecretString } from "../../components/heroku/secret-string";
import { addon, app } from "../fixtures/snapshots/builder";
import { settings } from "../fixtures/snapshots/fixtures";
import { fingerprint, planWithEmptyStarts, revealEntries, warningCodes } from "./helpers";

function redis(plan = "premium-0") {
  return addon({
    name: "redis-x-1",
    service: "heroku-redis",
    plan,
    billingApp: "a",
    configVarNames: ["REDIS_URL"],
  });
}

describe("in-cluster add-ons", () => {
  it("a shared Redis: both apps' URLs get the generated password (never Heroku's), each keeps its database number", () => {
    const r = redis();
    const a = app("a")
      .process("web", "x", 1, "Basic")
      .attach(r, "REDIS", { REDIS_URL: "redis://h:pw-one@r.example:1/0" })
      .build();
    const b = app("b")
      .process("web", "x", 1, "Basic")
      .attach(r, "REDIS", { REDIS_URL: "redis://h:pw-two@r.example:1/2" })
      .build();
    const plan = planWithEmptyStarts([b, a], settings());
    const s = plan.statefulAddons[0];
    assert.strictEqual(s.credential, "redis-x-1-password");
    assert.deepStrictEqual(plan.credentials, [
      {
        name: "redis-x-1-password",
        purpose: "password of the in-cluster redis redis-x-1 (redis-x-1)",
        rotation: "",
      },
    ]);
    assert.deepStrictEqual(revealEntries(plan.apps[0].secretEntries), [
      [
        "REDIS_URL",
        "redis-x-1/REDIS/in-cluster",
        "redis://:cred(redis-x-1-password)@redis-x-1.default.svc:6379/0",
        true,
      ],
    ]);
    assert.deepStrictEqual(revealEntries(plan.apps[1].secretEntries), [
      [
        "REDIS_URL",
        "redis-x-1/REDIS/in-cluster",
        "redis://:cred(redis-x-1-password)@redis-x-1.default.svc:6379/2",
        true,
      ],
    ]);
    assert.deepStrictEqual(warningCodes(plan), [
      "- addon-image-placeholder redis-x-1",
      "a web-not-exposed web",
      "b web-not-exposed web",
    ]);
    assert.ok(!fingerprint(plan).includes("pw-one") && !fingerprint(plan).includes("pw-two"));
  });

  it("a Redis that had no password on Heroku gets the generated one: requirepass from the Secret's env, in every URL", () => {
    const a = app("a").attach(redis(), "REDIS", { REDIS_URL: "redis://r.example:6379" }).build();
    const plan = planWithEmptyStarts(
      [a],
      settings({
        addons: { "redis-x-1": { image: `redis@sha256:${"1".repeat(64)}`, rotation: "2027-01" } },
      }),
    );
    const s = plan.statefulAddons[0];
    assert.deepStrictEqual(
      [s.credential, s.passwordEnvVar, s.args, s.imageIsPlaceholder],
      [
        "redis-x-1-password",
        "REDIS_PASSWORD",
        ["--appendonly", "yes", "--maxmemory", "50mb", "--requirepass", "$(REDIS_PASSWORD)"],
        false,
      ],
    );
    assert.strictEqual(plan.credentials[0].rotation, "2027-01");
    assert.deepStrictEqual(revealEntries(plan.apps[0].secretEntries), [
      [
        "REDIS_URL",
        "redis-x-1/REDIS/in-cluster",
        "redis://:cred(redis-x-1-password)@redis-x-1.default.svc:6379",
        true,
      ],
    ]);
    assert.deepStrictEqual(warningCodes(plan), []);
  });

  it("a storage override below the 1Gi floor is raised, with a warning; storageClass override wins", () => {
    const a = app("a").attach(redis(), "REDIS", { REDIS_URL: "redis://:p@r.example:6379" }).build();
    const plan = planWithEmptyStarts(
      [a],
      settings({ storageClass: "slow", addons: { "redis-x-1": { storage: "200Mi", storageClass: "fast" } } }),
    );
    assert.deepStrictEqual(
      [plan.statefulAddons[0].storage, plan.statefulAddons[0].storageClass],
      ["1Gi", "fast"],
    );
    assert.ok(warningCodes(plan).includes("- storage-below-floor redis-x-1"));
  });

  it("redacted values: the URL var is still planned as rewritten, its value stays redacted, a warning per key", () => {
    const a = app("a")
      .attach(redis(), "REDIS", { REDIS_URL: "redis://:p@r.example:6379" })
      .redacted()
      .build();
    const plan = planWithEmptyStarts([a], settings());
    const entry = plan.apps[0].secretEntries[0];
    assert.deepStrictEqual([entry.key, entry.rewritten, entry.value.isRedacted], ["REDIS_URL", true, true]);
    assert.strictEqual(
      plan.statefulAddons[0].credential,
      "redis-x-1-password",
      "its own password needs no Heroku value",
    );
    assert.ok(warningCodes(plan).includes("a redacted-value REDIS_URL"));
  });

  it("an add-on var that is not a URL is carried unchanged; one with another scheme is warned about", () => {
    const mongo = addon({ name: "ormongo-1", service: "ormongo", plan: "x", billingApp: "a" });
    const a = app("a")
      .attach(mongo, "ORMONGO", {
        ORMONGO_URL: "mongodb://u:pw@h:1/db",
        ORMONGO_REGION: "us-east",
        ORMONGO_DASHBOARD_URL: "https://dash.example/pw",
      })
      .build();
    const plan = planWithEmptyStarts([a], settings());
    assert.deepStrictEqual(revealEntries(plan.apps[0].secretEntries), [
      ["ORMONGO_DASHBOARD_URL", "ormongo-1/ORMONGO/in-cluster", "https://dash.example/pw", false],
      ["ORMONGO_REGION", "ormongo-1/ORMONGO/in-cluster", "us-east", false],
      [
        "ORMONGO_URL",
        "ormongo-1/ORMONGO/in-cluster",
        "mongodb://heroku:cred(ormongo-1-password)@ormongo-1.default.svc:27017/db?authSource=admin",
        true,
      ],
    ]);
    assert.deepStrictEqual(warningCodes(plan), [
      "- addon-image-placeholder ormongo-1",
      "a addon-var-unchanged ORMONGO_DASHBOARD_URL",
    ]);
    assert.strictEqual(SecretString.of("x").toString(), "[secret]");
  });

  const sized: [string, string, string][] = [
    ["premium-0", "256Mi", "1Gi"], // 50 MB: the defaults
    ["premium-3", "500Mi", "1Gi"], // 2 × 500 MB is below the 1Gi default limit
    ["premium-5", "1Gi", "2Gi"],
    ["private-9", "10Gi", "20Gi"],
    ["enterprise-x", "256Mi", "1Gi"], // unknown plan: the defaults
  ];
  for (const [plan, request, limit] of sized) {
    it(`Redis ${plan}: memory request ${request}, limit ${limit} (the plan's data set, twice for the fork)`, () => {
      const s = app("a").process("web", "x", 1, "Basic").attach(redis(plan), "REDIS", {
        REDIS_URL: "redis://h:pw@r.example:1",
      });
      const [addonPlan] = planWithEmptyStarts([s.build()], settings()).statefulAddons;
      assert.deepStrictEqual(addonPlan.resources, {
        requests: { cpu: "100m", memory: request },
        limits: { memory: limit },
      });
    });
  }
});
