import { strict as assert } from "assert";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { SlugSnapshot } from "../../components/heroku/snapshot";
import { directoryDigest, dockerfileContextDigest } from "../../components/images/buildah-build";
import { planImageBuild } from "../../components/images/build-plan";
import { slugContextDigest } from "../../components/images/slug-context";

const slug: SlugSnapshot = {
  id: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
  processTypes: { web: "node server.js" },
  stack: "heroku-24",
  commit: null,
  commitDescription: null,
  buildpackProvidedDescription: null,
  size: null,
  checksum: "SHA256:" + "f".repeat(64),
};
const settings = { registry: "registry.example.com/acme", slug, baseImage: null, buildDir: null };

describe("image build plan", () => {
  it("plans a slug build: generated context folder, slug tag, amd64, digest without the archive", () => {
    const plan = planImageBuild("acme-api", { strategy: "slug", baseImage: null }, settings);
    const input = {
      app: "acme-api",
      slugId: slug.id,
      stack: "heroku-24",
      baseImage: null,
      port: 5000,
      processTypes: slug.processTypes,
    };
    assert.deepEqual(plan, {
      imageName: `registry.example.com/acme/acme-api:slug-${slug.id}`,
      registryServer: "registry.example.com",
      context: path.join(".build", "images", "acme-api"),
      dockerfile: null,
      buildArgs: {},
      target: null,
      platform: "linux/amd64",
      slug: { input, checksum: slug.checksum, contextDigest: slugContextDigest(input, slug.checksum) },
    });
    // A new slug or base is a new build; the same inputs give the same digest.
    const other = planImageBuild(
      "acme-api",
      { strategy: "slug", baseImage: "m.example.com/h:{stackVersion}" },
      settings,
    );
    assert.notEqual(other.slug?.contextDigest, plan.slug?.contextDigest);
    assert.equal(
      planImageBuild("acme-api", { strategy: "slug", baseImage: null }, settings).slug?.contextDigest,
      plan.slug?.contextDigest,
    );
  });

  it("plans a Dockerfile build with its settings", () => {
    const plan = planImageBuild(
      "acme-admin",
      {
        strategy: "dockerfile",
        context: "../admin",
        dockerfile: null,
        args: { A: "1" },
        target: "app",
        platform: null,
      },
      { ...settings, buildDir: "/elsewhere" },
    );
    assert.deepEqual(plan, {
      imageName: "registry.example.com/acme/acme-admin:latest",
      registryServer: "registry.example.com",
      context: "../admin",
      dockerfile: null,
      buildArgs: { A: "1" },
      target: "app",
      platform: null,
      slug: null,
    });
  });

  it("refuses, naming the app: no registry, no slug, a stack without a base image", () => {
    const s = { strategy: "slug" as const, baseImage: null };
    assert.throws(
      () => planImageBuild("a", s, { ...settings, registry: null }),
      /^Error: app a: strategy slug pushes an image, so images.registry must be set$/,
    );
    assert.throws(
      () => planImageBuild("acme-fir", s, { ...settings, slug: null }),
      /app acme-fir: strategy slug needs the app's current slug.*images\.apps\.acme-fir/,
    );
    assert.throws(
      () => planImageBuild("acme-cnb", s, { ...settings, slug: { ...slug, stack: "cnb" } }),
      /app acme-cnb: its slug was built for stack "cnb"/,
    );
  });
});

describe("build context digests", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "h2h-ctxdigest-"));
    await fs.mkdir(path.join(dir, "src"));
    await fs.writeFile(path.join(dir, "src", "a.js"), "1");
    await fs.writeFile(path.join(dir, "Dockerfile"), "FROM x\n");
  });
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  it("changes with content, names and modes, and ignores .git", async () => {
    const d0 = await directoryDigest(dir);
    assert.match(d0, /^sha256:[0-9a-f]{64}$/);
    await fs.mkdir(path.join(dir, ".git"));
    await fs.writeFile(path.join(dir, ".git", "HEAD"), "ref");
    assert.equal(await directoryDigest(dir), d0);
    await fs.writeFile(path.join(dir, "src", "a.js"), "2");
    const d1 = await directoryDigest(dir);
    assert.notEqual(d1, d0);
    await fs.chmod(path.join(dir, "src", "a.js"), 0o755);
    assert.notEqual(await directoryDigest(dir), d1);
  });

  it("includes a Dockerfile outside the context, and names what is missing", async () => {
    const outside = path.join(dir, "..", `${path.basename(dir)}.Dockerfile`);
    await fs.writeFile(outside, "FROM y\n");
    try {
      const a = await dockerfileContextDigest(path.join(dir, "src"), outside);
      await fs.writeFile(outside, "FROM z\n");
      assert.notEqual(await dockerfileContextDigest(path.join(dir, "src"), outside), a);
    } finally {
      await fs.rm(outside, { force: true });
    }
    await assert.rejects(
      dockerfileContextDigest(dir, "/nonexistent/Dockerfile"),
      /Dockerfile \/nonexistent\/Dockerfile not found/,
    );
    await assert.rejects(
      dockerfileContextDigest("/nonexistent-ctx", null),
      /build context \/nonexistent-ctx cannot be read/,
    );
  });
});
