import assert from "assert";
import { addon, app } from "../fixtures/snapshots/builder";
import { settings } from "../fixtures/snapshots/fixtures";
import { planWithEmptyStarts, revealEntries } from "./helpers";

describe("app Secret entries", () => {
  const plan = () =>
    planWithEmptyStarts(
      [
        app("acme-api")
          .process("web", "npm start", 1, "Standard-1X")
          .vars({
            GOOD_KEY: "1",
            "feature-flag.x": "2",
            "bad key": "s3cr3t-three",
            über: "s3cr3t-four",
            PATH: "/x",
          })
          .build(),
      ],
      settings(),
    );

  it("leaves out keys Kubernetes refuses as Secret keys, warning by key, never by value", () => {
    const p = plan();
    assert.deepStrictEqual(
      revealEntries(p.apps[0].secretEntries).map(([key]) => key),
      ["GOOD_KEY", "feature-flag.x"],
    );
    const bad = p.warnings.filter((w) => w.code === "config-var-bad-key");
    assert.deepStrictEqual(
      bad.map((w) => w.subject),
      ["bad key", "über"],
    );
    for (const w of bad) assert.doesNotMatch(w.message, /s3cr3t/);
    const ledger = p.ledger.filter((l) => l.kind === "config-var" && l.subject === "bad key");
    assert.deepStrictEqual(
      ledger.map((l) => l.outcome),
      ["warned"],
    );
  });

  it("warns that a user-set PATH or HOME is not copied (the dyno had it), never echoing its value", () => {
    const p = planWithEmptyStarts(
      [
        app("acme-api")
          .process("web", "npm start", 1, "Standard-1X")
          .vars({
            PATH: "/app/s3cr3t-bin:/usr/bin",
            HOME: "/s3cr3t-home",
            PORT: "3000",
            DYNO: "web.9",
            OK: "1",
          })
          .build(),
      ],
      settings(),
    );
    assert.deepStrictEqual(
      revealEntries(p.apps[0].secretEntries).map(([key]) => key),
      ["OK"],
    );
    const dropped = p.warnings.filter((w) => w.code === "runtime-var-not-copied");
    assert.deepStrictEqual(
      dropped.map((w) => [w.app, w.subject]),
      [
        ["acme-api", "HOME"],
        ["acme-api", "PATH"],
      ],
    );
    for (const w of dropped) {
      assert.match(w.message, /dyno manager itself sets only PORT and DYNO/);
      assert.doesNotMatch(w.message, /s3cr3t/);
    }
    const outcome = (key: string) =>
      p.ledger.find((l) => l.kind === "config-var" && l.subject === key)?.outcome;
    // PORT and DYNO are the dyno manager's on Heroku too: the pod sets its own, nothing to warn.
    assert.deepStrictEqual(["PATH", "HOME", "PORT", "DYNO"].map(outcome), [
      "warned",
      "warned",
      "not-needed",
      "not-needed",
    ]);
  });

  it("keeps a valid Secret key that is no env var name, warning that old clusters skip it", () => {
    const p = plan();
    assert.deepStrictEqual(
      p.warnings.filter((w) => w.code === "config-var-not-env-name").map((w) => w.subject),
      ["feature-flag.x"],
    );
    assert.ok(!p.warnings.some((w) => w.subject === "GOOD_KEY"));
  });

  it("warns about a user var that copies the URL of a moved add-on (it would still point at Heroku)", () => {
    const pg = addon({
      name: "pg-1",
      service: "heroku-postgresql",
      plan: "standard-0",
      billingApp: "acme-api",
    });
    const url = "postgres://u:s3cr3t-pg@ec2-1.compute.example:5432/d1";
    const p = planWithEmptyStarts(
      [
        app("acme-api")
          .process("web", "npm start", 1, "Standard-1X")
          .attach(pg, "DATABASE", { DATABASE_URL: url })
          .vars({ REPORTING_DB_URL: url, OTHER_URL: "postgres://u:x@elsewhere.example/d", FLAG: "on" })
          .build(),
      ],
      settings(),
    );
    const copies = p.warnings.filter((w) => w.code === "user-var-copies-addon-url");
    assert.deepStrictEqual(
      copies.map((w) => [w.app, w.subject]),
      [["acme-api", "REPORTING_DB_URL"]],
    );
    assert.match(copies[0].message, /same URL as DATABASE_URL of pg-1 \(migrate\)/);
    assert.doesNotMatch(copies[0].message, /s3cr3t/);
    const entries = revealEntries(p.apps[0].secretEntries);
    assert.deepStrictEqual(
      entries.find(([key]) => key === "REPORTING_DB_URL"),
      ["REPORTING_DB_URL", "user", url, false],
      "carried as it is: only the user can say where it should point",
    );
  });
});
