import assert from "assert";
import { planMigration } from "../../components/plan/plan";
import { processTypes, smallestSize } from "../../components/plan/workloads";
import { app } from "../fixtures/snapshots/builder";
import { settings } from "../fixtures/snapshots/fixtures";

describe("workloads and the release job", () => {
  it("takes the command from the slug when the formation has none, and lists Procfile-only types at 0", () => {
    const b = app("a")
      .process("web", "", 1, "Standard-2X")
      .procfileOnly("release", "./migrate")
      .procfileOnly("rake", "rake");
    b.snapshot.slug!.processTypes.web = "./server";
    const s = b.build();
    assert.deepStrictEqual(
      processTypes(s).map((t) => [t.type, t.command, t.quantity, t.size, t.inFormation]),
      [
        ["rake", "rake", 0, "Standard-2X", false],
        ["release", "./migrate", 0, "Standard-2X", false],
        ["web", "./server", 1, "Standard-2X", true],
      ],
    );
    const plan = planMigration([s], settings());
    assert.deepStrictEqual(
      plan.apps[0].workloads.map((w) => [w.processType, w.args, w.replicas]),
      [
        ["rake", ["/bin/sh", "-c", "rake"], 0],
        ["web", ["/bin/sh", "-c", "./server"], 1],
      ],
    );
    assert.deepStrictEqual(
      [plan.apps[0].releaseJob?.command, plan.apps[0].releaseJob?.dynoSize, plan.apps[0].releaseJob?.name],
      ["./migrate", "Standard-2X", "a-release"],
    );
  });

  it("preboot changes only web's rollout", () => {
    const s = app("a")
      .process("web", "w", 2, "Basic")
      .process("worker", "k", 1, "Basic")
      .feature("preboot")
      .build();
    const plan = planMigration([s], settings());
    assert.deepStrictEqual(
      plan.apps[0].workloads.map((w) => [w.processType, w.strategy]),
      [
        ["web", { maxUnavailable: 0, maxSurge: "100%" }],
        ["worker", { maxUnavailable: "25%", maxSurge: "25%" }],
      ],
    );
  });

  it("a disabled preboot feature changes nothing", () => {
    const s = app("a").process("web", "w", 2, "Basic").feature("preboot", false).build();
    assert.deepStrictEqual(planMigration([s], settings()).apps[0].workloads[0].strategy, {
      maxUnavailable: "25%",
      maxSurge: "25%",
    });
  });

  it("smallestSize picks the size with the least memory, Standard-1X without a formation", () => {
    const s = app("a")
      .process("web", "w", 1, "Performance-L")
      .process("worker", "k", 1, "Standard-2X")
      .build();
    assert.strictEqual(smallestSize(s), "Standard-2X");
    assert.strictEqual(smallestSize(app("b").build()), "Standard-1X");
  });

  it("an app with no process types plans no workloads, Service or release job", () => {
    const plan = planMigration([app("empty").build()], settings());
    assert.deepStrictEqual(
      [plan.apps[0].workloads, plan.apps[0].service, plan.apps[0].releaseJob],
      [[], null, null],
    );
  });
});
