/**
 * Throwaway (or persistent) PostgreSQL clusters on loopback for tests, the benchmark and the dev
 * stack. The server refuses to run as root, so when we are root every server command runs as the
 * `postgres` OS user in a directory it owns.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

export interface PgClusterOptions {
  /** Fixed port; default a random free loopback port. */
  port?: number;
  /**
   * Serve TLS with a self-signed certificate and refuse plaintext connections, as Heroku Postgres
   * does. Default false.
   */
  tls?: boolean;
  /**
   * Keep the cluster here across runs (created if missing, reused if it holds a cluster, never
   * deleted by `stop()`). Default: a temp dir removed by `stop()`.
   */
  dataDir?: string;
  /** Directory with initdb/pg_ctl/postgres. Default: the highest /usr/lib/postgresql/<n>/bin. */
  binDir?: string;
  /** Superuser (`postgres`) password for TCP connections. Default: a random one. */
  password?: string;
  /** Extra postgresql.conf settings. */
  settings?: Record<string, string>;
  /** fsync/synchronous_commit off: quick but unsafe on power loss. Default true for temp clusters. */
  unsafeFast?: boolean;
}

export interface PgCluster {
  readonly host: string;
  readonly port: number;
  readonly superuser: string;
  readonly password: string;
  readonly dataDir: string;
  readonly binDir: string;
  readonly tls: boolean;
  /** A URL for the superuser (or the given role) to `database`. */
  url(database?: string, user?: string, password?: string): string;
  /** Runs SQL through psql as the superuser; returns stdout. Throws with psql's stderr. */
  psql(sql: string, database?: string): string;
  createDatabase(name: string, owner?: string): void;
  dropDatabase(name: string): void;
  stop(): void;
}

/** The highest installed PostgreSQL major's bin dir. */
export function defaultPgBinDir(): string {
  const root = "/usr/lib/postgresql";
  const majors = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((d) => /^\d+$/.test(d) && fs.existsSync(path.join(root, d, "bin", "initdb")))
        .map(Number)
        .sort((a, b) => b - a)
    : [];
  if (majors.length === 0) throw new Error(`no PostgreSQL server binaries under ${root}`);
  return path.join(root, String(majors[0]), "bin");
}

/** Asks the kernel for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const isRoot = (): boolean => typeof process.getuid === "function" && process.getuid() === 0;

/** Runs a server binary as the postgres OS user when we are root. */
function runAsPostgres(bin: string, args: string[], opts: { allowFail?: boolean } = {}): string {
  const [cmd, argv] = isRoot() ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, argv, { encoding: "utf8", cwd: "/" });
  if (r.status !== 0 && !opts.allowFail) {
    throw new Error(`${path.basename(bin)} ${args[0] ?? ""} failed (${r.status}): ${r.stderr || r.stdout}`);
  }
  return r.stdout;
}

function chownToPostgres(p: string): void {
  if (!isRoot()) return;
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  fs.chownSync(p, uid, gid);
}

