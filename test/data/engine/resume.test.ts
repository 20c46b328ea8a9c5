/**
 * Failure injection: the source backend, the target backend or the import process dies mid-COPY
 * (or the run stops at any phase); the next run resumes and ends verified equal, no duplicates.
 *
 * To be mid-COPY deterministically, a test-only trigger on the target's big_events sleeps every
 * 200 rows, so its COPY streams slowly (with backpressure on both ends) while we kill something.
 */
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { startPgCluster } from "../../../scripts/lib/pg-cluster";
import { alive, descendants } from "../../../scripts/lib/proc-tree";
import { importDatabase, readImportMarker } from "../../../components/data/engine";
import { ImportError, ImportOptions, ImportPhase } from "../../../components/data/engine/types";
import { engineFixture, EngineFixture, query, waitFor } from "../../support/postgres/clusters";

const APP = "heroku-to-hasura-import";
/** The import's session COPYing big_events, as a pg_stat_activity condition (on either server). */
const COPYING_BIG_EVENTS = `application_name = '${APP}' AND datname = current_database() AND state = 'active' AND query LIKE 'COPY%big_events%'`;
const REPO = path.resolve(__dirname, "../../..");

describe("copy engine: failure injection and resume (real PostgreSQL)", function () {
  this.timeout(180000);
  let fx: EngineFixture;
  before(async () => {
    fx = await engineFixture();
  });

  const opts = (url: string, extra: Partial<ImportOptions> = {}): ImportOptions => ({
    source: { url: fx.sourceUrl },
    target: { url },
    jobs: 2,
    ...extra,
  });

  /** Runs an import that stops (throws) as soon as it reaches `phase`. */
  async function stopAt(url: string, phase: ImportPhase): Promise<void> {
    await assert.rejects(
      importDatabase(
        opts(url, {
          onProgress: (p) => {
            if (p.phase === phase) throw new Error(`simulated crash at ${phase}`);
          },
        }),
      ),
      new RegExp(`simulated crash at ${phase}`),
    );
    const m = await readImportMarker({ url });
    assert.ok(m && !m.completedAt, "an interrupted import never looks complete");
  }

  async function addSlowTrigger(url: string): Promise<void> {
    await query(
      url,
      `CREATE FUNCTION public.h2h_test_slow() RETURNS trigger LANGUAGE plpgsql AS
         $$ BEGIN IF NEW.id % 200 = 0 THEN PERFORM pg_sleep(0.05); END IF; RETURN NEW; END $$;
       CREATE TRIGGER h2h_test_slow BEFORE INSERT ON public.big_events FOR EACH ROW EXECUTE FUNCTION public.h2h_test_slow();`,
    );
  }

  async function removeSlowTrigger(url: string): Promise<void> {
    // Backends of a killed run may still be draining their socket: end them first.
    await query(
      url,
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = '${APP}' AND datname = current_database() AND pid <> pg_backend_pid()`,
    );
    await query(url, "DROP TRIGGER h2h_test_slow ON public.big_events; DROP FUNCTION public.h2h_test_slow()");
  }

  /** Waits until big_events is streaming: rows arriving on the target, the source still sending. */
  async function waitMidCopy(url: string): Promise<void> {
    await waitFor(
      async () => {
        const [t] = await query<{ n: string | null }>(
          url,
          "SELECT max(tuples_processed)::text AS n FROM pg_stat_progress_copy WHERE datname = current_database() AND relid = 'public.big_events'::regclass",
        );
        const s = await query(fx.sourceUrl, `SELECT 1 FROM pg_stat_activity WHERE ${COPYING_BIG_EVENTS}`);
        return Number(t.n ?? 0) >= 1000 && s.length === 1;
      },
      60000,
      "big_events mid-COPY",
    );
  }

  /** Leaves `url` as an interrupted import does, with the slow trigger on big_events. */
  async function prepareInterruption(url: string): Promise<void> {
    await stopAt(url, "data");
    await addSlowTrigger(url);
  }

  /** Starts an import into a prepared `url`; returns (the run still going) once it is mid-COPY. */
  async function importMidCopy(url: string): Promise<{ run: ReturnType<typeof importDatabase> }> {
    const run = importDatabase(opts(url));
    run.catch(() => undefined);
    await waitMidCopy(url);
    return { run };
  }

  /** Ends the backend of the import's COPY of big_events on the server of `url`. */
  async function killCopyBackend(url: string): Promise<void> {
    const killed = await query<{ ok: boolean }>(
      url,
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE ${COPYING_BIG_EVENTS}`,
    );
    assert.deepEqual(killed, [{ ok: true }]);
  }

  async function finishAndCheck(url: string): Promise<void> {
    const [{ before }] = await query<{ before: string }>(
      url,
      "SELECT count(*) AS before FROM public.big_events",
    );
    assert.equal(before, "0", "the interrupted table's rows were rolled back");
    const r = await importDatabase(opts(url));
    assert.equal(r.resumed, true);
    assert.ok(r.verification.every((v) => v.equal));
    const [c] = await query<Record<string, string>>(
      url,
      "SELECT (SELECT count(*) FROM public.audit_log) AS audit, (SELECT count(*) FROM public.big_events) AS big",
    );
    assert.deepEqual(c, { audit: "200", big: "60000" }, "no duplicated rows");
    const m = await readImportMarker({ url });
    assert.equal(m?.phase, "complete");
  }

  it("source backend killed mid-COPY: the run fails naming the table, the next one resumes and verifies equal", async () => {
    const url = fx.newTarget("killsrc");
    await prepareInterruption(url);
    const { run } = await importMidCopy(url);
    await killCopyBackend(fx.sourceUrl);
    await assert.rejects(
      run,
      (e: unknown) =>
        e instanceof ImportError &&
        e.code === "copy" &&
        /copying table public\.big_events failed/.test(e.message),
    );
    await removeSlowTrigger(url);
    await finishAndCheck(url);
  });

  it("target backend killed mid-COPY: the next run resumes and verifies equal", async () => {
    const url = fx.newTarget("killtgt");
    await prepareInterruption(url);
    const { run } = await importMidCopy(url);
    await killCopyBackend(url);
    await assert.rejects(run, /copying table public\.big_events failed/);
    await removeSlowTrigger(url);
    await finishAndCheck(url);
  });

  it("import process SIGKILLed mid-COPY (npm run import in a child): the next run resumes and verifies equal", async () => {
    const url = fx.newTarget("killproc");
    await prepareInterruption(url);
    const child = spawn(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "scripts/import.ts", "--jobs", "2"],
      {
        cwd: REPO,
        env: { ...process.env, SOURCE_DATABASE_URL: fx.sourceUrl, TARGET_DATABASE_URL: url },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<string | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );
    await waitMidCopy(url);
    child.kill("SIGKILL");
    assert.equal(await exited, "SIGKILL");
    assert.match(stderr, /resuming import/);
    assert.ok(!stderr.includes(fx.source.password) && !stderr.includes(fx.target.password));
    await removeSlowTrigger(url);
    await finishAndCheck(url);
  });

  it("target server lost mid-COPY: the error says the connection to the target was lost and that a re-run resumes; after a restart it does", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "h2h-lost-target-"));
    let tgt = await startPgCluster({ dataDir: dir });
    try {
      tgt.createDatabase("lost");
      let url = tgt.url("lost");
      await prepareInterruption(url);
      const { run } = await importMidCopy(url);
      // A crash of the target server (as when its pod is killed), not a polite shutdown.
      const r = spawnSync(
        "runuser",
        [
          "-u",
          "postgres",
          "--",
          path.join(tgt.binDir, "pg_ctl"),
          "-D",
          tgt.dataDir,
          "-m",
          "immediate",
          "-w",
          "stop",
        ],
        { cwd: "/" },
      );
      assert.equal(r.status, 0, String(r.stderr));
      await assert.rejects(run, (e: unknown) => {
        assert.ok(e instanceof ImportError, String(e));
        assert.equal(e.code, "copy");
        assert.match(
          e.message,
          /^copying table public\.big_events failed: the connection to the target was lost \(.+\); everything committed before is kept: run the import again to resume$/,
        );
        assert.ok(!e.message.includes(tgt.password));
        return true;
      });
      tgt = await startPgCluster({ dataDir: dir });
      url = tgt.url("lost");
      await removeSlowTrigger(url);
      await finishAndCheck(url);
    } finally {
      tgt.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    it(`${sig} to the npm process of \`npm run import\` stops the whole process tree within seconds and leaves a resumable import; the next run resumes`, async () => {
      const url = fx.newTarget(`sig${sig.slice(3).toLowerCase()}`);
      await prepareInterruption(url);
      // npm → sh -c → bash scripts/node/run.sh (exec) → node: the tree a user's npm starts.
      const npm = spawn("npm", ["run", "-s", "import", "--", "--jobs", "2"], {
        cwd: REPO,
        env: { ...process.env, SOURCE_DATABASE_URL: fx.sourceUrl, TARGET_DATABASE_URL: url },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      npm.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
      const npmExit = new Promise<void>((resolve) => npm.on("exit", () => resolve()));
      await waitMidCopy(url);
      const tree = descendants(npm.pid!);
      assert.ok(tree.length >= 2, `npm's process tree: ${tree.join(" ")}`);
      const t0 = Date.now();
      process.kill(npm.pid!, sig);
      await npmExit;
      await waitFor(
        async () => tree.every((p) => !alive(p)),
        20000,
        `the process tree (${tree.join(" ")}) to exit`,
      );
      const seconds = (Date.now() - t0) / 1000;
      assert.ok(seconds < 10, `took ${seconds}s`);
      // No session of the import is left on either server, and nothing half-done is recorded.
      await waitFor(
        async () =>
          (
            await query(
              url,
              `SELECT 1 FROM pg_stat_activity WHERE application_name = '${APP}' AND datname = current_database()`,
            )
          ).length === 0,
        10000,
        "the target sessions to end",
      );
      assert.match(stderr, /stopping the import/);
      assert.match(stderr, /run the import again to resume|run the same command again to resume/);
      assert.ok(!stderr.includes(fx.source.password) && !stderr.includes(fx.target.password));
      const m = await readImportMarker({ url });
      assert.ok(m && !m.completedAt && m.phase === "data", JSON.stringify(m?.phase));
      await removeSlowTrigger(url);
      await finishAndCheck(url);
    });
  }

  it("killed while building indexes: the next run builds exactly what is missing", async () => {
    const url = fx.newTarget("killpost");
    await stopAt(url, "post-data");
    // Keys and indexes were built while copying; ROW EXCLUSIVE on invoices now blocks only its
    // foreign key and trigger (wave 3), so the other items of the phase complete.
    const locker = new Client({ connectionString: url });
    await locker.connect();
    try {
      await locker.query("BEGIN; LOCK TABLE ONLY public.invoices IN ROW EXCLUSIVE MODE");
      const run = importDatabase(opts(url));
      run.catch(() => undefined);
      const pid = await waitFor(
        async () => {
          const r = await query<{ pid: number }>(
            url,
            `SELECT pid FROM pg_stat_activity WHERE application_name = '${APP}' AND datname = current_database()
              AND wait_event_type = 'Lock' AND query ~ 'invoices' LIMIT 1`,
          );
          const [{ n }] = await query<{ n: string }>(
            url,
            "SELECT count(*) AS n FROM _heroku_to_hasura.import_done WHERE item LIKE 'post:%'",
          );
          return Number(n) >= 10 && r.length ? r[0].pid : undefined;
        },
        60000,
        "the trigger or foreign key of invoices blocked, other items done",
      );
      await query(url, "SELECT pg_terminate_backend($1)", [pid]);
      await assert.rejects(run, /post-data failed/);
    } finally {
      await locker.query("ROLLBACK").catch(() => undefined);
      await locker.end();
    }
    const [{ done }] = await query<{ done: string }>(
      url,
      "SELECT count(*) AS done FROM _heroku_to_hasura.import_done WHERE item LIKE 'post:%'",
    );
    const r = await importDatabase(opts(url));
    assert.equal(r.resumed, true);
    assert.ok(r.verification.every((v) => v.equal));
    const [{ pk }] = await query<{ pk: string }>(
      url,
      "SELECT count(*) AS pk FROM pg_constraint WHERE conname = 'vehicles_pkey'",
    );
    assert.equal(pk, "1");
    const [{ all }] = await query<{ all: string }>(
      url,
      "SELECT count(*) AS all FROM _heroku_to_hasura.import_done WHERE item LIKE 'post:%'",
    );
    assert.ok(
      Number(done) >= 10 && Number(all) > Number(done),
      `${done} items before the kill, ${all} after`,
    );
  });

  it("stopped at every phase boundary in turn, each re-run resumes; the last one verifies equal", async () => {
    const url = fx.newTarget("phases");
    for (const phase of ["pre-data", "data", "post-data", "finalize", "verify"] as ImportPhase[])
      await stopAt(url, phase);
    const m = await readImportMarker({ url });
    assert.equal(m?.phase, "verify");
    const r = await importDatabase(opts(url));
    assert.equal(r.resumed, true);
    assert.ok(r.verification.every((v) => v.equal));
    const [{ n }] = await query<{ n: string }>(url, "SELECT count(*) AS n FROM public.audit_log");
    assert.equal(n, "200");
  });

  it("a target that fails verification is never marked complete, and says which table differs", async () => {
    const url = fx.newTarget("badverify");
    await stopAt(url, "verify");
    await query(url, "UPDATE public.teams SET captain_id = 11 WHERE id = 1");
    const logs: string[] = [];
    await assert.rejects(
      importDatabase(opts(url, { log: (l) => logs.push(l) })),
      (e: unknown) =>
        e instanceof ImportError &&
        e.code === "verify" &&
        /table public\.teams: same row count \(2\) but different content/.test(e.message) &&
        // The way out, and why a resumed import may differ, are part of the error.
        /This run resumed an interrupted import.*empty the target database \(or use a new one\) and import again/s.test(
          e.message,
        ),
    );
    assert.ok(
      logs.some((l) =>
        /^warning: rows copied before the interruption were read from the source as of that run/.test(l),
      ),
      logs.join("\n"),
    );
    const m = await readImportMarker({ url });
    assert.equal(m?.phase, "verify");
    assert.equal(m?.completedAt, null);
    await query(url, "UPDATE public.teams SET captain_id = 10 WHERE id = 1");
    const r = await importDatabase(opts(url));
    assert.equal(r.resumed, true);
    assert.equal((await readImportMarker({ url }))?.phase, "complete");
  });
});
