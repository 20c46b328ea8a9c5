/**
 * `npm run bench:import -- [--size-mb 1024] [--jobs 2] [--rounds 1] [--tools engine,pgdump,pgcopydb]`
 *
 * Builds a dataset of about `--size-mb` in a throwaway source cluster (pgbench tables via
 * `pgbench -i -s K`, wide text rows with indexes, a few hundred small tables), then, in one run
 * and interleaved (the order rotates every round), copies it into a throwaway target cluster with:
 *   engine   our copy engine (components/data/engine), in its own plain `node` process
 *   pgdump   `pg_dump -Fd -j N` then `pg_restore -j N` (default compression, as people run it)
 *   pgdump0  the same with `-Z0` (no compression: faster when the link is not the bottleneck)
 *   pgcopydb `pgcopydb clone --table-jobs N --index-jobs N` (started detached: it signals its
 *            process group on failure)
 * Every run is verified (row count of every table, source vs target). Prints per-run and
 * summary figures: seconds, MB/s of database size, per-round ratios, peak RSS of the tool's
 * whole process tree (sampled from /proc every 100 ms; server backends are not counted).
 *
 * A benchmark, not a test: figures, no assertions beyond "the copy is complete".
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { startPgCluster, type PgCluster } from "./lib/pg-cluster";

type Tool = "engine" | "pgdump" | "pgdump0" | "pgcopydb";
const ALL_TOOLS: Tool[] = ["engine", "pgdump", "pgdump0", "pgcopydb"];

interface Options {
  sizeMb: number;
  jobs: number;
  rounds: number;
  tools: Tool[];
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { sizeMb: 1024, jobs: 2, rounds: 1, tools: ALL_TOOLS };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    const num = () => {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number, got ${value}`);
      i++;
      return n;
    };
    if (flag === "--size-mb") opts.sizeMb = num();
    else if (flag === "--jobs") opts.jobs = Math.round(num());
    else if (flag === "--rounds") opts.rounds = Math.round(num());
    else if (flag === "--tools") {
      const tools = (value ?? "").split(",").filter(Boolean) as Tool[];
      const bad = tools.filter((t) => !ALL_TOOLS.includes(t));
      if (bad.length || tools.length === 0)
        throw new Error(`--tools: unknown ${bad.join(",")}; use ${ALL_TOOLS.join(",")}`);
      opts.tools = tools;
      i++;
    } else throw new Error(`unknown argument ${flag}`);
  }
  return opts;
}

const ROOT = path.resolve(__dirname, "..");
const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);

// ---------------------------------------------------------------------------------------------
// Process-tree RSS sampling
// ---------------------------------------------------------------------------------------------

function descendants(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(d));
      children.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const stack = [rootPid];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Proportional set size: shared pages split between the processes sharing them (fair for forks). */
