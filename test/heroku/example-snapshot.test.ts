import { strict as assert } from "assert";
import { promises as fs } from "fs";
import {
  parseSnapshotSet,
  readSnapshotFile,
  serializeSnapshotSet,
} from "../../components/heroku/snapshot-file";
import { SecretString } from "../../components/heroku/secret-string";
import { EXAMPLE_DATABASE } from "../support/heroku-double";
import { EXAMPLE_SNAPSHOT_PATH, exampleSnapshotText } from "../support/heroku-double/example-snapshot";
import { snapshotSchemaProblems } from "../support/heroku-double/snapshot-schema-check";

describe("examples/snapshot.json (the dev stack's embedded default)", () => {
  it("is exactly what the reader and writer produce from the double's acme-api (regenerate: see example-snapshot.ts)", async () => {
    const onDisk = await fs.readFile(EXAMPLE_SNAPSHOT_PATH, "utf8");
    assert.equal(onDisk, await exampleSnapshotText());
  });

  it("validates against the Platform API schema definitions it was built from", async () => {
    const set = await readSnapshotFile(EXAMPLE_SNAPSHOT_PATH);
    assert.deepEqual(set.apps.flatMap(snapshotSchemaProblems), []);
  });

  it("the schema check catches a value the API would never serve", async () => {
    const set = await readSnapshotFile(EXAMPLE_SNAPSHOT_PATH);
    const app = set.apps[0];
    app.pipeline = { ...app.pipeline!, stage: "qa" };
    app.formation[0].size = "Standard-3X";
    app.configVars["BAD-KEY"] = SecretString.of("x");
    const problems = snapshotSchemaProblems(app);
    assert.equal(problems.length, 3, problems.join("\n"));
    assert.match(problems.join("\n"), /pipeline\.stage \(pipeline-coupling\/definitions\/stage\)/);
  });

  it("round-trips: file → program input → file gives the same bytes", async () => {
    const text = await fs.readFile(EXAMPLE_SNAPSHOT_PATH, "utf8");
    const set = parseSnapshotSet(text, EXAMPLE_SNAPSHOT_PATH);
    assert.equal(set.redacted, false);
    assert.equal(serializeSnapshotSet(set, { includeSecrets: true }), text);
  });

  it("describes the app the issue asks for", async () => {
    const [s] = (await readSnapshotFile(EXAMPLE_SNAPSHOT_PATH)).apps;
    assert.equal(s.app.name, "acme-api");
    assert.deepEqual(Object.keys(s.slug?.processTypes ?? {}).sort(), ["release", "web", "worker"]);
    assert.deepEqual(
      s.formation.map((f) => `${f.type}:${f.size}x${f.quantity}`),
      ["web:Standard-2Xx2", "worker:Standard-1Xx1"],
    );
    const pg = s.addons.find((a) => a.service === "heroku-postgresql");
    assert.deepEqual(
      pg?.attachments.map((a) => a.name),
      ["DATABASE", "HEROKU_POSTGRESQL_ONYX"],
    );
    assert.match(s.configVars.REDIS_URL.reveal(), /^rediss:\/\//);
    assert.deepEqual(
      s.addons.map((a) => a.service),
      ["papertrail", "heroku-postgresql", "heroku-redis", "scheduler"],
    );
    assert.equal(s.logDrains[0].addon?.name, s.addons[0].name);
    assert.deepEqual(
      s.domains.map((d) => d.kind),
      ["heroku", "custom", "custom"],
    );
    assert.equal(s.features.find((f) => f.name === "preboot")?.enabled, true);
    assert.equal(s.pipeline?.stage, "staging");
    const db = new URL(s.configVars.DATABASE_URL.reveal());
    assert.deepEqual(
      [db.username, db.password, db.hostname, Number(db.port), db.pathname.slice(1)],
      [EXAMPLE_DATABASE.user, EXAMPLE_DATABASE.password, "127.0.0.1", 31432, "acme_source"],
    );
  });
});
