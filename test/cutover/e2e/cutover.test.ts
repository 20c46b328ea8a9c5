/**
 * The cutover end to end: the real program (index.ts) under the real Pulumi engine, with
 * `cutover.freeze: true`, the Heroku API double (a double: Heroku cannot run here) and two real
 * PostgreSQL clusters; `npm run cutover` as real processes reading the stack's state and journal.
 *
 * preview (Heroku untouched) → up with Heroku failing mid-freeze (partial: the import does not
 * start) → status → up that finishes the freeze, with the credentials rotated after the program
 * read them and a client writing during the frozen import (fails naming the table) → the target
 * emptied → up (imported, source proven quiet) → status → without the journal (preview warns),
 * `journal` from the state (preview changes nothing) → destroy (Heroku stays frozen) → status
 * from the journal → rollback (prompt answered yes) → secret scan.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { Client } from "pg";
import { readJournal } from "../../../components/cutover/journal";
import { sqlIdentifier } from "../../../components/plan/names";
import { PgCluster } from "../../../scripts/lib/pg-cluster";
import { changedResources, createSandbox, Sandbox, scanForSecrets, unprotectAll } from "../../support/engine";
import { FULL_TOKEN, HerokuDouble, startHerokuDouble } from "../../support/heroku-double";
import { npmRun, type Run } from "../../support/npm-run";
import { SampleImport, startSampleImport } from "../../support/postgres/sample-import";
import { APP, appImage, DATABASE_URL_VARS } from "../../support/program-stack";
import {
  cutoverFixtures,
  formationOf,
  ORIGINAL,
  PG_ADDON,
  SHARING_APP,
  SHARING_APP_SCALING_FAILS,
} from "../support";

const FREEZE_TYPE = "pulumi-nodejs:dynamic/heroku-to-hasura/cutover:HerokuFreeze";
const IMAGE = appImage("2");
const URL_VARS: [string, string][] = [
  ...DATABASE_URL_VARS.map((k): [string, string] => [APP, k]),
  [SHARING_APP, "ACME_DB_URL"],
];

describe("cutover end to end: freeze, import, verify, rollback (real engine, Heroku API double, two real PostgreSQL clusters)", function () {
  let sb: Sandbox;
  let double: HerokuDouble;
  let stack: Stack;
  let databases: SampleImport;
  let source: PgCluster;
  let target: PgCluster;
  let recordDir: string;
  let renderDir: string;
  const passwords = {
    first: `src-${crypto.randomBytes(9).toString("hex")}`,
    rotated: `src-${crypto.randomBytes(9).toString("hex")}`,
  };
  const targetDb = sqlIdentifier(PG_ADDON);
  const sourceUrl = (pw: string) => databases.sourceUrl(pw);
  const transcript: string[] = [];

  before(async function () {
    this.timeout(0); // the first run may build the engine
    sb = await createSandbox();
    databases = await startSampleImport(passwords.first);
    ({ source, target } = databases);
    double = await startHerokuDouble(cutoverFixtures(sourceUrl(passwords.first)));
    recordDir = path.join(sb.dir, "freeze-records");
    renderDir = path.join(sb.dir, "rendered");
    // The program reads rehearsal records; none of this machine's may change the report.
    process.env.HEROKU_TO_HASURA_REHEARSALS = path.join(sb.dir, "rehearsals.json");
    stack = await databases.stack(sb, `e2e-cutover-${process.pid}`, {
      apiUrl: double.url,
      renderTo: renderDir,
      image: IMAGE,
      sections: { cutover: { freeze: true, drainTimeoutSeconds: 20, recordDir } },
    });
  });

  after(async function () {
    delete process.env.HEROKU_TO_HASURA_REHEARSALS;
    if (process.env.CUTOVER_E2E_TRANSCRIPT)
      fs.writeFileSync(process.env.CUTOVER_E2E_TRANSCRIPT, transcript.join("\n"));
    sb?.cleanup();
    databases?.stop();
    await double?.close(); // rejects on any schema-invalid response or request body
  });

  /** `npm run cutover -- …` as a user runs it: pulumi on PATH, the stack's backend, no HEROKU_API_KEY. */
  async function cutover(args: string[], input = ""): Promise<Run> {
    const env: NodeJS.ProcessEnv = {
      ...sb.cliEnv,
      PATH: `${sb.engine.bin}${path.delimiter}${process.env.PATH}`,
    };
    delete env.HEROKU_API_KEY;
    const r = await npmRun("cutover", args, { env, input });
    transcript.push(
      `$ npm run cutover -- ${args.join(" ")}${input ? ` <<< ${JSON.stringify(input.trim())}` : ""}`,
      r.stdout + r.stderr,
    );
    return r;
  }

  const patches = () => double.requests.filter((r) => r.method === "PATCH");
  const formation = (app: string) => formationOf(double, app);
  const userTables = () =>
    Number(target.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", targetDb).trim());
  async function freezeInState(): Promise<{ outputs: Record<string, unknown> } | undefined> {
    const resources = ((await stack.exportStack()).deployment.resources ?? []) as {
      type: string;
      outputs: Record<string, unknown>;
    }[];
    return resources.find((r) => r.type === FREEZE_TYPE);
  }

  it("preview plans the freeze before the import and touches nothing on Heroku; the report has the window and the steps", async function () {
    this.timeout(600_000);
    const res = await stack.preview({ ...sb.ops() });
    assert.ok((res.changeSummary.create ?? 0) > 3);
    assert.deepStrictEqual(patches(), [], "no write to Heroku during preview");
    const report = fs.readFileSync(path.join(renderDir, "report.md"), "utf8");
    assert.match(report, /The freeze is on \(`cutover\.freeze`\)/);
    assert.match(
      report,
      /\| postgresql-concave-52656 \| acme-api, acme-reports \| [\d.]+ [kM]B \(measured at this preview\/up\) \| 64\.4 MB\/s \(the benchmark's figure of record/,
    );
    assert.match(report, /1\. \*\*Lower the DNS TTL\*\*[\s\S]*8\. \*\*Rollback path\*\*/);
  });

  it("Heroku failing mid-freeze: the up stops before the import, naming the frozen and unfrozen apps", async function () {
    this.timeout(600_000);
    double.injectFault(SHARING_APP_SCALING_FAILS);
    const before = sb.log.text().length;
    await assert.rejects(stack.up({ ...sb.ops() }));
    const out = sb.log.text().slice(before);
    transcript.push("$ pulumi up   # Heroku answers 503 to every attempt to scale acme-reports", out);
    assert.match(out, /Heroku freeze of stack e2e-cutover-\d+ is partial, so the import does not start/);
    assert.match(out, /frozen \(maintenance on, every process type at 0\): acme-api/);
    assert.match(out, /partly frozen: acme-reports \(maintenance on, NOT scaled to 0\)/);
    assert.strictEqual(userTables(), 0, "the import did not start");
    assert.strictEqual(formation(APP), "web=0:Standard-2X worker=0:Standard-1X");
    assert.strictEqual(formation(SHARING_APP), ORIGINAL[SHARING_APP]);
    // The engine kept the partial freeze, with its record, for the next up.
    const freeze = await freezeInState();
    assert.strictEqual(freeze?.outputs.status, "partial");
  });

  it("status (a real process) reads the stack's state and journal, with the token from the stack's config", async function () {
    this.timeout(120_000);
    const r = await cutover(["status", "--stack", stack.name]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /status partial/);
    assert.match(r.stdout, /App acme-reports:\n {2}now: {7}maintenance on, clock=1:Standard-1X web=1:Basic/);
    assert.match(r.stdout, /freeze: {4}maintenance on, not scaled to 0 \(error: Heroku API kept failing/);
  });

  it("the next up finishes the freeze (states recorded first kept), reads the rotated credentials at copy time, and fails on a write during the frozen import, naming the table", async function () {
    this.timeout(600_000);
    let rotated = false;
    let writer: Promise<void> | undefined;
    let writing = true;
    double.onRequest((r) => {
      // Heroku rotates the credential once the up is under way: after the program read the URL.
      if (!rotated && r.method === "PATCH") {
        rotated = true;
        source.psql(`ALTER ROLE u_acme PASSWORD '${passwords.rotated}'`);
        for (const [app, key] of URL_VARS) double.setConfigVar(app, key, sourceUrl(passwords.rotated));
      }
      // The import reads the URL at copy time, once the freeze is complete (its journal says so): a
      // client outside Heroku starts writing then, updating a row to the same value (every count
      // stays equal).
      const frozen = () => readJournal(path.join(recordDir, `${stack.name}.json`))[0]?.status === "frozen";
      if (!writer && r.method === "GET" && r.path === `/apps/${APP}/config-vars` && frozen()) {
        writer = (async () => {
          const c = new Client({ connectionString: sourceUrl(passwords.rotated) });
          await c.connect();
          try {
            while (writing) {
              await c.query("UPDATE accounts SET display_name = display_name WHERE id = 1");
              await new Promise((res) => setTimeout(res, 150));
            }
          } finally {
            await c.end();
          }
        })();
      }
    });
    const before = sb.log.text().length;
    await assert.rejects(stack.up({ ...sb.ops() }));
    writing = false;
    await writer;
    const out = sb.log.text().slice(before);
    transcript.push(
      "$ pulumi up   # credentials rotated after the program read them; a client writes during the frozen import",
      out,
    );
    assert.ok(rotated && writer, "the credential was rotated and the writer ran");
    assert.match(
      out,
      /source URL read from config var DATABASE_URL of Heroku app acme-api now \(it changed since the program read it: credentials rotated\)/,
    );
    assert.match(
      out,
      /the source was written to during the frozen import: 1 table\(s\) changed between the import's snapshot/,
    );
    assert.match(out, /public\.accounts \(\d+ updated\)/);
    assert.match(out, /Verification happened to find the target equal|verification found/);
    // The freeze itself completed, with the states recorded before the first try.
    const freeze = await freezeInState();
    assert.strictEqual(freeze?.outputs.status, "frozen");
    const record = freeze!.outputs.record as {
      apps: { app: string; previous: { formation: { type: string; quantity: number; size: string }[] } }[];
    };
    assert.deepStrictEqual(
      record.apps.map((a) => [
        a.app,
        a.previous.formation.map((f) => `${f.type}=${f.quantity}:${f.size}`).join(" "),
      ]),
      [
        [APP, ORIGINAL[APP]],
        [SHARING_APP, ORIGINAL[SHARING_APP]],
      ],
    );
    assert.strictEqual(formation(SHARING_APP), "clock=0:Standard-1X web=0:Basic");
    assert.deepStrictEqual(double.requestViolations, []);
  });

  it("with the writer stopped and the target emptied, up imports, verifies and proves the source quiet under the freeze", async function () {
    this.timeout(600_000);
    target.dropDatabase(targetDb);
    target.createDatabase(targetDb, sqlIdentifier(PG_ADDON, "_owner"));
    const writes = patches().length;
    const res = await stack.up({ ...sb.ops() });
    assert.strictEqual(res.summary.result, "succeeded");
    const [db] = res.outputs.databases.value as {
      import: {
        rows: number;
        sourceActivity: { frozen: boolean; changed: unknown[]; tablesWatched: number };
      };
    }[];
    assert.ok(db.import.rows > 0);
    assert.strictEqual(db.import.sourceActivity.frozen, true);
    assert.deepStrictEqual(db.import.sourceActivity.changed, []);
    assert.ok(db.import.sourceActivity.tablesWatched >= 4);
    assert.ok(userTables() >= 4);
    // Frozen throughout, and the freeze did not run again: no write to Heroku during this up.
    assert.strictEqual(double.app(APP).app.maintenance, true);
    assert.strictEqual(patches().length, writes);
  });

  it("status shows every app frozen now, next to its recorded state", async function () {
    this.timeout(120_000);
    const r = await cutover(["status", "--stack", stack.name]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /status frozen/);
    assert.match(
      r.stdout,
      /App acme-api:\n {2}now: {7}maintenance on, web=0:Standard-2X worker=0:Standard-1X {2}→ frozen\n {2}recorded: {2}maintenance off, web=2:Standard-2X worker=1:Standard-1X/,
    );
  });

  it("without the journal on this machine, preview warns that the frozen app would get 0 replicas; `npm run cutover -- journal` writes it from the stack's state, and the next preview changes nothing", async function () {
    this.timeout(600_000);
    const journal = path.join(recordDir, `${stack.name}.json`);
    const elsewhere = `${journal}.elsewhere`;
    const previews = async () => {
      const events: EngineEvent[] = [];
      await stack.preview({ ...sb.ops({ events }) });
      const warnings = events.flatMap((e) =>
        e.diagnosticEvent?.severity === "warning" ? [e.diagnosticEvent.message] : [],
      );
      return { changed: changedResources(events), warnings };
    };
    const previous = (file: string) =>
      readJournal(file).map((r) => ({ id: r.freezeId, apps: r.apps.map((a) => [a.app, a.previous]) }));
    fs.renameSync(journal, elsewhere); // the freeze ran on another machine (a CI runner)
    try {
      const without = await previews();
      const zero = without.warnings.filter((w) => w.includes(`${APP}: Heroku shows it in maintenance mode`));
      assert.strictEqual(zero.length, 1, without.warnings.join("\n"));
      assert.match(zero[0], /planned with 0 replicas/);
      assert.ok(zero[0].includes(`npm run cutover -- journal --stack ${stack.name}`), zero[0]);
      assert.deepStrictEqual(
        without.changed.filter((c) => c.startsWith("update kubernetes:apps/v1:Deployment")),
        [
          `update kubernetes:apps/v1:Deployment::${APP}-web`,
          `update kubernetes:apps/v1:Deployment::${APP}-worker`,
        ],
      );

      const r = await cutover(["journal", "--stack", stack.name]);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Wrote 1 freeze record\(s\) of stack \S+'s state into .*: \S+ \(frozen; apps /);
      assert.deepStrictEqual(previous(journal), previous(elsewhere));
      const again = await cutover(["journal", "--stack", stack.name]);
      assert.strictEqual(again.code, 0, again.stderr);
      assert.match(again.stdout, /already holds every freeze record/);

      const withJournal = await previews();
      assert.deepStrictEqual(withJournal.changed, []);
      assert.deepStrictEqual(
        withJournal.warnings.filter((w) => w.includes("planned with 0 replicas")),
        [],
      );
    } finally {
      fs.renameSync(elsewhere, journal); // the later steps read the journal as the freeze left it
    }
  });

  it("destroy never unfreezes Heroku: no call, the record stays, the restore commands are printed", async function () {
    this.timeout(600_000);
    unprotectAll(sb, stack);
    const writes = patches().length;
    const before = sb.log.text().length;
    const res = await stack.destroy({ ...sb.ops() });
    assert.strictEqual(res.summary.result, "succeeded");
    const out = sb.log.text().slice(before);
    assert.strictEqual(patches().length, writes, "no PATCH");
    assert.match(out, /the Heroku apps were NOT unfrozen: acme-api, acme-reports stay as they are/);
    assert.match(out, /heroku ps:scale web=2:Standard-2X worker=1:Standard-1X -a acme-api/);
    assert.strictEqual(double.app(APP).app.maintenance, true);
    const [record] = readJournal(path.join(recordDir, `${stack.name}.json`));
    assert.ok(record.resourceDeletedAt);
    assert.strictEqual(await freezeInState(), undefined);
  });

  it("after destroy, status and rollback work from the journal; rollback asks, then restores every app as recorded", async function () {
    this.timeout(300_000);
    const status = await cutover(["status", "--stack", stack.name]);
    assert.strictEqual(status.code, 0, status.stderr);
    assert.match(status.stdout, /its HerokuFreeze resource was deleted at/);
    const r = await cutover(["rollback", "--stack", stack.name], "yes\n");
    assert.strictEqual(r.code, 0, r.stderr + r.stdout);
    assert.match(
      r.stdout,
      /acme-api: scale web=0:Standard-2X → web=2:Standard-2X, worker=0:Standard-1X → worker=1:Standard-1X; maintenance off/,
    );
    assert.match(r.stdout, /acme-reports: restored \(maintenance off, clock=1:Standard-1X web=1:Basic\)/);
    assert.strictEqual(formation(APP), ORIGINAL[APP]);
    assert.strictEqual(formation(SHARING_APP), ORIGINAL[SHARING_APP]);
    assert.strictEqual(double.app(APP).app.maintenance, false);
    assert.strictEqual(double.app(SHARING_APP).app.maintenance, false);
    // Formation first, then maintenance off, per app.
    assert.deepStrictEqual(
      patches()
        .slice(-4)
        .map((p) => p.path),
      [`/apps/${APP}/formation`, `/apps/${APP}`, `/apps/${SHARING_APP}/formation`, `/apps/${SHARING_APP}`],
    );
  });

  it("no token, password or passphrase appears in plaintext in state, engine logs, the journal or the commands' output", function () {
    // The sandbox's passphrase is looked for too.
    const hits = scanForSecrets(
      sb,
      [
        { label: "Heroku API token", value: FULL_TOKEN },
        { label: "source password", value: passwords.first },
        { label: "rotated source password", value: passwords.rotated },
        { label: "target admin password", value: target.password },
      ],
      [
        { where: "journal", text: fs.readFileSync(path.join(recordDir, `${stack.name}.json`), "utf8") },
        { where: "cutover commands", text: transcript.join("\n") },
      ],
    );
    assert.deepStrictEqual(hits, []);
  });
});
