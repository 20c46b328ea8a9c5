import { strict as assert } from "assert";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { AppSnapshot, SlugSnapshot } from "../../components/heroku/snapshot";
import { parseImages } from "../config/parse-images";
import { IMAGE_DIGESTS_OUTPUT, resolveAppImages } from "../../components/images/promotion";
import { app } from "../fixtures/snapshots/builder";
import { installMocks, Registration, resolveOutput } from "../support/pulumi-mocks";
import { makeSlug, SlugApiDouble, startSlugApi, TestSlug, TOKEN } from "./slug-api-double";

const DEV = "organization/heroku-to-hasura/dev";
const digest = (n: string) => "sha256:" + n.repeat(64).slice(0, 64);
const UPSTREAM = {
  "acme-api": `registry.example.com/acme/acme-api@${digest("a")}`,
  "acme-admin": `registry.example.com/acme/acme-admin@${digest("b")}`,
};

/** A bare app with `slug` as its current slug (null: never deployed, only promoted or pinned). */
function snapshot(name: string, slug: SlugSnapshot | null): AppSnapshot {
  return { ...app(name).build(), slug };
}

async function settleAll(images: Record<string, pulumi.Output<string>>) {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(images)) out[k] = await resolveOutput(v);
  return out;
}

describe("promotion of image digests between stacks (mock)", () => {
  let registered: Registration[];
  let api: SlugApiDouble;
  let slug: TestSlug;
  let buildDir: string;
  const types = () => registered.map((r) => `${r.type} ${r.name}`);

  before(async () => {
    slug = await makeSlug(
      "acme-api",
      "3b4c5d6e-7f80-4912-a3b4-c5d6e7f80912",
      { Procfile: "web: node s.js\n" },
      { web: "node s.js" },
    );
    api = await startSlugApi([slug]);
  });
  after(async () => api?.close());
  beforeEach(async () => {
    buildDir = await fs.mkdtemp(path.join(os.tmpdir(), "h2h-promo-"));
    api.requests.length = 0;
  });
  afterEach(async () => fs.rm(buildDir, { recursive: true, force: true }));

  const slugSnap = (): SlugSnapshot => ({
    id: slug.id,
    processTypes: slug.processTypes,
    stack: "heroku-22",
    commit: null,
    commitDescription: null,
    buildpackProvidedDescription: null,
    size: null,
    checksum: slug.checksum,
  });
  const snapshots = () => [
    snapshot("acme-api", slugSnap()),
    snapshot("acme-admin", null),
    snapshot("acme-worker", null),
  ];

  it("dev (mock): builds slug and Dockerfile images, takes a pinned image as is, reads no other stack", async () => {
    registered = installMocks({ stack: "dev" }).registrations;
    const cfg = parseImages(
      {
        registry: "registry.example.com/acme",
        apps: {
          "acme-admin": { context: "../acme-admin" },
          "acme-worker": { image: UPSTREAM["acme-admin"] },
        },
      },
      ["acme-api", "acme-admin", "acme-worker"],
    );
    assert.deepEqual(cfg.errors, []);
    const images = resolveAppImages({
      stack: "dev",
      imagesConfig: cfg.value,
      promoteFrom: null,
      snapshots: snapshots(),
      herokuToken: pulumi.secret(TOKEN),
      herokuApiUrl: api.apiUrl,
      buildDir,
    });
    const refs = await settleAll(images);
    assert.deepEqual(types().sort(), [
      "docker:index/image:Image acme-admin-image",
      "docker:index/image:Image acme-api-image",
      "heroku-to-hasura:images:AppImage acme-admin",
      "heroku-to-hasura:images:AppImage acme-api",
      "pulumi:providers:docker images-docker",
    ]);
    const images2 = registered.filter((r) => r.type === "docker:index/image:Image");
    assert.ok(
      images2.every((r) => r.provider?.includes("pulumi:providers:docker::images-docker")),
      "explicit provider",
    );
    assert.match(refs["acme-api"], /^registry\.example\.com\/acme\/acme-api@sha256:[0-9a-f]{64}$/);
    assert.match(refs["acme-admin"], /^registry\.example\.com\/acme\/acme-admin@sha256:[0-9a-f]{64}$/);
    assert.equal(refs["acme-worker"], UPSTREAM["acme-admin"]);
  });

  it("staging (mock): promoteFrom reads exactly the upstream digests and declares no image resource", async () => {
    registered = installMocks({
      upstream: { [DEV]: { [IMAGE_DIGESTS_OUTPUT]: UPSTREAM, other: 1 } },
      stack: "staging",
    }).registrations;
    const cfg = parseImages(undefined, ["acme-api", "acme-admin"], { promoteFrom: DEV });
    assert.deepEqual(cfg.errors, []);
    const images = resolveAppImages({
      stack: "staging",
      imagesConfig: cfg.value,
      promoteFrom: DEV,
      snapshots: [snapshot("acme-api", slugSnap()), snapshot("acme-admin", null)],
    });
    assert.deepEqual(await settleAll(images), UPSTREAM);
    assert.deepEqual(types(), ["pulumi:pulumi:StackReference promote-from-dev"]);
    assert.equal(registered[0].inputs.name, DEV);
    assert.deepEqual(
      api.requests.filter((r) => r.includes(slug.id)),
      [],
      "no slug fetched",
    );
  });

  it("prod (mock): digests pinned by `npm run promote` create no resource and are used verbatim", async () => {
    registered = installMocks({ stack: "prod" }).registrations;
    const cfg = parseImages(
      {
        apps: {
          "acme-api": { strategy: "image", image: UPSTREAM["acme-api"] },
          "acme-admin": { strategy: "image", image: UPSTREAM["acme-admin"] },
        },
      },
      ["acme-api", "acme-admin"],
    );
    assert.deepEqual(cfg.errors, []);
    const images = resolveAppImages({
      stack: "prod",
      imagesConfig: cfg.value,
      promoteFrom: null,
      snapshots: [snapshot("acme-api", slugSnap()), snapshot("acme-admin", null)],
    });
    assert.deepEqual(await settleAll(images), UPSTREAM);
    assert.deepEqual(types(), []);
  });

  it("a missing upstream output fails naming the stack and the output (mock)", async () => {
    registered = installMocks({
      upstream: { [DEV]: { somethingElse: "x" } },
      stack: "staging",
    }).registrations;
    const images = resolveAppImages({
      stack: "staging",
      imagesConfig: parseImages(undefined, ["acme-api"], { promoteFrom: DEV }).value,
      promoteFrom: DEV,
      snapshots: [snapshot("acme-api", null)],
    });
    await assert.rejects(
      resolveOutput(images["acme-api"]),
      new RegExp(`Required output '${IMAGE_DIGESTS_OUTPUT}' does not exist on stack '${DEV}'`),
    );
  });

  it("an upstream output without one of the apps fails naming the stack, output and app (mock)", async () => {
    registered = installMocks({
      upstream: { [DEV]: { [IMAGE_DIGESTS_OUTPUT]: { "acme-api": UPSTREAM["acme-api"] } } },
      stack: "staging",
    }).registrations;
    const images = resolveAppImages({
      stack: "staging",
      imagesConfig: parseImages(undefined, ["acme-api", "acme-admin"], { promoteFrom: DEV }).value,
      promoteFrom: DEV,
      snapshots: [snapshot("acme-api", null), snapshot("acme-admin", null)],
    });
    assert.equal(await resolveOutput(images["acme-api"]), UPSTREAM["acme-api"]);
    await assert.rejects(
      resolveOutput(images["acme-admin"]),
      /stack staging: upstream stack organization\/heroku-to-hasura\/dev output imageDigests has no image for app acme-admin; if that stack names it differently, set images.upstreamApps.acme-admin to one of: acme-api/,
    );
  });

  it("staging (mock): a pipeline stage with other app names maps them with images.upstreamApps", async () => {
    registered = installMocks({
      upstream: { [DEV]: { [IMAGE_DIGESTS_OUTPUT]: UPSTREAM } },
      stack: "staging",
    }).registrations;
    const apps = ["acme-api-staging", "acme-admin"];
    const cfg = parseImages({ upstreamApps: { "acme-api-staging": "acme-api" } }, apps, {
      promoteFrom: DEV,
    });
    assert.deepEqual(cfg.errors, []);
    const images = resolveAppImages({
      stack: "staging",
      imagesConfig: cfg.value,
      promoteFrom: DEV,
      snapshots: apps.map((a) => snapshot(a, null)),
    });
    assert.deepEqual(await settleAll(images), {
      "acme-api-staging": UPSTREAM["acme-api"],
      "acme-admin": UPSTREAM["acme-admin"],
    });
    assert.deepEqual(types(), ["pulumi:pulumi:StackReference promote-from-dev"]);
  });
});
