/**
 * `npm run cutover -- status|rollback` as real processes, against the Heroku API double, reading a
 * freeze journal written by a real freeze (and no Pulumi state: `--no-state`; the end-to-end suite
 * covers reading the state).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freezeApps } from "../../components/cutover/freeze";
import { FreezeRecord } from "../../components/cutover/freeze-record";
import { readJournal, saveRecord } from "../../components/cutover/journal";
import { postgresSessionProbe } from "../../components/cutover/source-sessions";
import { HerokuPlatformApi } from "../../components/heroku/platform-api";
import { FULL_TOKEN, startHerokuDouble } from "../support/heroku-double";
import type { HerokuDouble } from "../support/heroku-double";
import { npmRun, type Run } from "../support/npm-run";
import { engineFixture } from "../support/postgres/clusters";
import { testClient } from "../heroku/support";
import { cutoverFixtures, formationOf, ORIGINAL, PG_ADDON, SHARING_APP } from "./support";

/** `npm run cutover -- …` in the repository (the double answers from this process). */
function cutover(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return npmRun("cutover", args, {
    env: { ...process.env, HEROKU_API_KEY: FULL_TOKEN, ...opts.env },
    input: opts.input,
  });
}

describe("npm run cutover -- status|rollback (real processes, Heroku API double)", function () {
  this.timeout(180_000);
  let double: HerokuDouble;
  let dir: string;
  let journal: string;
  const stack = "cutover-test";

  before(async () => {
    const fx = await engineFixture();
    fx.source.psql("CREATE ROLE u_acme_cli LOGIN PASSWORD 'fake-pw-cli-0b7e'");
    fx.source.createDatabase("cli_src", "u_acme_cli");
    double = await startHerokuDouble(
      cutoverFixtures(fx.source.url("cli_src", "u_acme_cli", "fake-pw-cli-0b7e")),
    );
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "h2h-cli-"));
    journal = path.join(dir, `${stack}.json`);
    await freezeApps(
      { stack, addons: [PG_ADDON], drainTimeoutSeconds: 5, terminateSessions: false, apiUrl: double.url },
      {
        api: new HerokuPlatformApi(testClient(double).client),
        sessions: postgresSessionProbe,
        save: (r: FreezeRecord) => saveRecord(journal, r),
        log: () => undefined,
      },
      null,
    );
  });

  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await double?.close();
  });

  const common = ["--stack", stack, "--no-state"];
  const formation = (app: string) => formationOf(double, app);

  it("usage errors exit 2; a stack without a freeze record exits 3 and says how one is made (journal: none in the state)", async () => {
    const bad = await cutover(["thaw", "--stack", stack]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown command "thaw"/);
    const noState = await cutover(["journal", "--stack", stack, "--no-state"]);
    assert.equal(noState.code, 2);
    assert.match(noState.stderr, /journal reads the stack's state: --from and --no-state do not apply/);
    // No such stack (nor, maybe, a pulumi CLI on PATH): nothing to write, and the journal untouched.
    const noStack = await cutover(["journal", "--stack", "other", "--record-dir", dir]);
    assert.equal(noStack.code, 3, noStack.stderr);
    assert.match(noStack.stderr, /^No freeze record for stack other in its state/);
    assert.equal(fs.existsSync(path.join(dir, "other.json")), false);
    const none = await cutover(["status", "--stack", "other", "--record-dir", dir, "--no-state"]);
    assert.equal(none.code, 3, none.stderr);
    assert.match(
      none.stderr,
      /No freeze record for stack other: none in .*other\.json\. A freeze is recorded by `pulumi up` with cutover\.freeze: true/,
    );
  });

  it("status shows each app's maintenance flag and formation now and as recorded", async () => {
    const r = await cutover(["status", ...common, "--record-dir", dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Stack ${stack}: freeze [0-9a-f-]{36}, status frozen`));
    assert.match(r.stdout, /database postgresql-concave-52656: apps acme-api, acme-reports/);
    assert.match(
      r.stdout,
      /App acme-api:\n {2}now: {7}maintenance on, web=0:Standard-2X worker=0:Standard-1X {2}→ frozen\n {2}recorded: {2}maintenance off, web=2:Standard-2X worker=1:Standard-1X \(before the freeze/,
    );
    assert.match(
      r.stdout,
      /App acme-reports:\n {2}now: {7}maintenance on, clock=0:Standard-1X web=0:Basic {2}→ frozen/,
    );
    assert.match(r.stdout, /warning: acme-api has Heroku Scheduler/);
    assert.ok(!r.stdout.includes(FULL_TOKEN) && !r.stderr.includes(FULL_TOKEN));
  });

  it("rollback shows what it will change and changes nothing unless the answer is yes", async () => {
    const before = double.requests.filter((x) => x.method === "PATCH").length;
    const r = await cutover(["rollback", ...common, "--record-dir", dir], { input: "no\n" });
    assert.equal(r.code, 4, r.stderr);
    assert.match(
      r.stdout,
      /acme-api: scale web=0:Standard-2X → web=2:Standard-2X, worker=0:Standard-1X → worker=1:Standard-1X; maintenance off/,
    );
    assert.match(
      r.stderr,
      /Restore these Heroku apps as recorded\? Type yes to continue: Not confirmed: nothing was changed/,
    );
    assert.equal(double.requests.filter((x) => x.method === "PATCH").length, before);
    // No answer at all (stdin closed) is no.
    assert.equal((await cutover(["rollback", ...common, "--record-dir", dir])).code, 4);
  });

  it("rollback with yes restores every app, records it, and a second rollback has nothing to do", async () => {
    const r = await cutover(["rollback", ...common, "--record-dir", dir], { input: "yes\n" });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /acme-api: restored \(maintenance off, web=2:Standard-2X worker=1:Standard-1X\)/);
    assert.match(r.stdout, /acme-reports: restored \(maintenance off, clock=1:Standard-1X web=1:Basic\)/);
    assert.match(r.stdout, /Rolled back: every app the freeze changed is as recorded/);
    assert.equal(formation("acme-api"), ORIGINAL["acme-api"]);
    assert.equal(formation(SHARING_APP), ORIGINAL[SHARING_APP]);
    assert.equal(double.app("acme-api").app.maintenance, false);
    assert.equal(readJournal(journal)[0].status, "rolled-back");

    const again = await cutover(["rollback", ...common, "--record-dir", dir, "--yes"]);
    assert.equal(again.code, 0);
    assert.match(
      again.stdout,
      /Nothing to roll back for stack cutover-test: its newest freeze .* was rolled back at/,
    );
    const status = await cutover(["status", ...common, "--from", journal]);
    assert.match(status.stdout, /status rolled-back/);
    assert.match(
      status.stdout,
      /App acme-api:\n {2}now: {7}maintenance off, web=2:Standard-2X worker=1:Standard-1X {2}→ restored/,
    );
  });
});
