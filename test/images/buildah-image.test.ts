import { strict as assert } from "assert";
import { execFile } from "child_process";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as pulumi from "@pulumi/pulumi";
import { AppImage } from "../../components/images/app-image";
import { BuildahStorage } from "../../components/images/buildah-build";
import { buildahImageDiff, BuildahImageInputs } from "../../components/images/buildah-image";
import { resolveImageRef } from "../../components/images/registry-client";
import { slugContextDigest } from "../../components/images/slug-context";
import { SecretString } from "../../components/heroku/secret-string";
import { Buildah } from "../support/buildah";
import { startRegistry, TestRegistry } from "../support/registry";
import { installMocks, Registration, resolveOutput } from "../support/pulumi-mocks";
import { makeSlug, SlugApiDouble, startSlugApi, TestSlug, TOKEN } from "./slug-api-double";

const TYPE = "pulumi-nodejs:dynamic/images:BuildahImage";

/**
 * Runs a serialized dynamic provider the way the engine's provider host does
 * (`require-from-string` + `handler()`), in a fresh Node process with no TypeScript loader and another
 * working directory, and calls one method.
 */
async function runSerializedProvider(
  provider: string,
  method: "create" | "update",
  inputs: Record<string, unknown>,
  cwd: string,
) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "h2h-provider-"));
  try {
    await fs.writeFile(path.join(dir, "provider.js"), provider);
    await fs.writeFile(path.join(dir, "inputs.json"), JSON.stringify(inputs));
    const rfs = require.resolve("require-from-string", {
      paths: [path.dirname(require.resolve("@pulumi/pulumi"))],
    });
    const script = `
      const fs = require("fs");
      const p = require(${JSON.stringify(rfs)})(fs.readFileSync(${JSON.stringify(path.join(dir, "provider.js"))}, "utf8")).handler();
      const inputs = JSON.parse(fs.readFileSync(${JSON.stringify(path.join(dir, "inputs.json"))}, "utf8"));
      const call = ${JSON.stringify(method)} === "create" ? p.create(inputs) : p.update("id", {}, inputs);
      call.then((r) => process.stdout.write(JSON.stringify(r)), (e) => { process.stderr.write(String(e && e.message)); process.exit(1); });
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], {
      cwd,
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stdout) as { id?: string; outs: Record<string, unknown> };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

describe("BuildahImage: builder buildah, real build through the serialized provider", function () {
  this.timeout(180_000);
  let buildah: Buildah;
  let registry: TestRegistry;
  let api: SlugApiDouble;
  let slug: TestSlug;
  let work: string;
  let storage: BuildahStorage;
  let registered: Registration[];

  before(async () => {
    buildah = await Buildah.create();
    registry = await startRegistry();
    work = await fs.mkdtemp(path.join(os.tmpdir(), "h2h-buildahimage-"));
    await buildah.makeBusyboxBase("localhost/h2h-test-base:22");
    storage = { ...buildah.storage, isolation: "chroot" };
    slug = await makeSlug(
      "acme-api",
      "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
      { ".profile.d/a.sh": "export FROM_PROFILE=yes\n", Procfile: "web: echo web\n" },
      { web: 'echo "profile=$FROM_PROFILE"' },
    );
    api = await startSlugApi([slug]);
  });
  after(async () => {
    await api?.close();
    await registry?.stop();
    await buildah?.cleanup();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it("AppImage with builder buildah (mock): one BuildahImage with the slug's context digest and a serialized provider", async () => {
    registered = installMocks({ stack: "dev" }).registrations;
    const img = new AppImage("acme-api", {
      app: "acme-api",
      spec: { strategy: "slug", baseImage: "localhost/h2h-test-base:{stackVersion}" },
      registry: `${registry.host}/acme`,
      registryUsername: "robot",
      registryPassword: pulumi.secret("s3cret"),
      slug: {
        id: slug.id,
        processTypes: slug.processTypes,
        stack: slug.stack,
        commit: null,
        commitDescription: null,
        buildpackProvidedDescription: null,
        size: null,
        checksum: slug.checksum,
      },
      herokuToken: pulumi.secret(TOKEN),
      herokuApiUrl: api.apiUrl,
      buildDir: work,
      builder: "buildah",
      buildahStorage: storage,
    });
    await resolveOutput(img.imageRef);
    assert.deepEqual(
      registered.map((r) => `${r.type} ${r.name}`),
      ["heroku-to-hasura:images:AppImage acme-api", `${TYPE} acme-api-image`],
    );
    const inputs = registered[1].inputs;
    assert.equal(typeof inputs.__provider, "string");
    assert.ok((inputs.__provider as string).length > 1000);
    assert.equal(
      inputs.contextDigest,
      slugContextDigest(
        {
          app: "acme-api",
          slugId: slug.id,
          stack: slug.stack,
          baseImage: "localhost/h2h-test-base:{stackVersion}",
          port: 5000,
          processTypes: slug.processTypes,
        },
        slug.checksum,
      ),
    );
    assert.equal(inputs.imageName, `${registry.host}/acme/acme-api:slug-${slug.id}`);
    assert.equal(inputs.context, path.join(work, "acme-api"));
    assert.equal(inputs.platform, "linux/amd64");
    // The serialized provider holds no credential or signed URL.
    for (const s of [TOKEN, "s3cret", api.blobSecret]) assert.ok(!(inputs.__provider as string).includes(s));
  });

  it("the serialized provider builds and pushes in its own process; the registry serves the digest it returns", async () => {
    const inputs = registered[1].inputs;
    const provider = inputs.__provider as string;
    const createInputs: BuildahImageInputs = {
      imageName: inputs.imageName as string,
      context: inputs.context as string,
      dockerfile: null,
      buildArgs: {},
      target: null,
      platform: "linux/amd64",
      contextDigest: inputs.contextDigest as string,
      registryUsername: null,
      registryPassword: null,
      storage,
    };
    const started = Date.now();
    const res = await runSerializedProvider(provider, "create", { ...createInputs }, os.tmpdir());
    console.log(`      serialized-provider slug build + push: ${Date.now() - started} ms`);
    const repoDigest = res.outs.repoDigest as string;
    assert.equal(res.id, repoDigest);
    const fromRegistry = await registry.manifestDigest("acme/acme-api", `slug-${slug.id}`);
    assert.equal(repoDigest, `${registry.host}/acme/acme-api@${fromRegistry}`);
    // And it runs: the pushed image is the slug behind the profile-sourcing entrypoint.
    await buildah.exec(["pull", "--quiet", "--tls-verify=false", `docker://${repoDigest}`]);
    const out = await buildah.runLikeKubernetes(repoDigest, ["/bin/sh", "-c", slug.processTypes.web]);
    assert.equal(out.trim(), "profile=yes");
  });

  it("pushes to a registry that requires credentials (auth file, not the command line)", async () => {
    const secured = await startRegistry({ auth: { username: "robot", password: "s3cret-pw" } });
    try {
      const inputs = registered[1].inputs;
      const tag = `slug-${slug.id}`;
      const createInputs: BuildahImageInputs = {
        imageName: `${secured.host}/acme/acme-api:${tag}`,
        context: inputs.context as string,
        dockerfile: null,
        buildArgs: {},
        target: null,
        platform: "linux/amd64",
        contextDigest: inputs.contextDigest as string,
        registryUsername: "robot",
        registryPassword: "s3cret-pw",
        storage,
      };
      const res = await runSerializedProvider(
        inputs.__provider as string,
        "update",
        { ...createInputs },
        os.tmpdir(),
      );
      const repoDigest = res.outs.repoDigest as string;
      assert.equal(
        repoDigest,
        `${secured.host}/acme/acme-api@${await secured.manifestDigest("acme/acme-api", tag)}`,
      );
      const credentials = { username: "robot", password: SecretString.of("s3cret-pw") };
      assert.equal(
        await resolveImageRef(`${secured.host}/acme/acme-api:${tag}`, { credentials }),
        repoDigest,
      );
      await assert.rejects(
        resolveImageRef(`${secured.host}/acme/acme-api:${tag}`),
        /registry answered HTTP 401/,
      );

      const wrong = { ...createInputs, registryPassword: "wrong-pw" };
      await assert.rejects(
        runSerializedProvider(inputs.__provider as string, "create", wrong, os.tmpdir()),
        (e: Error & { stderr?: string }) => {
          assert.match(String(e.stderr), /pushing .*acme\/acme-api:slug-.* failed/);
          assert.ok(!String(e.stderr).includes("wrong-pw"));
          return true;
        },
      );
    } finally {
      await secured.stop();
    }
  });

  it("a failed build names the image and keeps the registry password out of the message", async () => {
    const provider = registered[1].inputs.__provider as string;
    const bad = path.join(work, "bad");
    await fs.mkdir(bad, { recursive: true });
    await fs.writeFile(path.join(bad, "Dockerfile"), "FROM localhost/h2h-test-base:22\nRUN exit 3\n");
    const inputs: BuildahImageInputs = {
      imageName: `${registry.host}/acme/bad:latest`,
      context: bad,
      dockerfile: null,
      buildArgs: { TOKEN: "s3cret-arg" },
      target: null,
      platform: null,
      contextDigest: "sha256:" + "0".repeat(64),
      registryUsername: "robot",
      registryPassword: "s3cret-pw",
      storage,
    };
    await assert.rejects(
      runSerializedProvider(provider, "create", { ...inputs }, os.tmpdir()),
      (e: Error & { stderr?: string }) => {
        assert.match(String(e.stderr), /building .*acme\/bad:latest failed/);
        assert.ok(!String(e.stderr).includes("s3cret-pw"));
        return true;
      },
    );
  });

  it("diff: only content and build settings rebuild; credentials, storage and the context path do not", () => {
    const base: BuildahImageInputs = {
      imageName: "r.example.com/a/b:latest",
      context: "/x",
      dockerfile: null,
      buildArgs: {},
      target: null,
      platform: null,
      contextDigest: "sha256:1",
      registryUsername: null,
      registryPassword: null,
      storage: { storageDriver: null, root: null, runroot: null, isolation: null },
    };
    const olds = { ...base, repoDigest: "r.example.com/a/b@sha256:" + "1".repeat(64) };
    assert.equal(buildahImageDiff(olds, base).changes, false);
    assert.equal(
      buildahImageDiff(olds, {
        ...base,
        context: "/y",
        registryPassword: "p",
        storage: { ...base.storage, root: "/r" },
      }).changes,
      false,
    );
    assert.equal(buildahImageDiff(olds, { ...base, contextDigest: "sha256:2" }).changes, true);
    assert.equal(buildahImageDiff(olds, { ...base, buildArgs: { A: "1" } }).changes, true);
    assert.equal(buildahImageDiff(olds, { ...base, target: "app" }).changes, true);
    assert.deepEqual(buildahImageDiff(olds, { ...base, imageName: "r.example.com/a/c:latest" }).replaces, []);
  });
});
