/**
 * The HerokuFreeze provider and PostgresImport's cutover inputs, serialized and served by a plain
 * node process exactly as under `pulumi up` (test/support/dynamic-provider-host), against the
 * Heroku API double and real PostgreSQL.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  diffFreeze,
  herokuFreezeProvider,
  HerokuFreezeOutputs,
} from "../../components/cutover/heroku-freeze-provider";
import { readJournal } from "../../components/cutover/journal";
import { postgresImportProvider } from "../../components/data/postgres-import-provider";
import { DynamicProviderHost, Props } from "../support/dynamic-provider-host";
import { FULL_TOKEN, startHerokuDouble } from "../support/heroku-double";
import type { HerokuDouble } from "../support/heroku-double";
import { engineFixture, EngineFixture, query } from "../support/postgres/clusters";
import { cutoverFixtures, formationOf, freezeInputs, ORIGINAL, PG_ADDON, SHARING_APP } from "./support";

const USER = "u_acme_prov";
const PW1 = "fake-pw-before-rotation-41ac";
const PW2 = "fake-pw-after-rotation-93be";

describe("cutover providers, serialized, against the Heroku API double and real PostgreSQL", function () {
  this.timeout(180_000);
  let fx: EngineFixture;
  let double: HerokuDouble;
  let freezeHost: DynamicProviderHost;
  let importHost: DynamicProviderHost;
  let dir: string;
  let url: (pw: string) => string;

  before(async () => {
    fx = await engineFixture();
    fx.source.psql(`CREATE ROLE ${USER} LOGIN PASSWORD '${PW1}'`);
    fx.source.createDatabase("prov_src", USER);
    fx.source.psql(
      `SET ROLE ${USER}; CREATE TABLE notes (id int PRIMARY KEY, body text);
       INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 2000) g;`,
      "prov_src",
    );
    url = (pw) => fx.source.url("prov_src", USER, pw);
    double = await startHerokuDouble(cutoverFixtures(url(PW1)));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "h2h-providers-"));
    freezeHost = await DynamicProviderHost.serve(herokuFreezeProvider);
    importHost = await DynamicProviderHost.serve(postgresImportProvider);
  });

  after(async () => {
    freezeHost?.stop();
    importHost?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    await double?.close();
  });

  const writes = () => double.requests.filter((r) => r.method === "PATCH").length;
  const formation = (app: string) => formationOf(double, app);

  it("diff: settings update in place, an unfinished freeze or a new database is a change, nothing replaces", () => {
    const olds = {
      ...freezeInputs("u", "d"),
      token: undefined,
      status: "frozen",
    } as unknown as HerokuFreezeOutputs;
    assert.deepEqual(diffFreeze(olds, freezeInputs("u", "d", { token: "rotated" })), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    assert.equal(diffFreeze({ ...olds, status: "partial" }, freezeInputs("u", "d")).changes, true);
    assert.equal(diffFreeze(olds, freezeInputs("u", "d", { addons: [PG_ADDON, "pg-2"] })).changes, true);
    assert.deepEqual(diffFreeze(olds, freezeInputs("u", "d", { drainTimeoutSeconds: 60 })).replaces, []);
  });

  let frozen: { id: string; outs: Props };

  it("a partial create fails, naming the apps, and the journal keeps exactly what is frozen", async () => {
    const partialDir = path.join(dir, "partial");
    double.injectFault({
      path: `/apps/${SHARING_APP}`,
      method: "PATCH",
      kind: "status",
      status: 503,
      times: 6,
    });
    const inputs = freezeInputs(double.url, partialDir);
    const e = await freezeHost.create(inputs).then(
      () => assert.fail("the freeze must fail"),
      (err: Error) => err,
    );
    assert.match(e.message, /Heroku freeze of stack cutover-test is partial, so the import does not start/);
    assert.match(e.message, /frozen \(maintenance on, every process type at 0\): acme-api/);
    assert.match(
      e.message,
      /NOT frozen: acme-reports: Heroku API kept failing changing maintenance mode of app "acme-reports"/,
    );
    const [record] = readJournal(path.join(partialDir, "cutover-test.json"));
    assert.equal(record.status, "partial");

    // The next `up` updates the resource the engine kept (outputs as the error carried them).
    const olds = {
      ...Object.fromEntries(Object.entries(inputs).filter(([k]) => k !== "token")),
      freezeId: record.freezeId,
      status: record.status,
      apps: record.apps.map((a) => a.app),
      record,
      journal: path.join(partialDir, "cutover-test.json"),
    };
    assert.equal((await freezeHost.diff(record.freezeId, olds, inputs)).changes, "some");
    const outs = await freezeHost.update(record.freezeId, olds, inputs);
    assert.equal(outs.status, "frozen");
    assert.equal(outs.freezeId, record.freezeId);
    const kept = (outs.record as { apps: { app: string; previous: { formation: unknown[] } }[] }).apps;
    assert.deepEqual(
      kept.map((a) => a.app),
      ["acme-api", SHARING_APP],
    );
    assert.equal(formation("acme-api"), "web=0:Standard-2X worker=0:Standard-1X");
    frozen = { id: record.freezeId, outs };
  });

  it("create and update never keep the token in outputs, and the provider's code carries none", () => {
    assert.ok(!JSON.stringify(frozen.outs).includes(FULL_TOKEN));
    assert.ok(!("token" in frozen.outs));
    assert.ok(!freezeHost.providerText.includes(FULL_TOKEN));
  });

  it("the import under that freeze reads the rotated source URL at copy time and proves the source quiet", async () => {
    // Heroku rotated the credential after the program read it: the planned URL no longer works.
    fx.source.psql(`ALTER ROLE ${USER} PASSWORD '${PW2}'`);
    double.setConfigVar("acme-api", "DATABASE_URL", url(PW2));
    const target = fx.newTarget("prov");
    const inputs = {
      sourceUrl: url(PW1),
      targetUrl: target,
      jobs: 2,
      sourceFrom: { app: "acme-api", configVar: "DATABASE_URL", token: FULL_TOKEN, apiUrl: double.url },
      freeze: {
        freezeId: frozen.id,
        apps: ["acme-api", SHARING_APP],
        urn: "urn:pulumi:test::p::h:HerokuFreeze::cutover-freeze",
      },
    };
    const checked = await importHost.check({}, inputs);
    assert.deepEqual(checked.failures, []);
    const created = await importHost.create(checked.inputs);
    assert.equal(created.outs.rows, 2000);
    assert.equal(created.outs.sourceUrl, url(PW2), "the URL it copied from is recorded");
    assert.deepEqual(created.outs.sourceFrom, {
      app: "acme-api",
      configVar: "DATABASE_URL",
      apiUrl: double.url,
    });
    const activity = created.outs.sourceActivity as { frozen: boolean; changed: unknown[] };
    assert.equal(activity.frozen, true);
    assert.deepEqual(activity.changed, []);
    assert.match(
      importHost.stderr,
      /source URL read from config var DATABASE_URL of Heroku app acme-api now \(it changed since the program read it: credentials rotated\)/,
    );
    assert.ok(
      ![PW1, PW2, FULL_TOKEN].some(
        (s) =>
          importHost.stderr.includes(s) ||
          JSON.stringify({ ...created.outs, sourceUrl: "", targetUrl: "" }).includes(s),
      ),
    );
    const [{ n }] = await query<{ n: string }>(target, "SELECT count(*) AS n FROM notes");
    assert.equal(n, "2000");
    // A rotated token, or the freeze's record changing, never re-imports.
    const d = await importHost.diff(created.id, created.outs, {
      ...inputs,
      sourceUrl: url(PW2),
      sourceFrom: { ...inputs.sourceFrom, token: "other" },
    });
    assert.equal(d.changes, "none");
  });

  it("delete never unfreezes: no call to Heroku, the record stays in the journal, the restore commands are printed", async () => {
    const before = writes();
    await freezeHost.delete(frozen.id, frozen.outs);
    assert.equal(writes(), before, "no PATCH");
    assert.equal(double.app("acme-api").app.maintenance, true);
    const [record] = readJournal(frozen.outs.journal as string);
    assert.ok(record.resourceDeletedAt);
    assert.match(
      freezeHost.stderr,
      /deleted from the stack, and the Heroku apps were NOT unfrozen: acme-api, acme-reports stay as they are/,
    );
    assert.match(freezeHost.stderr, /heroku ps:scale web=2:Standard-2X worker=1:Standard-1X -a acme-api/);
    assert.match(freezeHost.stderr, /heroku maintenance:off -a acme-reports/);
    assert.match(freezeHost.stderr, /npm run cutover -- rollback --stack cutover-test/);
    assert.equal(ORIGINAL["acme-api"], "web=2:Standard-2X worker=1:Standard-1X");
  });

  it("an import under a freeze that no longer holds refuses to copy, naming the thawed apps and the re-freeze", async () => {
    const a = double.app(SHARING_APP);
    a.app.maintenance = false;
    a.formation[0].quantity = 1;
    const target = fx.newTarget("thawed");
    const e = await importHost
      .create({
        sourceUrl: url(PW2),
        targetUrl: target,
        sourceFrom: { app: "acme-api", configVar: "DATABASE_URL", token: FULL_TOKEN, apiUrl: double.url },
        freeze: {
          freezeId: frozen.id,
          apps: ["acme-api", SHARING_APP],
          urn: "urn:x::HerokuFreeze::cutover-freeze",
        },
      })
      .then(
        () => assert.fail("the import must not run"),
        (err: Error) => err,
      );
    assert.match(
      e.message,
      /the Heroku freeze .* no longer holds: acme-reports \(maintenance off, running clock=1\)/,
    );
    assert.match(e.message, /pulumi up --replace 'urn:x::HerokuFreeze::cutover-freeze'/);
    const tables = await query<{ n: string }>(
      target,
      "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'",
    );
    assert.equal(tables[0].n, "0", "nothing was copied");
  });
});
