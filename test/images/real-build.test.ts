import { strict as assert } from "assert";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { SecretString } from "../../components/heroku/secret-string";
import { parseImages } from "../config/parse-images";
import { buildAndPush, BuildahStorage } from "../../components/images/buildah-build";
import { resolveImageRef } from "../../components/images/registry-client";
import { SLUG_PLATFORM } from "../../components/images/app-image";
import { prepareSlugContext } from "../../components/images/slug-fetch";
import { shellArgs } from "../../components/plan/workloads";
import { Buildah } from "../support/buildah";
import { startRegistry, TestRegistry } from "../support/registry";
import { makeSlug, SlugApiDouble, startSlugApi, TestSlug, TOKEN } from "./slug-api-double";

// Real builds without a Docker daemon: buildah (vfs storage, chroot isolation) builds the contexts the
// program generates, Debian's docker-registry on loopback receives the pushes, and the digest read
// back from the registry's HTTP API is compared with the imageRef the program derives.
describe("real image builds (buildah + docker-registry, no Docker daemon)", function () {
  this.timeout(180_000);
  let buildah: Buildah;
  let registry: TestRegistry;
  let api: SlugApiDouble;
  let slug: TestSlug;
  let work: string;
  let storage: BuildahStorage;
  let slugRef: string;
  const SLUG_ID = "7c2a6b9e-3f41-4d8a-9b0e-5a1c2d3e4f50";
  const WEB = 'echo "greeting=$GREETING profile=$FROM_PROFILE home=$HOME port=$PORT pwd=$(pwd)"';

  before(async () => {
    buildah = await Buildah.create();
    registry = await startRegistry();
    work = await fs.mkdtemp(path.join(os.tmpdir(), "h2h-images-"));
    storage = { ...buildah.storage, isolation: "chroot" };
    // Stands in for heroku/heroku:22 (nothing can be pulled here).
    await buildah.makeBusyboxBase("localhost/h2h-test-base:22");
    slug = await makeSlug(
      "acme-api",
      SLUG_ID,
      {
        ".profile.d/000-greeting.sh": 'export GREETING="hello from .profile.d"\n',
        ".profile": 'export FROM_PROFILE="after-profile-d:$GREETING"\n',
        Procfile: `web: ${WEB}\n`,
        "bin/hello": "#!/bin/sh\necho hello\n",
      },
      { web: WEB },
    );
    api = await startSlugApi([slug]);
  });

  after(async () => {
    await api?.close();
    await registry?.stop();
    await buildah?.cleanup();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  function config(apps: Record<string, unknown>) {
    const parsed = parseImages(
      { registry: `${registry.host}/acme`, baseImage: "localhost/h2h-test-base:{stackVersion}", apps },
      Object.keys(apps),
    );
    assert.deepEqual(parsed.errors, []);
    return parsed.value;
  }

  it("builds the generated slug context, pushes it, and the registry's digest is the imageRef", async () => {
    const cfg = config({ "acme-api": { strategy: "slug" } });
    const dir = path.join(work, "acme-api");
    const started = Date.now();
    const prepared = await prepareSlugContext(
      dir,
      {
        app: "acme-api",
        slugId: slug.id,
        stack: slug.stack,
        baseImage: cfg.baseImage,
        port: 5000,
        processTypes: slug.processTypes,
      },
      { token: SecretString.of(TOKEN), apiUrl: api.apiUrl, checksum: slug.checksum },
      true,
    );
    assert.equal(prepared.hasSlug, true);
    const tag = `slug-${slug.id}`;
    // The program's build path (BuildahImage's provider calls exactly this).
    const imageRef = await buildAndPush({
      imageName: `${cfg.registry}/acme-api:${tag}`,
      context: dir,
      dockerfile: null,
      buildArgs: {},
      target: null,
      platform: SLUG_PLATFORM,
      registryUsername: null,
      registryPassword: null,
      storage,
    });
    console.log(`      slug image build + push: ${Date.now() - started} ms`);
    const fromRegistry = await registry.manifestDigest("acme/acme-api", tag);
    assert.equal(imageRef, `${registry.host}/acme/acme-api@${fromRegistry}`);
    slugRef = imageRef;
    // The `image` strategy's tag resolution finds the same digest.
    assert.equal(await resolveImageRef(`${registry.host}/acme/acme-api:${tag}`), imageRef);

    // The signed blob URL was used once and written nowhere in the context.
    assert.deepEqual(
      api.requests.map((r) => r.replace(/\?.*/, "?…")),
      [`GET /apps/acme-api/slugs/${slug.id}`, `GET /blob/${slug.id}?…`],
    );
    for (const f of await fs.readdir(dir)) {
      const content = await fs.readFile(path.join(dir, f));
      assert.equal(content.includes(api.blobSecret), false, `${f} contains the signed URL`);
      assert.equal(content.includes(TOKEN), false, `${f} contains the token`);
    }
  });

  it("runs a Procfile command under the generated entrypoint with the variables .profile.d exported", async () => {
    assert.ok(slugRef, "needs the image pushed by the previous test");
    await buildah.exec(["pull", "--quiet", "--tls-verify=false", `docker://${slugRef}`]);
    const config = await buildah.imageConfig(slugRef);
    assert.deepEqual(config.Entrypoint, ["/usr/local/bin/heroku-slug-entrypoint"]);
    assert.equal(config.WorkingDir, "/app");
    assert.deepEqual(config.Cmd, ["/bin/sh", "-c", WEB]);
    const out = await buildah.runLikeKubernetes(slugRef, shellArgs(WEB));
    assert.equal(
      out.trim(),
      "greeting=hello from .profile.d profile=after-profile-d:hello from .profile.d home=/app port=5000 pwd=/app",
    );
    assert.equal((await buildah.runLikeKubernetes(slugRef, ["bin/hello"])).trim(), "hello");
  });

  it("builds a Dockerfile context with the configured build args and target, and pushes it by digest", async () => {
    const ctx = path.join(work, "acme-admin");
    await fs.mkdir(ctx, { recursive: true });
    await fs.writeFile(
      path.join(ctx, "Containerfile.app"),
      [
        "FROM localhost/h2h-test-base:22 AS base",
        "ARG GREETING=default",
        'RUN echo "$GREETING" > /greeting',
        "FROM base AS app",
        'CMD ["/bin/cat", "/greeting"]',
        "FROM base AS broken",
        "RUN exit 1",
        "",
      ].join("\n"),
    );
    const cfg = config({
      "acme-admin": {
        strategy: "dockerfile",
        context: ctx,
        dockerfile: path.join(ctx, "Containerfile.app"),
        args: { GREETING: "built with args" },
        target: "app",
        platform: "linux/amd64",
      },
    });
    const spec = cfg.apps["acme-admin"];
    assert.equal(spec.strategy, "dockerfile");
    if (spec.strategy !== "dockerfile") return;
    const started = Date.now();
    const imageRef = await buildAndPush({
      imageName: `${cfg.registry}/acme-admin:latest`,
      context: spec.context,
      dockerfile: spec.dockerfile,
      buildArgs: spec.args,
      target: spec.target,
      platform: spec.platform,
      registryUsername: null,
      registryPassword: null,
      storage,
    });
    console.log(`      Dockerfile image build + push: ${Date.now() - started} ms`);
    assert.equal(
      imageRef,
      `${registry.host}/acme/acme-admin@${await registry.manifestDigest("acme/acme-admin", "latest")}`,
    );
    assert.equal(await resolveImageRef(`${registry.host}/acme/acme-admin:latest`), imageRef);
    await buildah.exec(["pull", "--quiet", "--tls-verify=false", `docker://${imageRef}`]);
    assert.equal(
      (await buildah.runLikeKubernetes(imageRef, ["/bin/cat", "/greeting"])).trim(),
      "built with args",
    );
  });

  it("resolving a tag the registry does not have fails naming the reference", async () => {
    await assert.rejects(
      resolveImageRef(`${registry.host}/acme/nope:1`),
      /image .*acme\/nope:1: the registry has no such tag/,
    );
  });
});
