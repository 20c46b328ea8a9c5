import assert from "assert";
import { planWithEmptyStarts } from "./helpers";
import { planImageBuild } from "../../components/images/build-plan";
import { WEB_PORT } from "../../components/plan/types";
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
    const plan = planWithEmptyStarts([s], settings());
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
    const plan = planWithEmptyStarts([s], settings());
    assert.deepStrictEqual(
      plan.apps[0].workloads.map((w) => [w.processType, w.strategy]),
      [
        ["web", { maxUnavailable: 0, maxSurge: "100%" }],
        ["worker", { maxUnavailable: "25%", maxSurge: "25%" }],
      ],
    );
  });

  it("warns when a process command reads DYNO (the pod name in-cluster, never web.1), and only then", () => {
    const s = app("a")
      .process("web", 'if [ "$DYNO" = "web.1" ]; then ./once; fi; ./server', 2, "Basic")
      .process("worker", "echo ${DYNO}; ./work", 1, "Basic")
      .process("clock", "./clock --dynos 2 --DYNOSAUR", 1, "Basic")
      .build();
    const plan = planWithEmptyStarts([s], settings());
    const w = plan.warnings.filter((x) => x.code === "dyno-name-check");
    assert.deepStrictEqual(
      w.map((x) => [x.app, x.subject]),
      [
        ["a", "web"],
        ["a", "worker"],
      ],
    );
    assert.match(w[0].message, /"\$DYNO" = "web\.1" never matches/);
    assert.match(w[0].message, /pod name \(a-web-<hash>-<id>\)/);
    assert.deepStrictEqual(
      plan.ledger.filter((l) => l.kind === "process-type").map((l) => [l.subject, l.outcome]),
      [
        ["clock", "mapped"],
        ["web", "warned"],
        ["worker", "warned"],
      ],
    );
  });

  it("one web port everywhere: slug image PORT, PORT env, containerPort, probes, Service targetPort", () => {
    const s = app("a").process("web", "./server", 1, "Basic").process("worker", "./w", 1, "Basic").build();
    const a = planWithEmptyStarts([s], settings()).apps[0];
    const web = a.workloads.find((w) => w.processType === "web")!;
    const imagePort = planImageBuild(
      "a",
      { strategy: "slug", baseImage: null },
      {
        registry: "registry.example.com/acme",
        slug: s.slug,
        baseImage: null,
        buildDir: null,
      },
    ).slug?.input.port;
    assert.deepStrictEqual(
      [
        imagePort,
        Number(web.env.find((e) => e.name === "PORT")?.value),
        web.port,
        web.startupProbe?.tcpPort,
        web.readinessProbe?.tcpPort,
        a.service?.targetPort,
      ],
      Array(6).fill(WEB_PORT),
    );
    const worker = a.workloads.find((w) => w.processType === "worker")!;
    assert.deepStrictEqual([worker.port, worker.env.map((e) => e.name)], [null, ["DYNO"]]);
  });

  it("a disabled preboot feature changes nothing", () => {
    const s = app("a").process("web", "w", 2, "Basic").feature("preboot", false).build();
    assert.deepStrictEqual(planWithEmptyStarts([s], settings()).apps[0].workloads[0].strategy, {
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
    const plan = planWithEmptyStarts([app("empty").build()], settings());
    assert.deepStrictEqual(
      [plan.apps[0].workloads, plan.apps[0].service, plan.apps[0].releaseJob],
      [[], null, null],
    );
  });
});
