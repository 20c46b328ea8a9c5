/**
 * `npm run bench:import -- [--size-mb 1024] [--jobs 2] [--rounds 3] [--modes shared,pinned]
 *   [--tools engine,pgdump0,pgcopydb] [--auth scram|trust] [--source-dir DIR]`
 *
 * Builds a dataset of about `--size-mb` in a source cluster (pgbench tables via `pgbench -i -s K`,
 * wide text rows with indexes, a few hundred small tables), then, in one run and interleaved (the
 * order of tools rotates every round), copies it into a throwaway target cluster with:
 *   engine   `npm run import`'s command as npm runs it (`node scripts/lib/run-compiled.js
 *            scripts/import.ts`: plain JavaScript, compiled before the runs): copy plus its full
 *            verification
 *   pgdump0  `pg_dump -Fd -j N -Z0` then `pg_restore -j N` (no compression: the fastest stock pair here)
 *   pgdump   the same with pg_dump's default compression
 *   pgcopydb `pgcopydb clone --table-jobs N --index-jobs N` (started detached: it signals its
 *            process group on failure)
 * in each mode:
 *   shared   every process may run on every CPU
 *   pinned   the source server (postmaster and every backend) on CPU 0, the target server on CPU 1
 *            (`taskset`), the clients unpinned: two machines' worth of server, as with Heroku's
 *            server and the cluster's being different machines
 * Every tool gets the same clusters, settings and authentication (`--auth`, printed with the
 * figures). Every run is checked (row count of every table, source vs target; not timed).
 *
 * Printed per run and summarised per mode: wall seconds, CPU seconds of the tool's process tree,
 * of the source server and of the target server (from /proc: the postmaster's own, its reaped and
 * its live children's), peak RSS and PSS of the tool's process tree (sampled every 100 ms), and the
 * machine's load average before and after. Ratios are medians of per-round ratios (same round,
 * same load). A benchmark, not a test: figures, no assertions beyond "the copy is complete".
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { startPgCluster, type PgCluster } from "./lib/pg-cluster";
import { descendants, procStat } from "./lib/proc-tree";

type Tool = "engine" | "pgdump" | "pgdump0" | "pgcopydb";
type Mode = "shared" | "pinned";
type Auth = "scram" | "trust";
const ALL_TOOLS: Tool[] = ["engine", "pgdump0", "pgcopydb", "pgdump"];
const DEFAULT_TOOLS: Tool[] = ["engine", "pgdump0", "pgcopydb"];
const ALL_MODES: Mode[] = ["shared", "pinned"];

interface Options {
  sizeMb: number;
  jobs: number;
  rounds: number;
  tools: Tool[];
  modes: Mode[];
  auth: Auth;
  sourceDir?: string;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    sizeMb: 1024,
    jobs: 2,
    rounds: 3,
    tools: DEFAULT_TOOLS,
    modes: ALL_MODES,
    auth: "scram",
  };
  const list = <T extends string>(flag: string, value: string | undefined, all: T[]): T[] => {
    const xs = (value ?? "").split(",").filter(Boolean) as T[];
    const bad = xs.filter((x) => !all.includes(x));
    if (bad.length || xs.length === 0)
      throw new Error(`${flag}: unknown ${bad.join(",")}; use ${all.join(",")}`);
    return xs;
  };
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
    else if (flag === "--tools") opts.tools = list(flag, argv[++i], ALL_TOOLS);
    else if (flag === "--modes") opts.modes = list(flag, argv[++i], ALL_MODES);
    else if (flag === "--auth") opts.auth = list(flag, argv[++i], ["scram", "trust"] as Auth[])[0];
    else if (flag === "--source-dir") opts.sourceDir = path.resolve(argv[++i] ?? "");
    else throw new Error(`unknown argument ${flag}`);
  }
  return opts;
}

const ROOT = path.resolve(__dirname, "..");
const ENGINE_CLI = [path.join(ROOT, "scripts/lib/run-compiled.js"), path.join(ROOT, "scripts/import.ts")];
const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
const loadavg = () => os.loadavg().map((x) => x.toFixed(2));

// ---------------------------------------------------------------------------------------------
// /proc: process trees, memory, CPU
// ---------------------------------------------------------------------------------------------

/** CPU seconds a server has used so far: the postmaster, its reaped children, its live children. */
function serverCpu(c: PgCluster): number {
  const pm = postmasterPid(c);
  const own = procStat(pm);
  if (!own) return 0;
  let total = own.cpu + own.childrenCpu;
  for (const p of descendants(pm)) if (p !== pm) total += procStat(p)?.cpu ?? 0;
  return total;
}

