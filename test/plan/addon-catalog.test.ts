import assert from "assert";
import {
  allowedDispositions,
  defaultDisposition,
  inClusterSpec,
  isDigestReference,
  quantityBytes,
  storageForPlan,
} from "../../components/plan/addon-catalog";
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
      assert.ok(isDigestReference(image), image);
      assert.ok(image.endsWith(`@${PLACEHOLDER_DIGEST}`), image);
    }
  });

  it("isDigestReference accepts repo[:tag]@sha256:<64 hex> only", () => {
    assert.strictEqual(isDigestReference(`redis@sha256:${"a".repeat(64)}`), true);
    assert.strictEqual(isDigestReference(`registry.local:5000/x/redis:7@sha256:${"0".repeat(64)}`), true);
    assert.strictEqual(isDigestReference("redis:7"), false);
    assert.strictEqual(isDigestReference(`redis@sha256:${"a".repeat(63)}`), false);
    assert.strictEqual(isDigestReference(`Redis@sha256:${"a".repeat(64)}`), false);
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

  it("quantityBytes parses Kubernetes quantities and rejects others", () => {
    assert.strictEqual(quantityBytes("5Gi"), 5 * 2 ** 30);
    assert.strictEqual(quantityBytes("500M"), 5e8);
    assert.strictEqual(quantityBytes("1.5Gi"), 1.5 * 2 ** 30);
    assert.strictEqual(quantityBytes("1024"), 1024);
    for (const bad of ["5 Gi", "5GB", "-1Gi", "Gi", ""]) assert.strictEqual(quantityBytes(bad), null, bad);
  });
});
