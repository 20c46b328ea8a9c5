/**
 * `npm run import` as a real process, the rehearsal: a source written to during it ends "not
 * final" (exit 6, the tables named, distinct from a verification failure), and every run that
 * copied and verified records its figures for the migration report's window estimate.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { readRehearsals } from "../../components/cutover/rehearsals";
import { npmRun, type Run } from "../support/npm-run";
import { engineFixture, EngineFixture } from "../support/postgres/clusters";

const PASSWORD = "fake-pw-rehearsal-58d2";

/** `npm run import -- …` with `env` added to this process's. */
function importRun(env: Record<string, string>, args: string[]): Promise<Run> {
  return npmRun("import", args, { env: { ...process.env, ...env } });
}

describe("npm run import as a rehearsal (real process, real PostgreSQL)", function () {
  this.timeout(240_000);
  let fx: EngineFixture;
  let dir: string;
  let record: string;
  let source: string;

  before(async () => {
    fx = await engineFixture();
    fx.source.psql(`CREATE ROLE u_rehearsal LOGIN PASSWORD '${PASSWORD}'`);
    fx.source.createDatabase("rehearsal_src", "u_rehearsal");
    fx.source.psql(
      `SET ROLE u_rehearsal;
       CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL);
       INSERT INTO accounts SELECT g, 'account ' || g FROM generate_series(1, 50000) g;
       CREATE TABLE events (id bigserial PRIMARY KEY, account int, body text);
       INSERT INTO events (account, body) SELECT g % 50000, repeat('x', 200) FROM generate_series(1, 100000) g;`,
      "rehearsal_src",
    );
    source = fx.source.url("rehearsal_src", "u_rehearsal", PASSWORD);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "h2h-rehearsal-"));
    record = path.join(dir, "rehearsals.json");
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("a source written to during the copy ends 'not final' (exit 6) naming the table; the timing is still recorded", async () => {
    const writer = new Client({ connectionString: source.replace("sslmode=require", "sslmode=no-verify") });
    await writer.connect();
    let writing = true;
    // An app that keeps updating a row to the same value: row counts (and even content) stay equal.
    const loop = (async () => {
      while (writing) {
        await writer.query("UPDATE accounts SET name = name WHERE id = 1");
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const r = await importRun(
      { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: fx.newTarget("rehearsal") },
      ["--jobs", "2", "--rehearsal-record", record],
    );
    writing = false;
    await loop;
    await writer.end();
    assert.equal(r.code, 6, r.stderr);
    assert.match(
      r.stderr,
      /error: not final: 1 table\(s\) changed on the source during the copy, between the import's snapshot/,
    );
    assert.match(r.stderr, /public\.accounts \(\d+ updated\)/);
    assert.match(r.stderr, /set cutover\.freeze: true/);
    assert.doesNotMatch(r.stderr, /verification failed/);
    assert.ok(!r.stderr.includes(PASSWORD) && !r.stdout.includes(PASSWORD));
    const [rec] = readRehearsals(record);
    assert.equal(rec.outcome, "not-final");
    assert.deepEqual(rec.source, { host: "127.0.0.1", port: fx.source.port, database: "rehearsal_src" });
    assert.ok(rec.databaseBytes > 10_000_000, `database size ${rec.databaseBytes}`);
    assert.match(
      r.stderr,
      /rehearsal recorded in .*rehearsals\.json: [\d.]+ MB database in \S+ \([\d.]+ MB\/s\)/,
    );
  });

  let quietTarget: string;

  it("a quiet rehearsal verifies (exit 0) and records its size, time and outcome", async () => {
    quietTarget = fx.newTarget("rehearsal");
    const r = await importRun({ SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: quietTarget }, [
      "--jobs",
      "2",
      "--rehearsal-record",
      record,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /source quiet: no write to the 2 table\(s\) of the source database/);
    const all = readRehearsals(record);
    assert.equal(all.length, 2);
    const last = all[1];
    assert.equal(last.outcome, "verified");
    assert.equal(last.rows, 150_000);
    assert.equal(last.tables, 2);
    assert.equal(last.jobs, 2);
    assert.ok(last.durationMs > 0 && last.copiedBytes > 0);
  });

  it("a run that finds the import already complete copies nothing and records no throughput", async () => {
    const r = await importRun({ SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: quietTarget }, [
      "--jobs",
      "2",
      "--rehearsal-record",
      record,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /already complete and verified .*: nothing to do/);
    assert.doesNotMatch(r.stderr, /rehearsal recorded/);
    assert.equal(readRehearsals(record).length, 2);
  });
});
