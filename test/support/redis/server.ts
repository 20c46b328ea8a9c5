/**
 * Throwaway Redis servers on loopback for tests: Debian's `redis-server` (scripts/ci-setup.sh
 * installs it), each in a temp dir with a random port and password, optionally TLS-only with a
 * certificate from a test CA made here (as Heroku's Key-Value Store serves `rediss://` only).
 * Stopped when the process exits.
 */
import { execFileSync, spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort } from "../../../scripts/lib/pg-cluster";

export interface RedisServerOptions {
  /** Serve TLS only (no plaintext port), with a certificate signed by a test CA. Default false. */
  tls?: boolean;
  /** `requirepass`; default a random password. null = no password. */
  password?: string | null;
  /** Extra redis.conf lines. */
  config?: string[];
  /** Fixed port; default a random free loopback port. */
  port?: number;
}

export interface RedisServer {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly password: string | null;
  /** PEM of the CA that signed the server's certificate (TLS servers). */
  readonly caPem: string | null;
  /** `redis://` or `rediss://` URL with the password (and `db` as the path when given). */
  url(db?: number, password?: string | null): string;
  /** Runs redis-cli against the server; returns stdout. */
  cli(...args: string[]): string;
  stop(): void;
}

const live = new Set<RedisServer>();
process.once("exit", () => {
  for (const s of live) s.stop();
});

let tlsMaterial: { dir: string; ca: string; cert: string; key: string } | undefined;

/** A CA and a server certificate for 127.0.0.1, made once per process. */
function testTls(): { dir: string; ca: string; cert: string; key: string } {
  if (tlsMaterial) return tlsMaterial;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-tls-"));
  const f = (n: string) => path.join(dir, n);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  ssl(
    "req",
    "-x509",
    "-new",
    "-nodes",
    "-newkey",
    "rsa:2048",
    "-days",
    "2",
    "-subj",
    "/CN=test-ca",
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.crt"),
  );
  ssl(
    "req",
    "-new",
    "-nodes",
    "-newkey",
    "rsa:2048",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    f("server.key"),
    "-out",
    f("server.csr"),
  );
  fs.writeFileSync(f("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  ssl(
    "x509",
    "-req",
    "-in",
    f("server.csr"),
    "-CA",
    f("ca.crt"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    f("ext.cnf"),
    "-out",
    f("server.crt"),
  );
  tlsMaterial = { dir, ca: f("ca.crt"), cert: f("server.crt"), key: f("server.key") };
  return tlsMaterial;
}

/** Starts a redis-server and waits until it accepts connections. */
export async function startRedis(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-"));
  const port = opts.port ?? (await freePort());
  const tls = opts.tls ?? false;
  const password =
    opts.password === undefined
      ? `rpw-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`
      : opts.password;
  const lines = [
    "bind 127.0.0.1",
    `dir ${dir}`,
    'save ""',
    "appendonly no",
    "enable-debug-command local",
    "loglevel warning",
    ...(tls
      ? (() => {
          const t = testTls();
          return [
            "port 0",
            `tls-port ${port}`,
            `tls-cert-file ${t.cert}`,
            `tls-key-file ${t.key}`,
            `tls-ca-cert-file ${t.ca}`,
            "tls-auth-clients no",
          ];
        })()
      : [`port ${port}`]),
    ...(password === null ? [] : [`requirepass ${password}`]),
    ...(opts.config ?? []),
  ];
  const conf = path.join(dir, "redis.conf");
  fs.writeFileSync(conf, lines.join("\n") + "\n", { mode: 0o600 });
  const child: ChildProcess = spawn("redis-server", [conf], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout!.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  const caPem = tls ? fs.readFileSync(testTls().ca, "utf8") : null;
  const cliBase = [
    "-h",
    "127.0.0.1",
    "-p",
    String(port),
    ...(tls ? ["--tls", "--cacert", testTls().ca] : []),
  ];
  const server: RedisServer = {
    host: "127.0.0.1",
    port,
    tls,
    password,
    caPem,
    url(db?: number, pw: string | null = password) {
      const auth = pw === null ? "" : `:${encodeURIComponent(pw)}@`;
      return `${tls ? "rediss" : "redis"}://${auth}127.0.0.1:${port}${db === undefined ? "" : `/${db}`}`;
    },
    cli(...args: string[]) {
      return execFileSync("redis-cli", [...cliBase, ...args], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, ...(password === null ? {} : { REDISCLI_AUTH: password }) },
      });
    },
    stop() {
      if (!live.has(server)) return;
      live.delete(server);
      child.kill("SIGKILL");
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(server);
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${log}`);
    try {
      if (server.cli("PING").trim() === "PONG") break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      server.stop();
      throw new Error(`redis-server on ${port} did not answer PING: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return server;
}
