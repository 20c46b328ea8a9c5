import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { freezeApps, FreezeError, FreezeSettings } from "../../components/cutover/freeze";
import { formatFormation, FreezeRecord } from "../../components/cutover/freeze-record";
import { readJournal, saveRecord } from "../../components/cutover/journal";
import { applyRollback, describeRollbackPlan, planRollback } from "../../components/cutover/rollback";
import { postgresSessionProbe } from "../../components/cutover/source-sessions";
import { formatStatus, readNow } from "../../components/cutover/status";
import { HerokuPlatformApi } from "../../components/heroku/platform-api";
import { startHerokuDouble } from "../support/heroku-double";
import type { HerokuDouble } from "../support/heroku-double";
import { engineFixture, EngineFixture } from "../support/postgres/clusters";
import { testClient } from "../heroku/support";
import { cutoverFixtures, ORIGINAL, PG_ADDON, SHARING_APP, SHARING_APP_SCALING_FAILS } from "./support";

const USER = "u_acme_freeze";
const PASSWORD = "fake-pw-freeze-test-7c1d";
const WRITE_LESS_TOKEN = "HRKU-fake-test-token-0003-no-write-scope";

describe("cutover freeze and rollback against the Heroku API double (real PostgreSQL for sessions)", function () {
  this.timeout(120_000);
  let fx: EngineFixture;
  let url: string;
  let double: HerokuDouble;
  let dir: string;
  let journal: string;
  const logs: string[] = [];
  const clients: Client[] = [];

  before(async () => {
    fx = await engineFixture();
    fx.source.psql(`CREATE ROLE ${USER} LOGIN PASSWORD '${PASSWORD}'`);
    fx.source.createDatabase("freeze_src", USER);
    url = fx.source.url("freeze_src", USER, PASSWORD);
  });

  beforeEach(async () => {
    const f = cutoverFixtures(url);
    f.tokens[WRITE_LESS_TOKEN] = { scopes: ["read", "read-protected"] };
    double = await startHerokuDouble(f);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "h2h-freeze-"));
    journal = path.join(dir, "cutover-test.json");
    logs.length = 0;
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
    fs.rmSync(dir, { recursive: true, force: true });
    await double.close(); // rejects on any schema-invalid response or request body
  });

  const settings = (over: Partial<FreezeSettings> = {}): FreezeSettings => ({
    stack: "cutover-test",
    addons: [PG_ADDON],
    drainTimeoutSeconds: 5,
    terminateSessions: false,
    apiUrl: double.url,
    pollSeconds: 0.2,
    ...over,
  });
  const env = (token?: string) => {
    const { client } = testClient(double, token ? { token } : {});
    return {
      api: new HerokuPlatformApi(client),
      sessions: postgresSessionProbe,
      save: (r: FreezeRecord) => saveRecord(journal, r),
      log: (l: string) => logs.push(l),
    };
  };
  const api = () => new HerokuPlatformApi(testClient(double).client);
  const formationOf = (app: string) =>
    formatFormation(
      double
        .app(app)
        .formation.map((f) => ({
          type: f.type as string,
          quantity: f.quantity as number,
          size: f.size as string,
        }))
        .sort((a, b) => a.type.localeCompare(b.type)),
    );
  const writes = () =>
    double.requests.filter((r) => r.method === "PATCH").map((r) => `${r.path} ${JSON.stringify(r.body)}`);
  /** A client of the apps' credentials, as a dyno or a console would hold one. */
  async function appSession(application: string): Promise<Client> {
    const c = new Client({
      connectionString: url.replace("sslmode=require", "sslmode=no-verify"),
      application_name: application,
    });
    c.on("error", () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  }

  it("freezes every app attached to the database, the one sharing it from outside included: records, then maintenance on and every process type to 0", async () => {
    let journalAtFirstWrite: FreezeRecord[] | undefined;
    double.onRequest((r) => {
      if (r.method === "PATCH" && !journalAtFirstWrite) journalAtFirstWrite = readJournal(journal);
    });
    const record = await freezeApps(settings(), env(), null);

    assert.equal(record.status, "frozen");
    assert.deepEqual(record.databases, [{ addon: PG_ADDON, apps: ["acme-api", SHARING_APP] }]);
    assert.deepEqual(
      record.apps.map((a) => [
        a.app,
        a.previous.maintenance,
        formatFormation(a.previous.formation),
        a.frozenAt !== null,
      ]),
      [
        ["acme-api", false, ORIGINAL["acme-api"], true],
        [SHARING_APP, false, ORIGINAL[SHARING_APP], true],
      ],
    );
    // On Heroku: maintenance on, everything at 0, sizes untouched.
    for (const app of ["acme-api", SHARING_APP]) assert.equal(double.app(app).app.maintenance, true);
    assert.equal(formationOf("acme-api"), "web=0:Standard-2X worker=0:Standard-1X");
    assert.equal(formationOf(SHARING_APP), "clock=0:Standard-1X web=0:Basic");
    // Maintenance first, then the formation, app by app; bodies the schema accepts.
    assert.deepEqual(writes(), [
      '/apps/acme-api {"maintenance":true}',
      '/apps/acme-api/formation {"updates":[{"type":"web","quantity":0},{"type":"worker","quantity":0}]}',
      `/apps/${SHARING_APP} {"maintenance":true}`,
      `/apps/${SHARING_APP}/formation {"updates":[{"type":"clock","quantity":0},{"type":"web","quantity":0}]}`,
    ]);
    assert.deepEqual(double.requestViolations, []);
    // The record was on disk, complete, before Heroku was touched.
    assert.equal(journalAtFirstWrite?.length, 1);
    assert.equal(journalAtFirstWrite?.[0].status, "recording");
    assert.deepEqual(
      journalAtFirstWrite?.[0].apps.map((a) => formatFormation(a.previous.formation)),
      [ORIGINAL["acme-api"], ORIGINAL[SHARING_APP]],
    );
    assert.deepEqual(readJournal(journal)[0], record);
    assert.match(record.warnings.join("\n"), /acme-api has Heroku Scheduler: its jobs run as one-off dynos/);
    assert.equal(record.drain?.lingering.length, 0);
  });

  it("a 429 and 503s mid-freeze are retried within bounds, and the freeze completes", async () => {
    double.injectFault({ path: "/apps/acme-api", method: "PATCH", kind: "status", status: 429 });
    double.injectFault({
      path: `/apps/${SHARING_APP}/formation`,
      method: "PATCH",
      kind: "status",
      status: 503,
      times: 2,
    });
    const record = await freezeApps(settings(), env(), null);
    assert.equal(record.status, "frozen");
    assert.equal(formationOf(SHARING_APP), "clock=0:Standard-1X web=0:Basic");
    const statuses = double.requests.filter((r) => r.method === "PATCH").map((r) => `${r.path} ${r.status}`);
    assert.deepEqual(statuses, [
      "/apps/acme-api 429",
      "/apps/acme-api 200",
      "/apps/acme-api/formation 200",
      `/apps/${SHARING_APP} 200`,
      `/apps/${SHARING_APP}/formation 503`,
      `/apps/${SHARING_APP}/formation 503`,
      `/apps/${SHARING_APP}/formation 200`,
    ]);
  });

  it("a partial freeze names exactly which apps are frozen and which not, and a retry finishes it keeping the states recorded first", async () => {
    // Every attempt of the client's retry policy fails on the second app's scaling.
    double.injectFault(SHARING_APP_SCALING_FAILS);
    const e = await freezeApps(settings(), env(), null).then(
      () => assert.fail("the freeze must fail"),
      (err: unknown) => err as FreezeError,
    );
    assert.ok(e instanceof FreezeError, String(e));
    assert.match(e.message, /^Heroku freeze of stack cutover-test is partial, so the import does not start:/);
    assert.match(e.message, /frozen \(maintenance on, every process type at 0\): acme-api\n/);
    assert.match(
      e.message,
      /partly frozen: acme-reports \(maintenance on, NOT scaled to 0\): Heroku API kept failing changing formation of app "acme-reports" \(503 internal_server_error\) after 6 attempts/,
    );
    assert.match(e.message, /npm run cutover -- rollback --stack cutover-test/);
    assert.equal(e.record.status, "partial");
    assert.equal(readJournal(journal)[0].status, "partial");
    assert.equal(formationOf(SHARING_APP), ORIGINAL[SHARING_APP], "still running");

    const record = await freezeApps(settings(), env(), e.record, readJournal(journal));
    assert.equal(record.status, "frozen");
    assert.equal(record.freezeId, e.record.freezeId);
    assert.deepEqual(
      record.apps.map((a) => [a.app, a.previous.maintenance, formatFormation(a.previous.formation)]),
      [
        ["acme-api", false, ORIGINAL["acme-api"]],
        [SHARING_APP, false, ORIGINAL[SHARING_APP]],
      ],
      "the half-frozen state was not recorded as the previous one",
    );
    // The retry only did what was left.
    assert.deepEqual(writes().slice(-1), [
      `/apps/${SHARING_APP}/formation {"updates":[{"type":"clock","quantity":0},{"type":"web","quantity":0}]}`,
    ]);
    assert.equal(readJournal(journal).length, 1);
  });

  it("a token without the write scope freezes nothing and says which scope it needs", async () => {
    const e = await freezeApps(settings(), env(WRITE_LESS_TOKEN), null).then(
      () => assert.fail("the freeze must fail"),
      (err: unknown) => err as FreezeError,
    );
    assert.match(
      e.message,
      /NOT frozen: acme-api: Heroku API refused to change maintenance mode of app "acme-api" \(403 forbidden\): the token lacks the write scope/,
    );
    assert.match(e.message, /NOT frozen: acme-reports \(not attempted\)/);
    assert.equal(double.app("acme-api").app.maintenance, false);
  });

  it("Heroku rotating the credential mid-freeze: the session check reads it again and follows it", async () => {
    const rotated = fx.source.url("freeze_src", USER, "fake-pw-rotated-mid-freeze-2d4f");
    double.onRequest((r) => {
      if (r.method !== "PATCH" || r.path !== "/apps/acme-api") return;
      fx.source.psql(`ALTER ROLE ${USER} PASSWORD 'fake-pw-rotated-mid-freeze-2d4f'`);
      for (const [app, key] of [
        ["acme-api", "DATABASE_URL"],
        ["acme-api", "HEROKU_POSTGRESQL_ONYX_URL"],
        [SHARING_APP, "ACME_DB_URL"],
      ])
        double.setConfigVar(app, key, rotated);
    });
    try {
      const record = await freezeApps(settings(), env(), null);
      assert.equal(record.status, "frozen");
    } finally {
      fx.source.psql(`ALTER ROLE ${USER} PASSWORD '${PASSWORD}'`);
    }
  });

  it("waits for the apps' other database sessions to end, and lets a session that leaves in time go", async () => {
    const c = await appSession("acme-worker");
    setTimeout(() => void c.end(), 1500);
    const record = await freezeApps(settings({ drainTimeoutSeconds: 20 }), env(), null);
    assert.equal(record.status, "frozen");
    assert.ok(record.drain!.waitedSeconds >= 1, `waited ${record.drain!.waitedSeconds} s`);
  });

  it("a session still connected after the bound fails the freeze naming it and the one-off dyno still running; the apps stay frozen", async () => {
    await appSession("acme-console");
    double.startOneOffDyno("acme-api", "run.7301", "bin/console");
    const started = Date.now();
    const e = await freezeApps(settings({ drainTimeoutSeconds: 2 }), env(), null).then(
      () => assert.fail("the freeze must fail"),
      (err: unknown) => err as FreezeError,
    );
    assert.ok(Date.now() - started < 15_000, "bounded");
    assert.match(
      e.message,
      /are frozen, but 1 other session\(s\) of their database credentials were still connected after 2 s/,
    );
    assert.match(e.message, new RegExp(`${PG_ADDON}: pid \\d+ user ${USER} application "acme-console"`));
    assert.match(
      e.message,
      /One-off dynos still running \(scaling does not stop them\): acme-api run\.7301 \(bin\/console\)/,
    );
    assert.equal(e.record.status, "not-drained");
    assert.ok(e.record.apps.every((a) => a.maintenanceOn && a.scaledDown));
  });

  it("terminateSessions ends the sessions still connected after the bound", async () => {
    await appSession("acme-console");
    const record = await freezeApps(
      settings({ drainTimeoutSeconds: 1, terminateSessions: true }),
      env(),
      null,
    );
    assert.equal(record.status, "frozen");
    assert.equal(record.drain?.terminated, 1);
    assert.match(logs.join("\n"), /ended 1 session\(s\) still connected after 1 s/);
  });

  it("rollback restores each app's maintenance flag and formation as recorded (sizes too), formation before maintenance", async () => {
    const record = await freezeApps(settings(), env(), null);
    // Changed by hand during the freeze: a size.
    const web = double.app("acme-api").formation.find((f) => f.type === "web")!;
    web.size = "Performance-M";
    web.dyno_size = { id: (web.dyno_size as { id: string }).id, name: "Performance-M" };
    const before = double.requests.length;

    const plans = await planRollback(api(), record);
    assert.match(
      describeRollbackPlan(plans),
      /acme-api: scale web=0:Performance-M → web=2:Standard-2X, worker=0:Standard-1X → worker=1:Standard-1X; maintenance off/,
    );
    const outcome = await applyRollback(api(), record, plans, (r) => saveRecord(journal, r));
    assert.equal(outcome.complete, true, outcome.lines.join("\n"));
    assert.equal(formationOf("acme-api"), ORIGINAL["acme-api"]);
    assert.equal(formationOf(SHARING_APP), ORIGINAL[SHARING_APP]);
    for (const app of ["acme-api", SHARING_APP]) assert.equal(double.app(app).app.maintenance, false);
    assert.deepEqual(
      double.requests
        .slice(before)
        .filter((r) => r.method === "PATCH")
        .map((r) => `${r.path} ${JSON.stringify(r.body)}`),
      [
        '/apps/acme-api/formation {"updates":[{"type":"web","quantity":2,"dyno_size":{"name":"Standard-2X"}},{"type":"worker","quantity":1}]}',
        '/apps/acme-api {"maintenance":false}',
        `/apps/${SHARING_APP}/formation {"updates":[{"type":"clock","quantity":1},{"type":"web","quantity":1}]}`,
        `/apps/${SHARING_APP} {"maintenance":false}`,
      ],
    );
    const saved = readJournal(journal)[0];
    assert.equal(saved.status, "rolled-back");
    assert.ok(saved.rolledBackAt);
    assert.match(
      formatStatus(saved, await readNow(api(), saved), "the journal"),
      /App acme-api:\n {2}now: {7}maintenance off, web=2:Standard-2X worker=1:Standard-1X {2}→ restored/,
    );
    // A second rollback has nothing left to do.
    const again = await planRollback(api(), saved);
    assert.ok(again.every((p) => p.formation.length === 0 && p.maintenance === null));
  });

  it("rollback names what it cannot restore (a process type removed since) and restores the rest: incomplete, not silent", async () => {
    const record = await freezeApps(settings(), env(), null);
    const status = formatStatus(record, await readNow(api(), record), "the journal");
    assert.match(
      status,
      /App acme-api:\n {2}now: {7}maintenance on, web=0:Standard-2X worker=0:Standard-1X {2}→ frozen\n {2}recorded: {2}maintenance off, web=2:Standard-2X worker=1:Standard-1X/,
    );
    const a = double.app("acme-api");
    a.formation = a.formation.filter((f) => f.type !== "worker");
    const plans = await planRollback(api(), record);
    const outcome = await applyRollback(api(), record, plans, (r) => saveRecord(journal, r));
    assert.equal(outcome.complete, false);
    assert.match(
      outcome.lines.join("\n"),
      /acme-api: NOT fully restored: process type worker \(recorded worker=1:Standard-1X\) no longer exists: deploy it, then heroku ps:scale worker=1:Standard-1X -a acme-api/,
    );
    assert.equal(formationOf("acme-api"), "web=2:Standard-2X");
    assert.equal(double.app("acme-api").app.maintenance, false);
    assert.equal(readJournal(journal)[0].status, "partly-rolled-back");
  });
});
