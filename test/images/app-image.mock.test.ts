import { strict as assert } from "assert";
import { promises as fs } from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { AppImage, APP_IMAGE_TYPE } from "../../components/images/app-image";
import { dockerfileContextDigest } from "../../components/images/buildah-build";
import { SlugSnapshot } from "../../components/heroku/snapshot";
import { fakeDigest, installMocks, Registration, resolveOutput } from "../support/pulumi-mocks";
import { makeSlug, SlugApiDouble, startSlugApi, TestSlug, TOKEN } from "./slug-api-double";

const D = "sha256:" + "12".repeat(32);

describe("AppImage (mock docker provider)", () => {
  let registered: Registration[];
  let api: SlugApiDouble;
  let slug: TestSlug;
  let buildDir: string;
  let registry: http.Server;
  let registryHost: string;

  before(async () => {
    slug = await makeSlug(
      "acme-api",
      "9f0e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f",
      { Procfile: "web: node server.js\n" },
      { web: "node server.js" },
    );
    api = await startSlugApi([slug]);
    registry = http.createServer((req, res) => {
      res.writeHead(req.url === "/v2/acme/prebuilt/manifests/2.1" ? 200 : 404, {
        "Docker-Content-Digest": D,
      });
      res.end();
    });
    await new Promise<void>((r) => registry.listen(0, "127.0.0.1", r));
    registryHost = `127.0.0.1:${(registry.address() as net.AddressInfo).port}`;
  });
  after(async () => {
    await api?.close();
    await new Promise<void>((r) => registry.close(() => r()));
  });
  beforeEach(async () => {
    registered = installMocks({ stack: "dev" }).registrations;
    buildDir = await fs.mkdtemp(path.join(os.tmpdir(), "h2h-appimage-"));
  });
  afterEach(async () => fs.rm(buildDir, { recursive: true, force: true }));

  const snapshotSlug = (): SlugSnapshot => ({
    id: slug.id,
    processTypes: slug.processTypes,
    stack: "heroku-22",
    commit: null,
    commitDescription: null,
    buildpackProvidedDescription: null,
    size: slug.archive.length,
    checksum: slug.checksum,
  });
  const children = (parentName: string) =>
    registered.filter((r) => r.name !== parentName).map((r) => `${r.type} ${r.name}`);

  it("dockerfile strategy (mock): one docker.Image with the build settings, pushed, referenced by digest", async () => {
    const img = new AppImage("acme-admin", {
      app: "acme-admin",
      spec: {
        strategy: "dockerfile",
        context: "../acme-admin",
        dockerfile: "../acme-admin/Dockerfile.prod",
        args: { NODE_ENV: "production" },
        target: "runtime",
        platform: "linux/amd64",
      },
      registry: "registry.example.com/acme",
      registryUsername: "robot",
      registryPassword: pulumi.secret("s3cret"),
    });
    const ref = await resolveOutput(img.imageRef);
    assert.deepEqual(
      registered.map((r) => `${r.type} ${r.name}`),
      [`${APP_IMAGE_TYPE} acme-admin`, "docker:index/image:Image acme-admin-image"],
    );
    const inputs = registered[1].inputs;
    assert.deepEqual(inputs, {
      imageName: "registry.example.com/acme/acme-admin:latest",
      build: {
        context: "../acme-admin",
        dockerfile: "../acme-admin/Dockerfile.prod",
        args: { NODE_ENV: "production" },
        target: "runtime",
        platform: "linux/amd64",
      },
      buildOnPreview: false,
      skipPush: false,
      registry: { server: "registry.example.com", username: "robot", password: "s3cret" },
    });
    // The password makes the registry block a secret: the engine receives it as one.
    assert.deepEqual(registered[1].secretPaths, ["registry"]);
    assert.equal(ref, `registry.example.com/acme/acme-admin@${fakeDigest(inputs)}`);
    assert.equal(await pulumi.isSecret(img.imageRef), false);
  });

  it("slug strategy (mock): generates the context, downloads the slug during up, builds it for linux/amd64", async () => {
    const img = new AppImage("acme-api", {
      app: "acme-api",
      spec: { strategy: "slug", baseImage: null },
      registry: "registry.example.com/acme",
      slug: snapshotSlug(),
      baseImage: "mirror.example.com/heroku/heroku:{stackVersion}",
      herokuToken: pulumi.secret(TOKEN),
      herokuApiUrl: api.apiUrl,
      buildDir,
    });
    const ref = await resolveOutput(img.imageRef);
    assert.deepEqual(children("acme-api"), ["docker:index/image:Image acme-api-image"]);
    const inputs = registered[1].inputs;
    const dir = path.join(buildDir, "acme-api");
    assert.deepEqual(inputs, {
      imageName: `registry.example.com/acme/acme-api:slug-${slug.id}`,
      build: { context: dir, platform: "linux/amd64" },
      buildOnPreview: false,
      skipPush: false,
      registry: { server: "registry.example.com" },
    });
    assert.equal(ref, `registry.example.com/acme/acme-api@${fakeDigest(inputs)}`);
    const dockerfile = await fs.readFile(path.join(dir, "Dockerfile"), "utf8");
    assert.match(dockerfile, /^FROM mirror\.example\.com\/heroku\/heroku:22$/m);
    assert.match(dockerfile, /^ENV HOME=\/app PORT=5000$/m);
    assert.deepEqual(await fs.readFile(path.join(dir, "slug.tgz")), slug.archive);
    // The signed URL and the token reach neither the resource inputs nor the context.
    const everything = JSON.stringify(registered) + dockerfile;
    assert.ok(!everything.includes(api.blobSecret) && !everything.includes(TOKEN));
  });

  it("dockerfile strategy with builder buildah (mock): a BuildahImage told the context's content digest", async () => {
    const ctx = path.join(buildDir, "src");
    await fs.mkdir(ctx);
    await fs.writeFile(path.join(ctx, "Dockerfile"), "FROM scratch\n");
    const img = new AppImage("acme-admin", {
      app: "acme-admin",
      spec: {
        strategy: "dockerfile",
        context: ctx,
        dockerfile: null,
        args: {},
        target: null,
        platform: null,
      },
      registry: "registry.example.com/acme",
      builder: "buildah",
    });
    const ref = await resolveOutput(img.imageRef);
    assert.deepEqual(children("acme-admin"), ["pulumi-nodejs:dynamic/images:BuildahImage acme-admin-image"]);
    const { __provider: provider, ...inputs } = registered[1].inputs;
    assert.equal(typeof provider, "string");
    assert.deepEqual(inputs, {
      imageName: "registry.example.com/acme/acme-admin:latest",
      context: ctx,
      dockerfile: null,
      buildArgs: {},
      target: null,
      platform: null,
      contextDigest: await dockerfileContextDigest(ctx, null),
      registryUsername: null,
      registryPassword: null,
      storage: { storageDriver: null, root: null, runroot: null, isolation: null },
    });
    assert.equal(ref, `registry.example.com/acme/acme-admin@${fakeDigest(inputs)}`);
  });

  it("image strategy (mock): resolves a tag to its digest and declares no child", async () => {
    const img = new AppImage("acme-worker", {
      app: "acme-worker",
      spec: { strategy: "image", image: `${registryHost}/acme/prebuilt:2.1` },
    });
    assert.equal(await resolveOutput(img.imageRef), `${registryHost}/acme/prebuilt@${D}`);
    assert.deepEqual(children("acme-worker"), []);
  });

  it("refuses a slug build without a slug or without a registry, naming the app", () => {
    assert.throws(
      () =>
        new AppImage("a", {
          app: "acme-fir",
          spec: { strategy: "slug", baseImage: null },
          registry: "r.example.com/x",
          slug: null,
        }),
      /app acme-fir: strategy slug needs the app's current slug/,
    );
    assert.throws(
      () =>
        new AppImage("b", {
          app: "acme-api",
          spec: { strategy: "slug", baseImage: null },
          slug: snapshotSlug(),
        }),
      /app acme-api: strategy slug pushes an image, so images.registry must be set/,
    );
    assert.throws(
      () =>
        new AppImage("c", {
          app: "acme-cnb",
          spec: { strategy: "slug", baseImage: null },
          registry: "r.example.com/x",
          slug: { ...snapshotSlug(), stack: "cnb" },
        }),
      /app acme-cnb: its slug was built for stack "cnb"/,
    );
  });
});
