import { execFile } from "child_process";
import { createHash } from "crypto";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { digestRef, isDigest, parseImageRef, repositoryOf } from "../formats/image-ref";

/**
 * Builds a context with `buildah` and pushes it to a registry, without any Docker daemon. Used by
 * the BuildahImage dynamic resource (`images.builder: buildah`) and by the real-build tests, so the
 * digest the program records is the one the registry serves. No Pulumi imports.
 */

export interface BuildahStorage {
  /** `--storage-driver` (e.g. `vfs` where overlay is unavailable); null = buildah's default. */
  storageDriver: string | null;
  /** `--root` (image store); null = buildah's default. */
  root: string | null;
  /** `--runroot`; null = buildah's default. */
  runroot: string | null;
  /** `--isolation` for RUN steps (`chroot` in unprivileged sandboxes); null = buildah's default. */
  isolation: string | null;
}

export interface BuildahBuildSpec {
  /** `repo:tag` to push to. */
  imageName: string;
  context: string;
  dockerfile: string | null;
  buildArgs: Record<string, string>;
  target: string | null;
  platform: string | null;
  registryUsername: string | null;
  /** Plaintext only inside this call; written to a 0600 auth file that is removed afterwards. */
  registryPassword: string | null;
  storage: BuildahStorage;
}

function globalFlags(s: BuildahStorage): string[] {
  return [
    ...(s.root ? ["--root", s.root] : []),
    ...(s.runroot ? ["--runroot", s.runroot] : []),
    ...(s.storageDriver ? ["--storage-driver", s.storageDriver] : []),
  ];
}

/** True for registries on the loopback interface, which are spoken to over plain HTTP. */
export function isLoopbackRegistry(host: string): boolean {
  return /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host);
}

async function buildah(args: string[], what: string, redact: (s: string) => string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)("buildah", args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string; code?: unknown };
    if (err.code === "ENOENT")
      throw new Error(`${what}: buildah is not installed (apt-get install buildah)`, { cause: e });
    const detail = (err.stderr || err.message).trim().split("\n").slice(-5).join("\n");
    // The cause is left out: buildah's output may quote a registry password; only the redacted text.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(redact(`${what} failed: ${detail}`));
  }
}

/** Builds and pushes; returns `repo@sha256:…` of the pushed manifest. */
export async function buildAndPush(spec: BuildahBuildSpec): Promise<string> {
  const ref = parseImageRef(spec.imageName, "imageName");
  if (ref.registry === null) throw new Error(`imageName ${spec.imageName} must name its registry host`);
  const secret = spec.registryPassword;
  const redact = (s: string) => (secret ? s.split(secret).join("[secret]") : s);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), "h2h-buildah-"));
  const local = `localhost/h2h-build-${createHash("sha256").update(spec.imageName).digest("hex").slice(0, 12)}:latest`;
  try {
    const bud = [...globalFlags(spec.storage), "bud", "--quiet", "--tag", local];
    if (spec.storage.isolation) bud.push("--isolation", spec.storage.isolation);
    if (spec.dockerfile) bud.push("--file", spec.dockerfile);
    for (const k of Object.keys(spec.buildArgs).sort()) bud.push("--build-arg", `${k}=${spec.buildArgs[k]}`);
    if (spec.target) bud.push("--target", spec.target);
    if (spec.platform) bud.push("--platform", spec.platform);
    bud.push(spec.context);
    await buildah(bud, `building ${spec.imageName}`, redact);

    const digestFile = path.join(work, "digest");
    const push = [...globalFlags(spec.storage), "push", "--quiet", "--digestfile", digestFile];
    if (isLoopbackRegistry(ref.registry)) push.push("--tls-verify=false");
    if (spec.registryUsername !== null && secret !== null) {
      // An auth file, not --creds: a password on the command line is visible to every local user.
      const authfile = path.join(work, "auth.json");
      const auth = Buffer.from(`${spec.registryUsername}:${secret}`).toString("base64");
      await fs.writeFile(authfile, JSON.stringify({ auths: { [ref.registry]: { auth } } }), { mode: 0o600 });
      push.push("--authfile", authfile);
    }
    push.push(local, `docker://${spec.imageName}`);
    await buildah(push, `pushing ${spec.imageName}`, redact);
    const digest = (await fs.readFile(digestFile, "utf8")).trim();
    if (!isDigest(digest)) throw new Error(`pushing ${spec.imageName}: buildah reported no sha256 digest`);
    await buildah([...globalFlags(spec.storage), "rmi", local], `removing ${local}`, redact).catch(
      () => undefined,
    );
    return digestRef(repositoryOf({ ...ref, tag: null, digest: null }), digest);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/**
 * A content digest of a build context directory (paths, modes, contents; `.git` skipped), so the
 * resource rebuilds exactly when the context changes.
 */
export async function directoryDigest(dir: string): Promise<string> {
  const hash = createHash("sha256");
  async function walk(rel: string): Promise<void> {
    const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.name === ".git") continue;
      const full = path.join(dir, p);
      if (e.isDirectory()) {
        hash.update(`d ${p}\n`);
        await walk(p);
      } else if (e.isSymbolicLink()) {
        hash.update(`l ${p} ${await fs.readlink(full)}\n`);
      } else if (e.isFile()) {
        const st = await fs.stat(full);
        hash.update(`f ${p} ${(st.mode & 0o777).toString(8)} ${st.size}\n`);
        hash.update(await fs.readFile(full));
      }
    }
  }
  await walk("");
  return "sha256:" + hash.digest("hex");
}

/** Digest of a Dockerfile build context, plus its Dockerfile (which may live outside the context). */
export async function dockerfileContextDigest(context: string, dockerfile: string | null): Promise<string> {
  const dir = await directoryDigest(context).catch((e: Error) => {
    throw new Error(`build context ${context} cannot be read: ${e.message}`);
  });
  if (dockerfile === null) return dir;
  const file = await fs.readFile(dockerfile).catch(() => {
    throw new Error(`Dockerfile ${dockerfile} not found`);
  });
  return "sha256:" + createHash("sha256").update(dir).update(file).digest("hex");
}
