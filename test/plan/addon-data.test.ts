import assert from "assert";
import { SecretString } from "../../components/heroku/secret-string";
import { assertRenderable } from "../../components/plan/renderable";
import { planMigration } from "../../components/plan/plan";
import { renderReport } from "../../components/plan/report";
import { AddonOverride } from "../../components/plan/settings";
import { redisKeptApp, settings, sharedAddonApps } from "../fixtures/snapshots/fixtures";
import { reveal } from "./helpers";

/** The data of in-cluster add-ons: never left behind unsaid (issue: an app went live on an empty Redis). */
describe("in-cluster add-on data: copied, or acknowledged empty", () => {
  const REDIS = "redis-curved-11111";
  const plan = (addons: Record<string, AddonOverride>) =>
    planMigration(sharedAddonApps(), settings({ addons }));

  it("an in-cluster Redis with neither copy nor startEmpty is refused, naming it, its vars and both ways forward", () => {
    assert.throws(
      () => plan({}),
      (e: Error) => {
        assert.match(
          e.message,
          /^addons\.redis-curved-11111: the in-cluster redis of add-on redis-curved-11111/,
        );
        assert.match(
          e.message,
          /would start empty while shop-api's REDIS_URL, shop-worker's SHOP_REDIS_URL point at it/,
        );
        assert.match(e.message, /set addons\.redis-curved-11111\.copy\.host \(and copy\.port\)/);
        assert.match(e.message, /kubectl port-forward svc\/<name> 16379:6379/);
        assert.match(
          e.message,
          /acknowledge that it starts empty: addons\.redis-curved-11111\.startEmpty: true/,
        );
        assert.match(e.message, /addons\.redis-curved-11111\.disposition: keep/);
        assert.doesNotMatch(e.message, /pw-/);
        return true;
      },
    );
  });

  it("startEmpty: false is no acknowledgement", () => {
    assert.throws(() => plan({ [REDIS]: { startEmpty: false } }), /would start empty/);
  });

  it("every add-on at fault is listed in one error: the MongoDB one offers startEmpty or keep, and the manual restore", () => {
    assert.throws(
      () =>
        planMigration(redisKeptApp(), settings({ addons: { "redis-kept-55555": { disposition: "keep" } } })),
      (e: Error) => {
        const lines = e.message.split("\n");
        assert.strictEqual(lines[0], "2 add-ons would lose their data silently:");
        assert.match(
          lines[1],
          /^ {2}- addons\.mongolab-old-77777: the in-cluster mongodb .* MONGOLAB_URI points at it, and this program cannot copy mongodb data/,
        );
        assert.match(
          lines[1],
          /mongodump\/mongorestore through a port-forward, docs\/addon-data\.md\): addons\.mongolab-old-77777\.startEmpty: true; or keep it on Heroku: addons\.mongolab-old-77777\.disposition: keep/,
        );
        assert.match(lines[2], /^ {2}- addons\.redistogo-tiny-66666: .*REDISTOGO_URL/);
        assert.strictEqual(lines.length, 3, "the kept Redis is not at fault");
        return true;
      },
    );
  });

  it("startEmpty: true plans the add-on with an empty start, and the report says so", () => {
    const p = plan({ [REDIS]: { startEmpty: true } });
    assert.deepStrictEqual(p.statefulAddons[0].data, { mode: "empty" });
    const report = renderReport(p);
    assert.match(
      report,
      /\| redis-curved-11111 \| heroku-redis \| in-cluster \| starts empty: acknowledged by addons\.redis-curved-11111\.startEmpty/,
    );
  });

  it("copy plans a copy from the billing app's URL through the given address (port defaults to the server's)", () => {
    const p = plan({ [REDIS]: { copy: { host: "127.0.0.1" } } });
    const data = p.statefulAddons[0].data;
    assert.strictEqual(data.mode, "copy");
    if (data.mode !== "copy") return;
    assert.strictEqual(
      reveal(data.sourceUrl),
      "rediss://:pw-redis@ec2-10-0-0-1.compute-1.amazonaws.com:25690",
    );
    assert.deepStrictEqual(
      { ...data, sourceUrl: null },
      {
        mode: "copy",
        sourceUrl: null,
        sourceVar: { app: "shop-api", key: "REDIS_URL" },
        host: "127.0.0.1",
        port: 6379,
        tls: false,
        waitSeconds: null,
        ttlToleranceMs: null,
        importId: null,
        progressFile: null,
      },
    );
    const full = plan({
      [REDIS]: {
        copy: {
          host: "localhost",
          port: 16379,
          tls: true,
          waitSeconds: 30,
          ttlToleranceMs: 100,
          importId: "r1",
          progressFile: "/tmp/p",
        },
      },
    }).statefulAddons[0].data;
    assert.deepStrictEqual(
      full.mode === "copy"
        ? [
            full.host,
            full.port,
            full.tls,
            full.waitSeconds,
            full.ttlToleranceMs,
            full.importId,
            full.progressFile,
          ]
        : [],
      ["localhost", 16379, true, 30, 100, "r1", "/tmp/p"],
    );
    const report = renderReport(p);
    assert.match(
      report,
      /\| redis-curved-11111 \| heroku-redis \| in-cluster \| copied once and verified by the RedisImport during `pulumi up`, from shop-api's REDIS_URL through 127\.0\.0\.1:6379; the apps wait for it \|/,
    );
    assert.match(
      report,
      /\| postgresql-shop-44444 \| heroku-postgresql \| migrate \| copied once and verified by the PostgresImport when `import\.enabled` is true/,
    );
    assert.doesNotMatch(report, /pw-/);
  });

  it("the report says which add-ons stay on Heroku with their data", () => {
    const report = renderReport(
      planMigration(
        redisKeptApp(),
        settings({
          addons: {
            "redis-kept-55555": { disposition: "keep" },
            "redistogo-tiny-66666": { copy: { host: "127.0.0.1", port: 16380 } },
            "mongolab-old-77777": { startEmpty: true },
          },
        }),
      ),
    );
    const section = report.slice(report.indexOf("## Add-on data"), report.indexOf("## Databases to migrate"));
    const rows = section.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| Heroku add-on"));
    assert.deepStrictEqual(
      rows.map((r) => r.split(" | ").slice(0, 3).join(" | ")),
      [
        "| mongolab-old-77777 | mongolab | in-cluster",
        "| redis-kept-55555 | heroku-redis | keep",
        "| redistogo-tiny-66666 | redistogo | in-cluster",
        "| sendgrid-flat-22222 | sendgrid | keep",
      ],
    );
    assert.match(rows[1], /kept on Heroku: the apps keep using it there, nothing is copied/);
    assert.match(rows[2], /through 127\.0\.0\.1:16380/);
  });

  it("a copy planned from a redacted snapshot is not renderable: the error names the variable to re-snapshot", () => {
    const snaps = sharedAddonApps();
    const p = planMigration(
      snaps.map((s) => ({
        ...s,
        configVars: Object.fromEntries(Object.keys(s.configVars).map((k) => [k, SecretString.redacted()])),
      })),
      settings({ addons: { [REDIS]: { copy: { host: "127.0.0.1" } } } }),
    );
    assert.throws(
      () => assertRenderable(p, "apps.json"),
      /add-on redis-curved-11111: REDIS_URL of shop-api \(the copy's source\)/,
    );
  });

  const refused: [string, () => unknown, RegExp][] = [
    [
      "copy of a MongoDB",
      () =>
        planMigration(
          redisKeptApp(),
          settings({
            addons: {
              "redis-kept-55555": { disposition: "keep" },
              "redistogo-tiny-66666": { startEmpty: true },
              "mongolab-old-77777": { copy: { host: "127.0.0.1" } },
            },
          }),
        ),
      /^Error: addons\.mongolab-old-77777\.copy: this program cannot copy mongodb data .*startEmpty: true .*disposition: keep/,
    ],
    [
      "both copy and startEmpty",
      () => plan({ [REDIS]: { startEmpty: true, copy: { host: "127.0.0.1" } } }),
      /^Error: addons\.redis-curved-11111: set either copy .* or startEmpty: true .*not both/,
    ],
    [
      "startEmpty on an add-on kept by default",
      () =>
        planMigration(
          redisKeptApp(),
          settings({
            addons: {
              "redis-kept-55555": { disposition: "keep" },
              "redistogo-tiny-66666": { startEmpty: true },
              "mongolab-old-77777": { startEmpty: true },
              "sendgrid-flat-22222": { startEmpty: true },
            },
          }),
        ),
      /^Error: addons\.sendgrid-flat-22222\.startEmpty: only applies to an add-on run in-cluster \(sendgrid-flat-22222 is keep/,
    ],
    [
      "copy of a Redis no app holds a URL of",
      () => {
        const snaps = sharedAddonApps();
        for (const s of snaps) {
          delete s.configVars.REDIS_URL;
          delete s.configVars.SHOP_REDIS_URL;
        }
        return planMigration(snaps, settings({ addons: { [REDIS]: { copy: { host: "127.0.0.1" } } } }));
      },
      /^Error: addons\.redis-curved-11111\.copy: no app holds a redis URL of redis-curved-11111 to copy from/,
    ],
  ];
  for (const [name, run, message] of refused) {
    it(`refused: ${name}`, () => assert.throws(run, message));
  }
});
