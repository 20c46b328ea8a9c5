import assert from "assert";
import {
  allowedDispositions,
  defaultDisposition,
  inClusterSpec,
  storageForPlan,
} from "../../components/plan/addon-catalog";
import { isPinnedRef } from "../../components/formats/image-ref";
import { PLACEHOLDER_DIGEST } from "../../components/plan/types";

describe("add-on catalog", () => {
  const dispositions: [string, string, string | null][] = [
    ["heroku-postgresql", "migrate", null],
    ["heroku-redis", "in-cluster", "redis"],
    ["redistogo", "in-cluster", "redis"],
    ["rediscloud", "in-cluster", "redis"],
    ["mongolab", "in-cluster", "mongodb"],
    ["ormongo", "in-cluster", "mongodb"],
    ["papertrail", "keep", null],
    ["sendgrid", "keep", null],
    ["scheduler", "keep", null],
  ];
  for (const [service, disposition, kind] of dispositions) {
    it(`${service} → ${disposition}${kind ? ` (${kind})` : ""}`, () => {
      assert.strictEqual(defaultDisposition(service), disposition);
      assert.strictEqual(inClusterSpec(service)?.kind ?? null, kind);
      assert.ok(allowedDispositions(service).includes(defaultDisposition(service)));
      assert.ok(allowedDispositions(service).includes("keep"));
    });
  }

  it("only Postgres can be migrated and only catalog kinds run in-cluster", () => {
    assert.deepStrictEqual(allowedDispositions("heroku-postgresql"), ["migrate", "keep"]);
    assert.deepStrictEqual(allowedDispositions("heroku-redis"), ["in-cluster", "keep"]);
    assert.deepStrictEqual(allowedDispositions("bonsai"), ["keep"]);
  });

  it("default images are digest references using the documented placeholder", () => {
    for (const service of ["heroku-redis", "mongolab"]) {
      const image = inClusterSpec(service)!.image;
      assert.ok(isPinnedRef(image), image);
      assert.ok(image.endsWith(`@${PLACEHOLDER_DIGEST}`), image);
    }
  });

  const storage: [string, number][] = [
    ["heroku-redis:mini", 1],
    ["heroku-redis:premium-0", 1],
    ["heroku-redis:premium-5", 2],
    ["heroku-redis:premium-7", 14],
    ["heroku-redis:private-9", 20],
    ["heroku-redis:premium-14", 200],
    ["heroku-redis:enterprise-x", 1],
    ["redistogo:premium-5", 1], // another vendor's plan names: not sized from Heroku's table
  ];
  for (const [plan, gi] of storage) {
    it(`storage for ${plan}: ${gi}Gi (2× memory, floor 1Gi)`, () => {
      assert.strictEqual(storageForPlan("redis", plan), gi);
    });
  }
  it("storage for a MongoDB plan is the 1Gi floor", () => {
    assert.strictEqual(storageForPlan("mongodb", "mongolab:sandbox"), 1);
  });
});