function pssKb(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

interface RunResult {
  seconds: number;
  /** Peak of the summed RSS of the process tree. */
  peakRssMb: number;
  /** Peak of the summed PSS of the process tree. */
  peakPssMb: number;
}

/** Runs a command, sampling the summed RSS of its process tree; throws on a non-zero exit. */
function runSampled(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { detached?: boolean } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, {
      env,
      detached: opts.detached ?? false,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
    child.stderr.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
    let peakKb = 0;
    let peakPssKb = 0;
    const timer = setInterval(() => {
      if (child.pid === undefined) return;
      const pids = descendants(child.pid);
      peakKb = Math.max(
        peakKb,
        pids.reduce((s, p) => s + rssKb(p), 0),
      );
      peakPssKb = Math.max(
        peakPssKb,
        pids.reduce((s, p) => s + pssKb(p), 0),
      );
    }, 100);
    child.once("error", (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.once("exit", (code, signal) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0) reject(new Error(`${path.basename(cmd)} failed (${code ?? signal}):\n${output}`));
      else resolve({ seconds, peakRssMb: peakKb / 1024, peakPssMb: peakPssKb / 1024 });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Dataset
// ---------------------------------------------------------------------------------------------

const SMALL_TABLES = 300;

async function buildDataset(src: PgCluster, sizeMb: number, env: NodeJS.ProcessEnv): Promise<void> {
  src.createDatabase("bench");
  // About 55% pgbench (≈ 15 MB of database per scale unit), 40% wide rows (≈ 1.3 kB each with
  // their indexes), the rest small tables.
  const scale = Math.max(1, Math.round((sizeMb * 0.55) / 15));
  const wideRows = Math.max(1000, Math.round((sizeMb * 0.4 * 1e6) / 1300));
  log(`dataset: pgbench scale ${scale}, ${wideRows} wide rows, ${SMALL_TABLES} small tables`);
  const pgbench = spawnSync(
    path.join(src.binDir, "pgbench"),
    [
      "-i",
      "-s",
      String(scale),
      "-q",
      "-I",
      "dtgvpf",
      "-h",
      src.host,
      "-p",
      String(src.port),
      "-U",
      "postgres",
      "bench",
    ],
    { env, encoding: "utf8" },
  );
  if (pgbench.status !== 0) throw new Error(`pgbench -i failed: ${pgbench.stderr}`);
  src.psql(
    `
    CREATE TYPE doc_status AS ENUM ('draft','published','archived');
    CREATE TABLE documents (
      id bigserial PRIMARY KEY,
      title text NOT NULL,
      body text NOT NULL,
      status doc_status NOT NULL,
      tags text[] NOT NULL,
      attrs jsonb NOT NULL,
      created_at timestamptz NOT NULL);
    INSERT INTO documents (title, body, status, tags, attrs, created_at)
    SELECT 'title ' || g || ' ' || md5(g::text),
           repeat(md5((g * 7)::text) || ' ', 24),
           (ARRAY['draft','published','archived']::doc_status[])[1 + g % 3],
           ARRAY['t' || (g % 17), 'u' || (g % 5)],
           jsonb_build_object('n', g, 'k', md5(g::text), 'flag', g % 2 = 0),
           timestamptz '2020-01-01' + (g || ' seconds')::interval
    FROM generate_series(1, ${wideRows}) g;
    CREATE INDEX documents_created_idx ON documents (created_at);
    CREATE INDEX documents_title_idx ON documents (title);
    CREATE INDEX documents_status_idx ON documents (status, created_at);
    DO $$
    BEGIN
      FOR i IN 1..${SMALL_TABLES} LOOP
        EXECUTE format('CREATE TABLE small_%s (id int PRIMARY KEY, name text NOT NULL, amount numeric(12,2), seen timestamptz)', i);
        EXECUTE format('INSERT INTO small_%s SELECT g, ''name '' || g, g * 1.5, now() FROM generate_series(1, 100) g', i);
      END LOOP;
    END $$;
    CREATE VIEW recent_documents AS SELECT id, title FROM documents WHERE created_at > timestamptz '2020-01-02';
    ANALYZE;
    CHECKPOINT;`,
    "bench",
  );
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

/** Row count of every user table, keyed `schema.table`. */
async function rowCounts(url: string): Promise<Map<string, number>> {
  const tables = await query<{ t: string }>(
    url,
    `SELECT format('%I.%I', n.nspname, c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r','p') AND n.nspname NOT IN ('pg_catalog','information_schema','_heroku_to_hasura')
       AND n.nspname NOT LIKE 'pg_%' ORDER BY 1`,
  );
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const out = new Map<string, number>();
    for (const { t } of tables)
      out.set(t, Number((await c.query(`SELECT count(*) AS n FROM ONLY ${t}`)).rows[0].n));
    return out;
  } finally {
    await c.end();
  }
}

function compareCounts(src: Map<string, number>, tgt: Map<string, number>): string[] {
  const diffs: string[] = [];
  for (const [t, n] of src) {
    if (tgt.get(t) !== n) diffs.push(`${t}: source ${n} rows, target ${tgt.get(t) ?? "missing"}`);
  }
  return diffs;
}

// ---------------------------------------------------------------------------------------------
// Tools
// ---------------------------------------------------------------------------------------------

/** Transpiles the engine to plain JS under .dev/ so its process carries no TypeScript compiler. */
function buildEngineJs(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require("typescript") as typeof import("typescript");
  const srcDir = path.join(ROOT, "components/data/engine");
  const outDir = path.join(ROOT, ".dev/bench-engine");
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  for (const f of fs.readdirSync(srcDir).filter((f) => f.endsWith(".ts"))) {
    const out = ts.transpileModule(fs.readFileSync(path.join(srcDir, f), "utf8"), {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    fs.writeFileSync(path.join(outDir, f.replace(/\.ts$/, ".js")), out.outputText);
  }
  const runner = path.join(outDir, "run-import.js");
  fs.writeFileSync(
    runner,
    `const { importDatabase } = require("./index.js");
const t0 = Date.now();
const log = process.env.BENCH_ENGINE_LOG
  ? (l) => require("fs").appendFileSync(process.env.BENCH_ENGINE_LOG, ((Date.now() - t0) / 1000).toFixed(2) + "s " + l + "\\n")
  : undefined;
importDatabase({ source: { url: process.env.BENCH_SOURCE_URL }, target: { url: process.env.BENCH_TARGET_URL },
  jobs: Number(process.env.BENCH_JOBS), log })
  .then((r) => { process.stdout.write(JSON.stringify({ rows: r.rows, bytes: r.bytes, tables: r.tables, durationMs: r.durationMs }) + "\\n"); })
  .catch((e) => { console.error(e.message); process.exit(1); });\n`,
  );
  return runner;
}

interface Ctx {
  src: PgCluster;
  tgt: PgCluster;
  jobs: number;
  env: NodeJS.ProcessEnv;
  work: string;
  engineRunner?: string;
}

async function runTool(tool: Tool, ctx: Ctx): Promise<RunResult> {
  const { src, tgt, jobs, env, work } = ctx;
  const bin = (b: string) => path.join(src.binDir, b);
  const conn = (c: PgCluster) => ["-h", c.host, "-p", String(c.port), "-U", "postgres"];
  if (tool === "engine") {
    return runSampled(process.execPath, [ctx.engineRunner!], {
      ...env,
      BENCH_SOURCE_URL: src.url("bench"),
      BENCH_TARGET_URL: tgt.url("tgt"),
      BENCH_JOBS: String(jobs),
      BENCH_ENGINE_LOG: path.join(work, "engine.log"),
    });
  }
  if (tool === "pgdump" || tool === "pgdump0") {
    const dir = path.join(work, "dump");
    fs.rmSync(dir, { recursive: true, force: true });
    const z = tool === "pgdump0" ? ["-Z0"] : [];
    const dump = await runSampled(
      bin("pg_dump"),
      ["-Fd", "-j", String(jobs), ...z, "-f", dir, ...conn(src), "bench"],
      env,
    );
    const restore = await runSampled(
      bin("pg_restore"),
      ["-j", String(jobs), "--no-owner", "--no-acl", "-d", "tgt", ...conn(tgt), dir],
      env,
    );
    fs.rmSync(dir, { recursive: true, force: true });
    return {
      seconds: dump.seconds + restore.seconds,
      peakRssMb: Math.max(dump.peakRssMb, restore.peakRssMb),
      peakPssMb: Math.max(dump.peakPssMb, restore.peakPssMb),
    };
  }
  const dir = path.join(work, "pgcopydb");
  fs.rmSync(dir, { recursive: true, force: true });
  const noPw = (c: PgCluster, db: string) => `postgres://postgres@${c.host}:${c.port}/${db}?sslmode=disable`;
  const r = await runSampled(
    "pgcopydb",
    [
      "clone",
      "--source",
      noPw(src, "bench"),
      "--target",
      noPw(tgt, "tgt"),
      "--dir",
      dir,
      "--table-jobs",
      String(jobs),
      "--index-jobs",
      String(jobs),
      "--no-owner",
      "--no-acl",
    ],
    env,
    { detached: true },
  );
  fs.rmSync(dir, { recursive: true, force: true });
  return r;
}

// ---------------------------------------------------------------------------------------------

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-import-"));
  const settings = {
    shared_buffers: "256MB",
    maintenance_work_mem: "256MB",
    max_wal_size: "4GB",
    checkpoint_timeout: "15min",
    max_parallel_maintenance_workers: "2",
  };
  log(`starting source and target clusters`);
  const src = await startPgCluster({ settings });
  const tgt = await startPgCluster({ settings });
  try {
    // Passwords reach the tools through a pgpass file, never through argv.
    const pgpass = path.join(work, "pgpass");
    fs.writeFileSync(
      pgpass,
      [src, tgt].map((c) => `${c.host}:${c.port}:*:postgres:${c.password}`).join("\n") + "\n",
      { mode: 0o600 },
    );
    const env = { ...process.env, PGPASSFILE: pgpass, PATH: `${src.binDir}:${process.env.PATH}` };
    await buildDataset(src, opts.sizeMb, env);
    const [{ size }] = await query<{ size: string }>(
      src.url("bench"),
      "SELECT pg_database_size('bench') AS size",
    );
    const dbMb = Number(size) / 1024 / 1024;
    const srcCounts = await rowCounts(src.url("bench"));
    const totalRows = [...srcCounts.values()].reduce((a, b) => a + b, 0);
    log(`dataset ready: ${dbMb.toFixed(1)} MiB, ${srcCounts.size} tables, ${totalRows} rows`);
    const ctx: Ctx = { src, tgt, jobs: opts.jobs, env, work };
    if (opts.tools.includes("engine")) ctx.engineRunner = buildEngineJs();

    const results: Record<string, RunResult[]> = {};
    const perRound: Record<string, number>[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      const order = opts.tools.map((_, i) => opts.tools[(i + round) % opts.tools.length]);
      const times: Record<string, number> = {};
      for (const tool of order) {
        tgt.dropDatabase("tgt");
        tgt.createDatabase("tgt");
        tgt.psql("CHECKPOINT");
        src.psql("CHECKPOINT");
        log(`round ${round + 1}: ${tool}…`);
        const r = await runTool(tool, ctx);
        const diffs = compareCounts(srcCounts, await rowCounts(tgt.url("tgt")));
        if (diffs.length)
          throw new Error(`${tool} left a different target:\n${diffs.slice(0, 10).join("\n")}`);
        const engineLog = path.join(work, "engine.log");
        if (fs.existsSync(engineLog)) {
          // The engine's own lines with elapsed seconds: where its time went.
          for (const l of fs.readFileSync(engineLog, "utf8").trim().split("\n")) log(`  engine ${l}`);
          fs.rmSync(engineLog);
        }
        log(
          `round ${round + 1}: ${tool} ${r.seconds.toFixed(2)} s, peak RSS ${r.peakRssMb.toFixed(0)} MB (PSS ${r.peakPssMb.toFixed(0)} MB), verified`,
        );
        (results[tool] ??= []).push(r);
        times[tool] = r.seconds;
      }
      perRound.push(times);
    }

    const lines: string[] = [];
    lines.push(
      `Dataset: ${dbMb.toFixed(1)} MiB (pg_database_size), ${srcCounts.size} tables, ${totalRows} rows; ` +
        `N = ${opts.jobs}; ${opts.rounds} round(s); ${os.cpus().length} CPUs; PostgreSQL ${path.basename(path.dirname(src.binDir))}.`,
    );
    lines.push("");
    lines.push(
      "| tool | wall s, median [min–max] | MiB/s | engine speed-up (median of per-round ratios) | peak RSS MB (max) | peak PSS MB (max) |",
    );
    lines.push("|---|---|---|---|---|---|");
    for (const tool of opts.tools) {
      const secs = results[tool].map((r) => r.seconds);
      const ratio =
        tool === "engine" || !results.engine
          ? "—"
          : `${median(perRound.map((t) => t[tool] / t.engine)).toFixed(2)}×`;
      lines.push(
        `| ${tool} | ${median(secs).toFixed(2)} [${Math.min(...secs).toFixed(2)}–${Math.max(...secs).toFixed(2)}] | ` +
          `${(dbMb / median(secs)).toFixed(1)} | ${ratio} | ${Math.max(...results[tool].map((r) => r.peakRssMb)).toFixed(0)} | ` +
          `${Math.max(...results[tool].map((r) => r.peakPssMb)).toFixed(0)} |`,
      );
    }
    lines.push("");
    lines.push(
      "Per round (seconds): " +
        perRound
          .map((t) =>
            JSON.stringify(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Number(v.toFixed(2))]))),
          )
          .join(" "),
    );
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    src.stop();
    tgt.stop();
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(path.join(ROOT, ".dev/bench-engine"), { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench-import: ${(e as Error).message}`);
  process.exit(1);
});
