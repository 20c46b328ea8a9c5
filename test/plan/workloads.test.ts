import assert from "assert";
import { planMigration } from "../../components/plan/plan";
import { planWithEmptyStarts } from "./helpers";
import { planImageBuild } from "../../components/images/build-plan";
import { WEB_PORT } from "../../components/plan/types";
import { processTypes, smallestSize } from "../../components/plan/workloads";
import { app } from "../fixtures/snapshots/builder";
import { settings } from "../fixtures/snapshots/fixtures";

describe("workloads and the release job", () => {
  it("takes the command from the slug when the formation has none; a Procfile-only type is no workload", () => {
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
      [["web", ["/bin/sh", "-c", "./server"], 1]],
    );
    const rake = plan.ledger.find((e) => e.kind === "process-type" && e.subject === "rake");
    assert.deepStrictEqual([rake?.outcome, /one-off command/.test(rake?.detail ?? "")], ["not-needed", true]);
    // replicas config scales it: then it is a Deployment with that many replicas.
    const scaled = planMigration([s], settings({ replicas: { a: { rake: 2 } } }));
    assert.deepStrictEqual(
      scaled.apps[0].workloads.map((w) => [w.processType, w.name, w.replicas]),
      [
        ["rake", "a-rake", 2],
        ["web", "a-web", 1],
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
        ["web", { type: "RollingUpdate", maxUnavailable: 0, maxSurge: "100%" }],
        ["worker", { type: "RollingUpdate", maxUnavailable: "25%", maxSurge: "25%" }],
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
        ["clock", "warned"], // a singleton (see below), not for DYNO
        ["web", "warned"],
        ["worker", "warned"],
      ],
    );
    const clock = plan.ledger.find((l) => l.kind === "process-type" && l.subject === "clock");
    assert.doesNotMatch(clock?.detail ?? "", /DYNO/);
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
      type: "RollingUpdate",
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

describe("singleton process types (schedulers)", () => {
  const scheduler = (type: string, command: string, quantity = 1) =>
    planMigration([app("a").process(type, command, quantity, "Basic").build()], settings()).apps[0]
      .workloads[0];

  const recognised: [string, string, string][] = [
    ["clock", "bundle exec ruby lib/clock.rb", "its name (clock) is a scheduler's"],
    ["beat", "celery -A proj beat -l info", "its name (beat) is a scheduler's"],
    ["celery-beat", "celery -A proj beat", "its name (celery-beat) is a scheduler's"],
    ["scheduler", "node jobs.js", "its name (scheduler) is a scheduler's"],
    ["jobs", "celery -A proj beat --loglevel=info", "its command runs Celery beat"],
    [
      "worker",
      "celery -A proj worker -B -l info",
      "its command runs a Celery worker with an embedded beat (-B)",
    ],
    ["ticker", "bundle exec clockwork config/clock.rb", "its command runs clockwork"],
    ["cronish", "python clock.py", "its command runs a clock process"],
    ["tasks", "php artisan schedule:work", "its command runs the Laravel scheduler"],
    ["rq", "rqscheduler --url $REDIS_URL", "its command runs rq-scheduler"],
    ["resque", "bundle exec rake resque:scheduler", "its command runs resque-scheduler"],
  ];
  for (const [type, command, reason] of recognised) {
    it(`${type}: ${command} → one pod, Recreate, a warning against scaling`, () => {
      const plan = planMigration([app("a").process(type, command, 1, "Basic").build()], settings());
      const w = plan.apps[0].workloads[0];
      assert.deepStrictEqual([w.singleton, w.strategy, w.replicas], [reason, { type: "Recreate" }, 1]);
      const warning = plan.warnings.find((x) => x.code === "singleton-process");
      assert.strictEqual(warning?.subject, type);
      assert.match(warning?.message ?? "", /Do not scale it/);
      assert.match(warning?.message ?? "", new RegExp(`singletons\\.a\\.${type}: false`));
    });
  }

  const ordinary: [string, string][] = [
    ["worker", "celery -A proj worker -l info"],
    ["worker", "bundle exec sidekiq"],
    ["web", "node server.js"],
    ["metrics", "node beats-per-minute.js"],
    ["clocks-api", "node clocks.js"],
  ];
  for (const [type, command] of ordinary) {
    it(`${type}: ${command} is not a singleton`, () => {
      const w = scheduler(type, command, 3);
      assert.deepStrictEqual([w.singleton, w.strategy.type, w.replicas], [null, "RollingUpdate", 3]);
    });
  }

  it("several dynos of a scheduler on Heroku become one pod, and the warning says they ran every job", () => {
    const plan = planMigration([app("a").process("clock", "./clock", 3, "Basic").build()], settings());
    assert.strictEqual(plan.apps[0].workloads[0].replicas, 1);
    assert.match(plan.warnings[0].message, /it had 3 dynos on Heroku, each running every job/);
  });

  it("a scheduler scaled to 0 on Heroku stays at 0", () => {
    assert.strictEqual(scheduler("clock", "./clock", 0).replicas, 0);
  });

  it("config overrides the recognition both ways", () => {
    const s = app("a")
      .process("clock", "./clock", 2, "Basic")
      .process("worker", "./poller", 2, "Basic")
      .build();
    const plan = planMigration([s], settings({ singletons: { a: { clock: false, worker: true } } }));
    assert.deepStrictEqual(
      plan.apps[0].workloads.map((w) => [w.processType, w.singleton, w.strategy.type, w.replicas]),
      [
        ["clock", null, "RollingUpdate", 2],
        ["worker", "declared a singleton in singletons config", "Recreate", 1],
      ],
    );
  });

  it("scaling a singleton above 1 in replicas config is refused, naming both keys", () => {
    const s = app("a").process("clock", "./clock", 1, "Basic").build();
    assert.throws(
      () => planMigration([s], settings({ replicas: { a: { clock: 2 } } })),
      /^Error: replicas\.a\.clock: 2 replicas of a singleton \(its name \(clock\) is a scheduler's\) would run each of its jobs 2 times; set singletons\.a\.clock: false/,
    );
    const allowed = planMigration(
      [s],
      settings({ replicas: { a: { clock: 2 } }, singletons: { a: { clock: false } } }),
    );
    assert.strictEqual(allowed.apps[0].workloads[0].replicas, 2);
  });

  it("a singletons key for a process type the app does not have is refused", () => {
    const s = app("a").process("web", "./web", 1, "Basic").build();
    assert.throws(
      () => planMigration([s], settings({ singletons: { a: { clock: true } } })),
      /singletons\.a\.clock: app a has no process type clock \(process types: web\)/,
    );
    assert.throws(
      () => planMigration([s], settings({ singletons: { b: { clock: true } } })),
      /singletons\.b: no snapshot for app b/,
    );
  });
});
