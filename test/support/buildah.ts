import { execFile } from "child_process";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { requireTool } from "./registry";

const run = promisify(execFile);

/**
 * Debian's `buildah` with its own storage (vfs driver, temp root and runroot), so tests need no Docker
 * daemon, share nothing with other users of the machine and leave nothing behind. `buildah run
 * --isolation chroot` runs commands in images here (`podman run` is refused by this sandbox).
 */
export class Buildah {
  private constructor(private readonly dir: string) {}

  static async create(): Promise<Buildah> {
    requireTool("buildah");
    return new Buildah(await fs.mkdtemp(path.join(os.tmpdir(), "h2h-buildah-")));
  }

  /** This instance's storage, as the program's `images.buildah` settings would name it. */
  get storage(): { storageDriver: string; root: string; runroot: string } {
    return { storageDriver: "vfs", root: path.join(this.dir, "root"), runroot: path.join(this.dir, "run") };
  }

  async exec(args: string[]): Promise<string> {
    const base = ["--root", path.join(this.dir, "root"), "--runroot", path.join(this.dir, "run")];
    try {
      const { stdout } = await run("buildah", [...base, "--storage-driver", "vfs", ...args], {
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, BUILDAH_ISOLATION: "chroot" },
      });
      return stdout;
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`buildah ${args.join(" ")} failed: ${err.stderr || err.message}`, { cause: e });
    }
  }

  /**
   * A tiny base image: scratch + Debian's static busybox with a few applet links. Nothing can be
   * pulled here, so this stands in for heroku/heroku:<N>.
   */
  async makeBusyboxBase(name: string): Promise<string> {
    const busybox = ["/bin/busybox", "/usr/bin/busybox"];
    let src: string | null = null;
    for (const b of busybox) if (await fs.stat(b).catch(() => null)) src = b;
    if (src === null)
      throw new Error("static busybox not found: install busybox-static (scripts/ci-setup.sh)");
    const c = (await this.exec(["from", "scratch"])).trim();
    const mnt = (await this.exec(["mount", c])).trim();
    await fs.mkdir(path.join(mnt, "bin"), { recursive: true });
    await fs.mkdir(path.join(mnt, "tmp"), { recursive: true });
    await fs.copyFile(src, path.join(mnt, "bin", "busybox"));
    await fs.chmod(path.join(mnt, "bin", "busybox"), 0o755);
    for (const applet of ["sh", "env", "echo", "cat", "ls", "pwd", "printf", "test", "["]) {
      await fs.symlink("busybox", path.join(mnt, "bin", applet));
    }
    await this.exec(["umount", c]);
    await this.exec(["config", "--env", "PATH=/bin", c]);
    await this.exec(["commit", "--quiet", "--rm", c, name]);
    return name;
  }

  /** `buildah bud` without pulling; returns the image id. */
  async build(
    context: string,
    tag: string,
    opts: {
      dockerfile?: string | null;
      args?: Record<string, string>;
      target?: string | null;
      platform?: string | null;
    } = {},
  ): Promise<string> {
    const args = ["bud", "--quiet", "--pull-never", "--isolation", "chroot", "--tag", tag];
    if (opts.dockerfile) args.push("--file", opts.dockerfile);
    for (const [k, v] of Object.entries(opts.args ?? {})) args.push("--build-arg", `${k}=${v}`);
    if (opts.target) args.push("--target", opts.target);
    if (opts.platform) args.push("--platform", opts.platform);
    args.push(context);
    return (await this.exec(args)).trim().split("\n").pop() ?? "";
  }

  /** Pushes to a plain-HTTP registry; returns the manifest digest buildah computed. */
  async push(image: string, destination: string): Promise<string> {
    const digestFile = path.join(this.dir, `digest-${Date.now()}-${Math.random().toString(36).slice(2)}`);
    await this.exec([
      "push",
      "--quiet",
      "--tls-verify=false",
      "--digestfile",
      digestFile,
      image,
      `docker://${destination}`,
    ]);
    return (await fs.readFile(digestFile, "utf8")).trim();
  }

  /** The image's OCI config (Entrypoint, Cmd, Env, WorkingDir). */
  async imageConfig(
    image: string,
  ): Promise<{ Entrypoint?: string[]; Cmd?: string[]; Env?: string[]; WorkingDir?: string }> {
    const out = JSON.parse(await this.exec(["inspect", "--type", "image", image])) as {
      OCIv1: { config: { Entrypoint?: string[]; Cmd?: string[]; Env?: string[]; WorkingDir?: string } };
    };
    return out.OCIv1.config;
  }

  /**
   * Runs `args` the way Kubernetes does with only `args` set: the image ENTRYPOINT followed by `args`
   * (buildah run itself ignores the entrypoint, so it is prepended here from the image config).
   */
  async runLikeKubernetes(image: string, args: string[]): Promise<string> {
    const { Entrypoint = [] } = await this.imageConfig(image);
    const c = (await this.exec(["from", "--pull-never", image])).trim();
    try {
      return await this.exec(["run", "--isolation", "chroot", c, "--", ...Entrypoint, ...args]);
    } finally {
      await this.exec(["rm", c]);
    }
  }

  async cleanup(): Promise<void> {
    await this.exec(["rm", "--all"]).catch(() => undefined);
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
