/**
 * Scale benchmark (a script that prints figures, not a test): N copies of the example app, each with
 * its own add-ons, planned and applied to a local Kubernetes control plane by the real engine.
 *
 *   npm run bench:scale                 # 1, 10 and 50 apps
 *   npm run bench:scale -- --apps 5,20  # other sizes
 *
 * For each N: `pulumi preview`, a first `pulumi up`, a no-change `pulumi up` (wall times), the
 * number of resources in the stack, the program's peak RSS (the Node.js process running index.ts,
 * read from /proc while each command runs), and the machine's load average before each run. A
 * dedicated Kubernetes cluster, a Postgres cluster holding each app's target database (the stack
 * sets the owners' generated passwords there) and a throwaway file backend are used and removed at
 * the end. The data import is off: this measures the program and the engine, not the copy.
 */
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { sqlIdentifier } from "../components/plan/names";
import {
  ensureClusterBinaries,
  PORT_BLOCK,
  portBlockFree,
  startKubeCluster,
  stopKubeCluster,
  TEST_PORT_RANGE,
} from "./lib/kube-cluster";
import { startPgCluster } from "./lib/pg-cluster";
import { engineEnv, ensureEngine } from "../tools/engine";

const REPO = path.resolve(__dirname, "..");
const PROJECT = "heroku-to-hasura";

interface Snapshot {
  apps: Record<string, unknown>[];
  [k: string]: unknown;
}

/** N renamed copies of the example snapshot's app: own names, ids, add-ons and domains. */
export function multiplySnapshot(
  example: Snapshot,
  n: number,
): { file: Snapshot; apps: string[]; redis: string[]; databases: string[] } {
  const template = JSON.stringify(example.apps[0]);
  const appName = (example.apps[0] as { app: { name: string } }).app.name;
  const addons = (example.apps[0] as { addons: { name: string; service: string }[] }).addons;
  const apps: Record<string, unknown>[] = [];
  const names: string[] = [];
  const redis: string[] = [];
  const databases: string[] = [];
  for (let i = 1; i <= n; i++) {
    const tag = `${n}x${String(i).padStart(3, "0")}`;
    let text = template.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (uuid) => {
      const h = crypto.createHash("sha256").update(`${uuid}/${tag}`).digest("hex");
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    });
    for (const a of addons) text = text.split(`"${a.name}"`).join(`"${a.name}-${tag}"`);
    text = text.split(`"${appName}"`).join(`"${appName}-${tag}"`);
    text = text.split(".acme.example.com").join(`-${tag}.acme.example.com`);
    apps.push(JSON.parse(text) as Record<string, unknown>);
    names.push(`${appName}-${tag}`);
    for (const a of addons) if (a.service === "heroku-redis") redis.push(`${a.name}-${tag}`);
    for (const a of addons) if (a.service === "heroku-postgresql") databases.push(`${a.name}-${tag}`);
  }
  return { file: { ...example, apps }, apps: names, redis, databases };
}

/** Peak resident memory of the program process (node …/cmd/run … --stack <stack>), in MiB. */
class ProgramRss {
  peakMiB = 0;
  private timer: NodeJS.Timeout;
  constructor(private readonly stack: string) {
    this.timer = setInterval(() => this.sample(), 100);
  }
  private sample(): void {
    for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      try {
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
        if (!cmd.includes("cmd/run") || !cmd.includes(this.stack)) continue;
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
        if (m) this.peakMiB = Math.max(this.peakMiB, Math.round(Number(m[1]) / 1024));
      } catch {
        // the process ended between listing and reading
      }
    }
  }
  stop(): number {
    clearInterval(this.timer);
    return this.peakMiB;
  }
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<{ code: number; out: string; seconds: number }> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: REPO, env, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.stdin.end(input ?? "");
    child.on("close", (code) =>
      resolve({ code: code ?? 1, out, seconds: Number(process.hrtime.bigint() - t0) / 1e9 }),
    );
  });
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

