import assert from "assert";
import { planMigration } from "../../components/plan/plan";
import { addon, app } from "../fixtures/snapshots/builder";
import { settings } from "../fixtures/snapshots/fixtures";
import { warningCodes } from "./helpers";

/** A Postgres billed to `billing`, attached as DATABASE to each app of `users` (built, in order). */
function sharedPostgres(
  billing: string,
  users: string[],
  attachmentsFrom: "addon" | "app" | "hidden" = "addon",
) {
  const pg = addon({
    name: "postgresql-shared-1",
    service: "heroku-postgresql",
    plan: "standard-0",
    billingApp: billing,
    configVarNames: ["DATABASE_URL"],
    attachmentsFrom,
  });
  return users.map((u) =>
    app(u)
      .process("web", "./web", 1, "Basic")
      .attach(pg, "DATABASE", { DATABASE_URL: `postgres://u:pw-shared@h:5432/d` })
      .build(),
  );
}

describe("who else uses an add-on the stack moves", () => {
  it("a stack planning only the app that attaches another app's Postgres is warned: the whole database moves", () => {
    const [, worker] = sharedPostgres("core", ["core", "worker"]);
    const plan = planMigration([worker], settings());
    assert.deepStrictEqual(
      plan.warnings.filter((w) => w.app === null).map((w) => w.code),
      ["addon-owned-outside-stack"],
    );
    const [w] = plan.warnings.filter((x) => x.code === "addon-owned-outside-stack");
    assert.match(w.message, /postgresql-shared-1 belongs to app core, which this stack does not migrate/);
    assert.match(w.message, /migrates its whole database, and core keeps using Heroku's copy/);
    assert.strictEqual(plan.databases.length, 1, "still planned: the warning says what it means");
    assert.strictEqual(plan.ledger.find((e) => e.app === "worker" && e.kind === "addon")?.outcome, "warned");
  });

  it("an owned Postgres also attached to apps outside the stack: a warning naming each app and attachment", () => {
    const [core] = sharedPostgres("core", ["core", "worker", "reports"]);
    const plan = planMigration([core], settings());
    const [w] = plan.warnings.filter((x) => x.code === "addon-used-outside-stack");
    assert.match(w.message, /also attached to reports \(DATABASE\), worker \(DATABASE\), outside this stack/);
    assert.match(w.message, /they keep using Heroku's copy of the database/);
    assert.ok(!plan.warnings.some((x) => x.code === "addon-owned-outside-stack"));
  });

  it("every user of the add-on in the stack: no warning", () => {
    const apps = sharedPostgres("core", ["core", "worker"]);
    const plan = planMigration(apps, settings());
    assert.ok(!plan.warnings.some((w) => /outside-stack|hidden/.test(w.code)), warningCodes(plan).join("\n"));
  });

  it("a migrated Postgres whose attachment list the API refused is a clear error naming the add-on and the ways out", () => {
    const [core] = sharedPostgres("core", ["core"], "hidden");
    assert.throws(
      () => planMigration([core], settings()),
      /^Error: addons\.postgresql-shared-1: cannot plan the migration of postgresql-shared-1: the Heroku API refused to list its attachments to this token .*apps outside this stack that still use the database cannot be named.*Read it with a token that can see its owning app core, or keep it on Heroku with addons\.postgresql-shared-1\.disposition: keep\.$/s,
    );
    // Kept on Heroku, it needs no list.
    const kept = planMigration(
      [core],
      settings({ addons: { "postgresql-shared-1": { disposition: "keep" } } }),
    );
    assert.deepStrictEqual(kept.databases, []);
  });

  it("an in-cluster Redis whose attachment list the API refused is a warning naming the add-on", () => {
    const redis = addon({
      name: "redis-hidden-1",
      service: "heroku-redis",
      plan: "premium-0",
      billingApp: "other-team-app",
      configVarNames: ["REDIS_URL"],
      attachmentsFrom: "hidden",
    });
    const a = app("a").attach(redis, "REDIS", { REDIS_URL: "redis://:pw@h:6379" }).build();
    const plan = planMigration([a], settings({ addons: { "redis-hidden-1": { startEmpty: true } } }));
    assert.deepStrictEqual(
      plan.warnings
        .filter((w) => w.app === null && w.code !== "addon-image-placeholder")
        .map((w) => [w.code, w.subject]),
      [
        ["addon-attachments-hidden", "redis-hidden-1"],
        ["addon-owned-outside-stack", "redis-hidden-1"],
      ],
    );
    const hidden = plan.warnings.find((w) => w.code === "addon-attachments-hidden");
    assert.match(
      hidden?.message ?? "",
      /redis-hidden-1 moves in-cluster, but the Heroku API refused to list its attachments/,
    );
    assert.match(hidden?.message ?? "", /heroku addons:info redis-hidden-1/);
  });

  it("the best view wins: one app's snapshot saw the add-on's whole list, another's was refused", () => {
    const pg = addon({
      name: "pg-2",
      service: "heroku-postgresql",
      plan: "standard-0",
      billingApp: "a",
      configVarNames: ["DATABASE_URL"],
    });
    const hiddenView = { ...pg, attachmentsFrom: "hidden" as const, attachments: [] };
    const a = app("a").attach(pg, "DATABASE", { DATABASE_URL: "postgres://u:pw@h:5432/d" }).build();
    const b = app("b").attach(hiddenView, "DATABASE", { DATABASE_URL: "postgres://u:pw@h:5432/d" }).build();
    const plan = planMigration([b, a], settings());
    assert.strictEqual(plan.databases.length, 1);
    assert.ok(!plan.warnings.some((w) => /hidden|outside-stack/.test(w.code)), warningCodes(plan).join("\n"));
  });
});