function writeSelfSignedCert(dataDir: string): void {
  const key = path.join(dataDir, "server.key");
  const crt = path.join(dataDir, "server.crt");
  execFileSync(
    "openssl",
    ["req", "-new", "-x509", "-days", "2", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", crt],
    { stdio: "ignore" },
  );
  fs.chmodSync(key, 0o600);
  chownToPostgres(key);
  chownToPostgres(crt);
}

const live = new Set<PgCluster>();
const stopAll = (): void => {
  for (const c of live) c.stop();
};
// mocha --exit and crashed scripts: never leave a server running behind us.
process.once("exit", stopAll);
for (const sig of ["SIGTERM", "SIGHUP"] as const) {
  process.once(sig, () => {
    stopAll();
    // Keep the signal's default effect unless someone else handles it.
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  });
}

/** Starts a cluster and waits until it accepts connections. */
export async function startPgCluster(opts: PgClusterOptions = {}): Promise<PgCluster> {
  const binDir = opts.binDir ?? defaultPgBinDir();
  const persistent = opts.dataDir !== undefined;
  const root = persistent ? path.resolve(opts.dataDir!) : fs.mkdtempSync(path.join(os.tmpdir(), "pgc-"));
  fs.mkdirSync(root, { recursive: true });
  chownToPostgres(root);
  const dataDir = path.join(root, "data");
  const passwordFile = path.join(root, "superuser-password");
  const password =
    opts.password ??
    (fs.existsSync(passwordFile)
      ? fs.readFileSync(passwordFile, "utf8").trim()
      : `pw-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`);
  const tls = opts.tls ?? false;

  if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) {
    const pwTmp = path.join(root, "pw.tmp");
    fs.writeFileSync(pwTmp, password + "\n", { mode: 0o600 });
    chownToPostgres(pwTmp);
    runAsPostgres(path.join(binDir, "initdb"), [
      "-D",
      dataDir,
      "-U",
      "postgres",
      "--pwfile",
      pwTmp,
      "-E",
      "UTF8",
      "--locale=C.UTF-8",
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
    ]);
    fs.rmSync(pwTmp);
    fs.writeFileSync(passwordFile, password + "\n", { mode: 0o600 });
  }

  const port = opts.port ?? (await freePort());
  const unsafeFast = opts.unsafeFast ?? !persistent;
  const settings: Record<string, string> = {
    listen_addresses: "'127.0.0.1'",
    port: String(port),
    unix_socket_directories: `'${root}'`,
    max_connections: "60",
    shared_buffers: "64MB",
    ...(unsafeFast ? { fsync: "off", synchronous_commit: "off", full_page_writes: "off" } : {}),
    ...(tls ? { ssl: "on" } : { ssl: "off" }),
    ...opts.settings,
  };
  // postgresql.auto.conf is rewritten each start, so settings (port included) follow the options.
  fs.writeFileSync(
    path.join(dataDir, "postgresql.auto.conf"),
    Object.entries(settings)
      .map(([k, v]) => `${k} = ${v}`)
      .join("\n") + "\n",
  );
  chownToPostgres(path.join(dataDir, "postgresql.auto.conf"));
  const hba = tls
    ? ["local all all trust", "hostssl all all 127.0.0.1/32 scram-sha-256"]
    : ["local all all trust", "host all all 127.0.0.1/32 scram-sha-256"];
  fs.writeFileSync(path.join(dataDir, "pg_hba.conf"), hba.join("\n") + "\n");
  chownToPostgres(path.join(dataDir, "pg_hba.conf"));
  if (tls && !fs.existsSync(path.join(dataDir, "server.crt"))) writeSelfSignedCert(dataDir);

  const logFile = path.join(root, "server.log");
  const pgCtl = path.join(binDir, "pg_ctl");
  const status = isRoot()
    ? spawnSync("runuser", ["-u", "postgres", "--", pgCtl, "-D", dataDir, "status"], {
        stdio: "ignore",
        cwd: "/",
      })
    : spawnSync(pgCtl, ["-D", dataDir, "status"], { stdio: "ignore" });
  if (persistent && status.status === 0) {
    // Left running by an earlier process: restart it so the settings above (port…) apply.
    runAsPostgres(pgCtl, ["-D", dataDir, "-m", "fast", "-w", "stop"]);
  }
  runAsPostgres(path.join(binDir, "pg_ctl"), ["-D", dataDir, "-l", logFile, "-w", "-t", "60", "start"]);

  let stopped = false;
  const psqlBin = path.join(binDir, "psql");
  const cluster: PgCluster = {
    host: "127.0.0.1",
    port,
    superuser: "postgres",
    password,
    dataDir,
    binDir,
    tls,
    url(database = "postgres", user = "postgres", pw = password) {
      const q = tls ? "?sslmode=require" : "?sslmode=disable";
      return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(pw)}@127.0.0.1:${port}/${encodeURIComponent(database)}${q}`;
    },
    psql(sql, database = "postgres") {
      // Over the unix socket (trust): no password anywhere near a command line.
      const r = spawnSync(
        psqlBin,
        [
          "-X",
          "-q",
          "-A",
          "-t",
          "-v",
          "ON_ERROR_STOP=1",
          "-h",
          root,
          "-p",
          String(port),
          "-U",
          "postgres",
          "-d",
          database,
        ],
        {
          input: sql,
          encoding: "utf8",
          maxBuffer: 256 * 1024 * 1024,
        },
      );
      if (r.status !== 0) throw new Error(`psql on ${database} failed: ${r.stderr}`);
      return r.stdout;
    },
    createDatabase(name, owner) {
      cluster.psql(
        `CREATE DATABASE "${name.replace(/"/g, '""')}"${owner ? ` OWNER "${owner.replace(/"/g, '""')}"` : ""}`,
      );
    },
    dropDatabase(name) {
      cluster.psql(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      live.delete(cluster);
      runAsPostgres(
        path.join(binDir, "pg_ctl"),
        ["-D", dataDir, "-m", persistent ? "fast" : "immediate", "-w", "stop"],
        {
          allowFail: true,
        },
      );
      if (!persistent) fs.rmSync(root, { recursive: true, force: true });
    },
  };
  live.add(cluster);
  return cluster;
}
