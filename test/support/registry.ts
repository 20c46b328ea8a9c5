import { ChildProcess, spawn, spawnSync } from "child_process";
import { promises as fs } from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

/**
 * A real Docker registry (Debian's `docker-registry`, distribution v2) on 127.0.0.1 with a random
 * port, temporary storage and a config file written here. Installed by scripts/ci-setup.sh.
 */
export interface TestRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  /** Reads a manifest digest straight from the HTTP API (`HEAD`, `Docker-Content-Digest`). */
  manifestDigest(repository: string, reference: string): Promise<string>;
  stop(): Promise<void>;
}

const ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
].join(", ");

export function requireTool(name: string): string {
  const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  if (r.status !== 0) {
    throw new Error(
      `${name} is not installed: run scripts/ci-setup.sh (installs buildah, docker-registry, busybox-static)`,
    );
  }
  return r.stdout.trim();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitReady(host: string, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`docker-registry exited (${proc.exitCode}): ${log()}`);
    try {
      const res = await fetch(`http://${host}/v2/`);
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`docker-registry did not answer on ${host} within 10 s: ${log()}`);
}

/** A bcrypt htpasswd line (the only hash distribution accepts), made with Python's crypt module. */
function htpasswdLine(username: string, password: string): string {
  const py =
    "import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))";
  const r = spawnSync("python3", ["-W", "ignore", "-c", py, password], { encoding: "utf8" });
  if (r.status !== 0 || !r.stdout.startsWith("$2")) throw new Error(`cannot make a bcrypt hash: ${r.stderr}`);
  return `${username}:${r.stdout.trim()}\n`;
}

export interface RegistryOptions {
  /** Require HTTP basic auth (htpasswd) with these credentials. Default: anonymous. */
  auth?: { username: string; password: string };
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  requireTool("docker-registry");
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "h2h-registry-"));
  const authLines: string[] = [];
  const authHeader: Record<string, string> = {};
  if (opts.auth) {
    await fs.writeFile(path.join(dir, "htpasswd"), htpasswdLine(opts.auth.username, opts.auth.password));
    authLines.push("auth:", "  htpasswd:", "    realm: h2h-test", `    path: ${path.join(dir, "htpasswd")}`);
    authHeader.Authorization =
      "Basic " + Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString("base64");
  }
  let lastError: unknown;
  // A port picked free can be taken before the registry binds it: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const config = path.join(dir, "config.yml");
    await fs.writeFile(
      config,
      [
        "version: 0.1",
        "log:",
        "  level: warn",
        "storage:",
        "  filesystem:",
        `    rootdirectory: ${path.join(dir, "data")}`,
        "  delete:",
        "    enabled: true",
        "http:",
        `  addr: ${host}`,
        "  secret: h2h-test-only",
        ...authLines,
        "",
      ].join("\n"),
    );
    let output = "";
    const proc = spawn("docker-registry", ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
    proc.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    proc.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    try {
      await waitReady(host, proc, () => output.slice(-500));
    } catch (e) {
      lastError = e;
      proc.kill("SIGTERM");
      continue;
    }
    return {
      host,
      async manifestDigest(repository: string, reference: string): Promise<string> {
        const res = await fetch(`http://${host}/v2/${repository}/manifests/${reference}`, {
          method: "HEAD",
          headers: { Accept: ACCEPT, ...authHeader },
        });
        const digest = res.headers.get("docker-content-digest");
        if (!res.ok || digest === null)
          throw new Error(`HEAD ${repository}:${reference}: HTTP ${res.status}`);
        return digest;
      },
      async stop() {
        if (proc.exitCode === null) {
          const exited = new Promise((r) => proc.once("exit", r));
          proc.kill("SIGTERM");
          await exited;
        }
        await fs.rm(dir, { recursive: true, force: true });
      },
    };
  }
  await fs.rm(dir, { recursive: true, force: true });
  throw lastError;
}
