import assert from "assert";
import { planWithEmptyStarts } from "./helpers";
import { snapshotFacts, unaccountedFacts } from "../../components/plan/ledger";
import { multiProcessApp, settings } from "../fixtures/snapshots/fixtures";

describe("ledger", () => {
  it("snapshotFacts lists one fact per Heroku item of the snapshot", () => {
    const [s] = multiProcessApp();
    const facts = snapshotFacts(s).map((f) => `${f.kind}:${f.subject}`);
    const expected = [
      "app:region",
      "app:stack",
      ...["RAILS_ENV", "SECRET_KEY_BASE", "PATH", "PORT", "DATABASE_URL", "PAPERTRAIL_API_TOKEN"].map(
        (k) => `config-var:${k}`,
      ),
      ...["web", "worker", "clock", "release", "console"].map((t) => `process-type:${t}`),
      "addon:postgresql-concave-52656",
      "addon:papertrail-flat-11111",
      "attachment:DATABASE",
      "attachment:PAPERTRAIL",
      "domain:acme-api.herokuapp.com",
      "domain:api.acme.example",
      "domain:www.acme.example",
      "sni-endpoint:tokyo-12345",
      ...s.logDrains.map((d) => `log-drain:${d.id}`),
      "feature:preboot",
      "feature:runtime-dyno-metadata",
      "buildpack:heroku/ruby",
      "pipeline:acme",
      "release:v42",
      `slug:${s.slug!.id}`,
    ];
    assert.deepStrictEqual([...facts].sort(), [...expected].sort());
  });

  it("unaccountedFacts reports a fact whose ledger entry is missing or empty", () => {
    const snapshots = multiProcessApp();
    const plan = planWithEmptyStarts(snapshots, settings());
    assert.deepStrictEqual(unaccountedFacts(snapshots[0], plan), []);
    const without = {
      ...plan,
      ledger: plan.ledger.filter((e) => !(e.kind === "config-var" && e.subject === "PATH")),
    };
    assert.deepStrictEqual(unaccountedFacts(snapshots[0], without), [
      { app: "acme-api", kind: "config-var", subject: "PATH" },
    ]);
    const empty = {
      ...plan,
      ledger: plan.ledger.map((e) =>
        e.kind === "feature" && e.subject === "preboot" ? { ...e, detail: " " } : e,
      ),
    };
    assert.deepStrictEqual(unaccountedFacts(snapshots[0], empty), [
      { app: "acme-api", kind: "feature", subject: "preboot" },
    ]);
  });

  it("a new, unhandled kind of fact in a snapshot shows up as unaccounted", () => {
    const snapshots = multiProcessApp();
    const plan = planWithEmptyStarts(snapshots, settings());
    snapshots[0].features.push({ name: "spaces-dns-discovery", enabled: true, description: null });
    assert.deepStrictEqual(unaccountedFacts(snapshots[0], plan), [
      { app: "acme-api", kind: "feature", subject: "spaces-dns-discovery" },
    ]);
  });
});