function postmasterPid(c: PgCluster): number {
  return Number(fs.readFileSync(path.join(c.dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
}

/** Pins every process of a server (and so every backend it forks later) to `cpus`. */
function pinServer(c: PgCluster, cpus: string): void {
  for (const pid of descendants(postmasterPid(c))) {
    const r = spawnSync("taskset", ["-a", "-p", "-c", cpus, String(pid)], { encoding: "utf8" });
    // A backend may end between listing and pinning.
    if (r.status !== 0 && fs.existsSync(`/proc/${pid}`)) throw new Error(`taskset failed: ${r.stderr}`);
  }
}

function kbFrom(file: string, re: RegExp): number {
  try {
    const m = re.exec(fs.readFileSync(file, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

interface RunResult {
  seconds: number;
  /** CPU seconds of the tool's process tree (user + system, children included). */
  toolCpu: number;
  sourceCpu: number;
  targetCpu: number;
  /** Peak of the summed RSS / PSS of the process tree, MB. */
  peakRssMb: number;
  peakPssMb: number;
}

/**
 * Runs a command under GNU time (CPU of the whole tree, children included), sampling the summed
 * RSS and PSS of its process tree; throws on a non-zero exit.
 */
function runSampled(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  work: string,
  opts: { detached?: boolean } = {},
): Promise<Omit<RunResult, "sourceCpu" | "targetCpu">> {
  const timeFile = path.join(work, "time.txt");
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn("/usr/bin/time", ["-f", "%U %S", "-o", timeFile, cmd, ...args], {
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
      // Not the `time` wrapper itself (≈ 2 MB): the tool's tree.
      const pids = descendants(child.pid).filter((p) => p !== child.pid);
      peakKb = Math.max(
        peakKb,
        pids.reduce((s, p) => s + kbFrom(`/proc/${p}/status`, /VmRSS:\s+(\d+) kB/), 0),
      );
      peakPssKb = Math.max(
        peakPssKb,
        pids.reduce((s, p) => s + kbFrom(`/proc/${p}/smaps_rollup`, /^Pss:\s+(\d+) kB/m), 0),
      );
    }, 100);
    child.once("error", (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.once("exit", (code, signal) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0)
        return reject(new Error(`${path.basename(cmd)} failed (${code ?? signal}):\n${output}`));
      const times = fs.readFileSync(timeFile, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
      resolve({
        seconds,
        toolCpu: times[0] + times[1],
        peakRssMb: peakKb / 1024,
        peakPssMb: peakPssKb / 1024,
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Dataset
// ---------------------------------------------------------------------------------------------

const SMALL_TABLES = 300;

function buildDataset(src: PgCluster, sizeMb: number, env: NodeJS.ProcessEnv): void {
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
    VACUUM ANALYZE;
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

/** pg_hba for every TCP connection of both servers: the same authentication for every tool. */
function setAuth(c: PgCluster, auth: Auth): void {
  const method = auth === "trust" ? "trust" : "scram-sha-256";
  fs.writeFileSync(
    path.join(c.dataDir, "pg_hba.conf"),
    `local all all trust\nhost all all 127.0.0.1/32 ${method}\n`,
  );
  c.psql("SELECT pg_reload_conf()");
}

// ---------------------------------------------------------------------------------------------
// Tools
// ---------------------------------------------------------------------------------------------

interface Ctx {
  src: PgCluster;
  tgt: PgCluster;
  jobs: number;
  env: NodeJS.ProcessEnv;
  work: string;
  auth: Auth;
}

/** A URL with the password only under scram (trust takes none); the tools read it from PGPASSFILE. */
function urlOf(c: PgCluster, db: string, auth: Auth, withPassword: boolean): string {
  const pw = auth === "scram" && withPassword ? `:${encodeURIComponent(c.password)}` : "";
  return `postgres://postgres${pw}@${c.host}:${c.port}/${db}?sslmode=disable`;
}

async function runTool(tool: Tool, ctx: Ctx): Promise<Omit<RunResult, "sourceCpu" | "targetCpu">> {
  const { src, tgt, jobs, env, work } = ctx;
  const bin = (b: string) => path.join(src.binDir, b);
  const conn = (c: PgCluster) => ["-h", c.host, "-p", String(c.port), "-U", "postgres"];
  if (tool === "engine") {
    return runSampled(
      process.execPath,
      [...ENGINE_CLI, "--jobs", String(jobs)],
      {
        ...env,
        // The command takes URLs; the password is in them only under scram, as for a user.
        SOURCE_DATABASE_URL: urlOf(src, "bench", ctx.auth, true),
        TARGET_DATABASE_URL: urlOf(tgt, "tgt", ctx.auth, true),
      },
      work,
    );
  }
  if (tool === "pgdump" || tool === "pgdump0") {
    const dir = path.join(work, "dump");
    fs.rmSync(dir, { recursive: true, force: true });
    const z = tool === "pgdump0" ? ["-Z0"] : [];
    const dump = await runSampled(
      bin("pg_dump"),
      ["-Fd", "-j", String(jobs), ...z, "-f", dir, ...conn(src), "bench"],
      env,
      work,
    );
    const restore = await runSampled(
      bin("pg_restore"),
      ["-j", String(jobs), "--no-owner", "--no-acl", "-d", "tgt", ...conn(tgt), dir],
      env,
      work,
    );
    fs.rmSync(dir, { recursive: true, force: true });
    return {
      seconds: dump.seconds + restore.seconds,
      toolCpu: dump.toolCpu + restore.toolCpu,
      peakRssMb: Math.max(dump.peakRssMb, restore.peakRssMb),
      peakPssMb: Math.max(dump.peakPssMb, restore.peakPssMb),
    };
  }
  const dir = path.join(work, "pgcopydb");
  fs.rmSync(dir, { recursive: true, force: true });
  const r = await runSampled(
    "pgcopydb",
    [
      "clone",
      "--source",
      urlOf(src, "bench", ctx.auth, false),
      "--target",
      urlOf(tgt, "tgt", ctx.auth, false),
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
    work,
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
const f2 = (x: number) => x.toFixed(2);

interface Run extends RunResult {
  tool: Tool;
  mode: Mode;
  round: number;
  loadBefore: string[];
  loadAfter: string[];
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.tools.includes("pgcopydb") && spawnSync("pgcopydb", ["--version"]).status !== 0) {
    throw new Error(
      "pgcopydb is not installed (Debian: apt-get install pgcopydb), or leave it out with --tools",
    );
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-import-"));
  const settings = {
    shared_buffers: "256MB",
    maintenance_work_mem: "256MB",
    max_wal_size: "4GB",
    checkpoint_timeout: "15min",
    max_parallel_maintenance_workers: "2",
    max_connections: "100",
    // Autovacuum would start on the freshly loaded tables at moments that differ run to run and
    // tool to tool, and its CPU would be counted as the tool's: off for every tool.
    autovacuum: "off",
  };
  log(`starting source and target clusters`);
  const src = await startPgCluster({ settings, dataDir: opts.sourceDir });
  const tgt = await startPgCluster({ settings });
  try {
    // Passwords reach the tools through a pgpass file (the engine: its URL), never through argv.
    const pgpass = path.join(work, "pgpass");
    fs.writeFileSync(
      pgpass,
      [src, tgt].map((c) => `${c.host}:${c.port}:*:postgres:${c.password}`).join("\n") + "\n",
      {
        mode: 0o600,
      },
    );
    const env = { ...process.env, PGPASSFILE: pgpass, PATH: `${src.binDir}:${process.env.PATH}` };
    const has = src.psql("SELECT count(*) FROM pg_database WHERE datname = 'bench'").trim() === "1";
    if (!has) buildDataset(src, opts.sizeMb, env);
    else log(`reusing the dataset in ${opts.sourceDir}`);
    for (const c of [src, tgt]) setAuth(c, opts.auth);
    const [{ size }] = await query<{ size: string }>(
      src.url("bench"),
      "SELECT pg_database_size('bench') AS size",
    );
    const dbMb = Number(size) / 1024 / 1024;
    const srcCounts = await rowCounts(src.url("bench"));
    const totalRows = [...srcCounts.values()].reduce((a, b) => a + b, 0);
    log(`dataset ready: ${dbMb.toFixed(1)} MiB, ${srcCounts.size} tables, ${totalRows} rows`);
    const ctx: Ctx = { src, tgt, jobs: opts.jobs, env, work, auth: opts.auth };
    // Compiled once here, so no run pays for it.
    if (opts.tools.includes("engine"))
      spawnSync(process.execPath, [...ENGINE_CLI, "--help"], { stdio: "ignore" });

    const runs: Run[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      for (const mode of opts.modes) {
        const order = opts.tools.map((_, i) => opts.tools[(i + round) % opts.tools.length]);
        for (const tool of order) {
          tgt.dropDatabase("tgt");
          tgt.createDatabase("tgt");
          tgt.psql("CHECKPOINT");
          src.psql("CHECKPOINT");
          pinServer(src, mode === "pinned" ? "0" : "0-" + (os.cpus().length - 1));
          pinServer(tgt, mode === "pinned" ? "1" : "0-" + (os.cpus().length - 1));
          const loadBefore = loadavg();
          const [s0, t0] = [serverCpu(src), serverCpu(tgt)];
          const r = await runTool(tool, ctx);
          const [s1, t1] = [serverCpu(src), serverCpu(tgt)];
          const run: Run = {
            ...r,
            sourceCpu: s1 - s0,
            targetCpu: t1 - t0,
            tool,
            mode,
            round,
            loadBefore,
            loadAfter: loadavg(),
          };
          const diffs = compareCounts(srcCounts, await rowCounts(tgt.url("tgt")));
          if (diffs.length)
            throw new Error(`${tool} left a different target:\n${diffs.slice(0, 10).join("\n")}`);
          log(
            `round ${round + 1} ${mode} ${tool}: ${f2(r.seconds)} s; CPU s tool ${f2(r.toolCpu)} source ${f2(run.sourceCpu)} ` +
              `target ${f2(run.targetCpu)}; peak RSS ${r.peakRssMb.toFixed(0)} MB (PSS ${r.peakPssMb.toFixed(0)}); ` +
              `load ${loadBefore.join(" ")} → ${run.loadAfter.join(" ")}; rows checked`,
          );
          runs.push(run);
        }
      }
    }
    for (const c of [src, tgt]) pinServer(c, "0-" + (os.cpus().length - 1));
    process.stdout.write(report(runs, opts, dbMb, srcCounts.size, totalRows, src) + "\n");
  } finally {
    src.stop();
    tgt.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function report(
  runs: Run[],
  opts: Options,
  dbMb: number,
  tables: number,
  rows: number,
  src: PgCluster,
): string {
  const lines: string[] = [];
  const loads = runs.flatMap((r) => [...r.loadBefore, ...r.loadAfter].map(Number));
  lines.push(
    `Dataset: ${dbMb.toFixed(1)} MiB (pg_database_size), ${tables} tables, ${rows} rows; N = ${opts.jobs}; ` +
      `${opts.rounds} round(s); ${os.cpus().length} CPUs; PostgreSQL ${path.basename(path.dirname(src.binDir))}; ` +
      `authentication for every tool: ${opts.auth === "trust" ? "trust" : "scram-sha-256 (password)"} over loopback TCP, no TLS; ` +
      `load average (1/5/15 min) during the runs: ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}.`,
  );
  for (const mode of opts.modes) {
    const ofMode = runs.filter((r) => r.mode === mode);
    lines.push("");
    lines.push(
      mode === "shared"
        ? "Mode shared (servers and clients on any CPU):"
        : "Mode pinned (source server on CPU 0, target server on CPU 1, clients unpinned):",
    );
    lines.push("");
    lines.push(
      "| tool | wall s, median [min–max] | MiB/s | engine speed-up (median of per-round ratios) [min–max] | CPU s: tool / source / target (medians) | peak RSS MB (max) | peak PSS MB (max) | load avg 1 min [min–max] |",
    );
    lines.push("|---|---|---|---|---|---|---|---|");
    for (const tool of opts.tools) {
      const rs = ofMode.filter((r) => r.tool === tool);
      const secs = rs.map((r) => r.seconds);
      const ratios = rs
        .map((r) => {
          const e = ofMode.find((x) => x.tool === "engine" && x.round === r.round);
          return e ? r.seconds / e.seconds : NaN;
        })
        .filter((x) => Number.isFinite(x));
      const ratio =
        tool === "engine" || ratios.length === 0
          ? "—"
          : `${f2(median(ratios))}× [${f2(Math.min(...ratios))}–${f2(Math.max(...ratios))}]`;
      const l1 = rs.flatMap((r) => [Number(r.loadBefore[0]), Number(r.loadAfter[0])]);
      lines.push(
        `| ${tool} | ${f2(median(secs))} [${f2(Math.min(...secs))}–${f2(Math.max(...secs))}] | ${(dbMb / median(secs)).toFixed(1)} | ${ratio} | ` +
          `${f2(median(rs.map((r) => r.toolCpu)))} / ${f2(median(rs.map((r) => r.sourceCpu)))} / ${f2(median(rs.map((r) => r.targetCpu)))} | ` +
          `${Math.max(...rs.map((r) => r.peakRssMb)).toFixed(0)} | ${Math.max(...rs.map((r) => r.peakPssMb)).toFixed(0)} | ` +
          `${f2(median(l1))} [${f2(Math.min(...l1))}–${f2(Math.max(...l1))}] |`,
      );
    }
  }
  lines.push("");
  lines.push("Per run (round, mode, tool: wall s, load avg 1 min before → after):");
  for (const r of runs)
    lines.push(
      `  ${r.round + 1} ${r.mode} ${r.tool}: ${f2(r.seconds)} s, load ${r.loadBefore[0]} → ${r.loadAfter[0]}`,
    );
  return lines.join("\n");
}

main().catch((e) => {
  console.error(`bench-import: ${(e as Error).message}`);
  process.exit(1);
});
