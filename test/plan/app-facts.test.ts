import assert from "assert";
import { addon, app } from "../fixtures/snapshots/builder";
import { settings } from "../fixtures/snapshots/fixtures";
import { planWithEmptyStarts, warningCodes } from "./helpers";

function outcome(
  plan: ReturnType<typeof planWithEmptyStarts>,
  kind: string,
  subject: string,
): string | undefined {
  return plan.ledger.find((e) => e.kind === kind && e.subject === subject)?.outcome;
}

describe("app-level facts", () => {
  it("a Fir app, a never-released app and an unknown enabled feature are warned about", () => {
    const b = app("fir-app").app({ generation: "fir", stack: "cnb" }).feature("some-beta-thing");
    b.snapshot.release = null;
    b.snapshot.slug = null;
    const plan = planWithEmptyStarts([b.build()], settings());
    assert.deepStrictEqual(warningCodes(plan), [
      "fir-app feature-no-equivalent some-beta-thing",
      "fir-app fir-generation generation",
      "fir-app no-release release",
    ]);
    assert.match(plan.warnings[0].message, /check whether the app relies on it/);
    assert.strictEqual(outcome(plan, "app", "region"), "not-needed");
    assert.strictEqual(outcome(plan, "app", "stack"), "mapped");
  });

  it("an add-on not provisioned, and an attachment whose add-on is missing from the snapshot", () => {
    const pending = addon({
      name: "kafka-1",
      service: "heroku-kafka",
      plan: "basic-0",
      billingApp: "a",
      state: "provisioning",
    });
    const ghost = addon({ name: "ghost-1", service: "bonsai", plan: "x", billingApp: "elsewhere" });
    const b = app("a")
      .attach(pending, "KAFKA", { KAFKA_URL: "kafka+ssl://h:9096" })
      .attach(ghost, "BONSAI", { BONSAI_URL: "https://u:p@h" });
    b.snapshot.addons = b.snapshot.addons.filter((x) => x.name !== "ghost-1");
    const plan = planWithEmptyStarts([b.build()], settings());
    assert.deepStrictEqual(warningCodes(plan), [
      "a addon-not-in-snapshot BONSAI",
      "a addon-not-provisioned kafka-1",
    ]);
    assert.deepStrictEqual(
      plan.apps[0].secretEntries.map((e) => [
        e.key,
        e.origin.kind === "addon" ? e.origin.disposition : "user",
        e.rewritten,
      ]),
      [
        ["BONSAI_URL", "keep", false],
        ["KAFKA_URL", "keep", false],
      ],
    );
    assert.strictEqual(outcome(plan, "attachment", "BONSAI"), "warned");
    assert.strictEqual(outcome(plan, "addon", "kafka-1"), "warned");
  });

  it("an add-on billed to this app but attached only elsewhere is still accounted for on this app", () => {
    const pg = addon({
      name: "pg-1",
      service: "heroku-postgresql",
      plan: "essential-0",
      billingApp: "owner",
    });
    const owner = app("owner").build();
    owner.addons.push(pg);
    const user = app("user").attach(pg, "DATABASE", { DATABASE_URL: "postgres://u:p@h:5432/d" }).build();
    const plan = planWithEmptyStarts([owner, user], settings());
    assert.strictEqual(plan.ledger.find((e) => e.app === "owner" && e.subject === "pg-1")?.outcome, "mapped");
    assert.strictEqual(plan.databases[0].ownerApp, "owner");
  });
});
