import assert from "assert";
import { addon, app } from "../fixtures/snapshots/builder";
import { settings } from "../fixtures/snapshots/fixtures";
import { planWithEmptyStarts, reveal, revealEntries, warningCodes } from "./helpers";

function pg(billingApp = "a") {
  return addon({ name: "pg-x-1", service: "heroku-postgresql", plan: "standard-0", billingApp });
}

describe("migrated databases", () => {
  it("an add-on billed to an app outside the set: owner app kept, source from the attached app", () => {
    const p = pg("billing-elsewhere");
    const a = app("a").attach(p, "SHARED_DB", { SHARED_DB_URL: "postgres://u:pw-a@h:5432/d" }).build();
    const plan = planWithEmptyStarts([a], settings());
    assert.deepStrictEqual(
      plan.databases.map((d) => [d.ownerApp, reveal(d.sourceUrl), d.attachments]),
      [
        [
          "billing-elsewhere",
          "postgres://u:pw-a@h:5432/d",
          [{ app: "a", attachment: "SHARED_DB", configVar: "SHARED_DB_URL" }],
        ],
      ],
    );
  });

  it("only a credential attachment: it becomes the source, with a warning", () => {
    const a = app("a")
      .attach(
        pg(),
        "ANALYTICS",
        { ANALYTICS_URL: "postgres://ro:pw-ro@h:5432/d" },
        { namespace: "credential:analytics" },
      )
      .build();
    const plan = planWithEmptyStarts([a], settings());
    assert.strictEqual(reveal(plan.databases[0].sourceUrl), "postgres://ro:pw-ro@h:5432/d");
    assert.strictEqual(plan.databases[0].ownerCredential, "pg-x-1-owner", "the owner's password is new");
    assert.deepStrictEqual(warningCodes(plan), [
      "a postgres-credential-collapsed ANALYTICS",
      "a postgres-source-credential ANALYTICS",
    ]);
  });

  it("an attachment whose URL var is missing is warned about; with no URL at all there is no DatabasePlan", () => {
    const a = app("a").attach(pg(), "DATABASE", {}).build();
    const plan = planWithEmptyStarts([a], settings());
    assert.deepStrictEqual(plan.databases, []);
    assert.deepStrictEqual(warningCodes(plan), [
      "a attachment-var-missing DATABASE",
      "a attachment-var-missing pg-x-1",
    ]);
  });

  it("disposition keep leaves DATABASE_URL pointing at Heroku and plans no database", () => {
    const a = app("a").attach(pg(), "DATABASE", { DATABASE_URL: "postgres://u:pw@h:5432/d" }).build();
    const plan = planWithEmptyStarts([a], settings({ addons: { "pg-x-1": { disposition: "keep" } } }));
    assert.deepStrictEqual(plan.databases, []);
    assert.deepStrictEqual(revealEntries(plan.apps[0].secretEntries), [
      ["DATABASE_URL", "pg-x-1/DATABASE/keep", "postgres://u:pw@h:5432/d", false],
    ]);
  });

  it("a redacted snapshot still plans the database: the source stays redacted, the new URL needs no Heroku value", () => {
    const a = app("a")
      .attach(pg(), "DATABASE", { DATABASE_URL: "postgres://u:pw@h:5432/d" })
      .redacted()
      .build();
    const plan = planWithEmptyStarts([a], settings());
    const d = plan.databases[0];
    assert.deepStrictEqual(
      [d.database, d.sourceUrl.isRedacted, d.targetUrl.isRedacted, d.targetUrl.credentials],
      ["pg_x_1", true, false, ["pg-x-1-owner"]],
    );
    assert.deepStrictEqual(warningCodes(plan), ["a redacted-value DATABASE_URL"]);
    assert.deepStrictEqual(
      plan.apps[0].secretEntries.map((e) => [e.key, e.rewritten, e.value.isRedacted]),
      [["DATABASE_URL", true, false]],
    );
  });

  it("a URL without a password is refused, naming app and key", () => {
    const a = app("a").attach(pg(), "DATABASE", { DATABASE_URL: "postgres://u@h:5432/d" }).build();
    assert.throws(
      () => planWithEmptyStarts([a], settings()),
      /^Error: config var DATABASE_URL of app a has no password$/,
    );
  });
});