async function main(argv: string[]): Promise<void> {
  let sizes = [1, 10, 50];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--apps" && argv[i + 1]) sizes = argv[++i].split(",").map(Number);
    else throw new Error("usage: npm run bench:scale -- [--apps 1,10,50]");
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "h2h-bench-scale-"));
  const bins = ensureClusterBinaries(REPO);
  let base = TEST_PORT_RANGE.first;
  while (!(await portBlockFree(base))) base += PORT_BLOCK;
  const t0 = Date.now();
  const cluster = await startKubeCluster({
    ...bins,
    dir: path.join(work, "kube"),
    basePort: base,
    detached: false,
  });
  const clusterStart = (Date.now() - t0) / 1000;
  const pg = await startPgCluster();
  const engine = ensureEngine();
  const pulumi = path.join(engine.bin, "pulumi");
  const env = {
    ...engineEnv(engine),
    PULUMI_CONFIG_PASSPHRASE: "bench-only",
    PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
  };
  fs.mkdirSync(path.join(work, "state"));
  const example = JSON.parse(
    fs.readFileSync(path.join(REPO, "examples", "snapshot.json"), "utf8"),
  ) as Snapshot;
  console.log(
    `cluster started in ${clusterStart.toFixed(1)} s; node ${process.version}; ${os.cpus().length} CPUs`,
  );
  console.log(
    "| apps | resources | preview (s) | first up (s) | no-change up (s) | program peak RSS (MiB) | load before |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---|");
  try {
    for (const n of sizes) {
      const stack = `bench-${n}`;
      const { file, apps, redis, databases } = multiplySnapshot(example, n);
      // postgres.manageDatabase false: the databases and their owner roles exist before `up`.
      for (const db of databases) {
        pg.psql(`CREATE ROLE ${sqlIdentifier(db, "_owner")} LOGIN`);
        pg.createDatabase(sqlIdentifier(db), sqlIdentifier(db, "_owner"));
      }
      const snapshotFile = path.join(work, `snapshot-${n}.json`);
      fs.writeFileSync(snapshotFile, JSON.stringify(file));
      const configFile = path.join(work, `Pulumi.${stack}.yaml`);
      const config = {
        [`${PROJECT}:heroku`]: { snapshotFile, apps },
        [`${PROJECT}:cluster`]: { namespace: stack, createNamespace: true },
        [`${PROJECT}:postgres`]: {
          host: "127.0.0.1",
          port: pg.port,
          adminUser: "postgres",
          manageDatabase: false,
        },
        [`${PROJECT}:images`]: {
          apps: Object.fromEntries(
            apps.map((a) => [
              a,
              { strategy: "image", image: `registry.invalid/${a}@sha256:${"5".repeat(64)}` },
            ]),
          ),
        },
        [`${PROJECT}:addons`]: Object.fromEntries(redis.map((r) => [r, { startEmpty: true }])),
      };
      fs.writeFileSync(configFile, JSON.stringify({ config }));
      const common = ["--stack", stack, "--config-file", configFile, "--non-interactive", "--color", "never"];
      await run(pulumi, ["stack", "init", stack, "--non-interactive"], env);
      for (const [key, value] of [
        ["kubeconfig", cluster.kubeconfig],
        ["postgresPassword", pg.password],
      ]) {
        const set = await run(
          pulumi,
          ["config", "set", "--secret", `${PROJECT}:${key}`, ...common.slice(0, 4)],
          env,
          value,
        );
        if (set.code !== 0) throw new Error(`config set ${key} failed:\n${set.out}`);
      }
      const timed = async (args: string[]) => {
        const before = load();
        const rss = new ProgramRss(stack);
        const r = await run(pulumi, [...args, ...common], env);
        const peak = rss.stop();
        if (r.code !== 0)
          throw new Error(`pulumi ${args.join(" ")} (${n} apps) failed:\n${r.out.slice(-3000)}`);
        return { seconds: r.seconds, peak, before };
      };
      const preview = await timed(["preview"]);
      const up = await timed(["up", "--yes", "--skip-preview"]);
      const again = await timed(["up", "--yes", "--skip-preview"]);
      const exported = await run(pulumi, ["stack", "export", "--stack", stack], env);
      const resources = (JSON.parse(exported.out) as { deployment: { resources: unknown[] } }).deployment
        .resources.length;
      console.log(
        `| ${n} | ${resources} | ${preview.seconds.toFixed(1)} | ${up.seconds.toFixed(1)} | ${again.seconds.toFixed(1)} | ` +
          `${Math.max(preview.peak, up.peak, again.peak)} | ${preview.before} / ${up.before} / ${again.before} |`,
      );
      // The next size starts from an empty cluster namespace: unprotect and destroy this one.
      await run(pulumi, ["state", "unprotect", "--all", "--yes", "--stack", stack], env);
      await run(pulumi, ["destroy", "--yes", "--skip-preview", ...common], env);
    }
  } finally {
    stopKubeCluster(path.join(work, "kube"), 3000);
    // `pulumi stack init` writes each stack's encryption salt next to Pulumi.yaml.
    for (const n of sizes) fs.rmSync(path.join(REPO, `Pulumi.bench-${n}.yaml`), { force: true });
    pg.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
