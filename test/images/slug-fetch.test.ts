import { strict as assert } from "assert";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { SecretString } from "../../components/heroku/secret-string";
import { fetchSlugBlobUrl, prepareSlugContext } from "../../components/images/slug-fetch";
import { makeSlug, SlugApiDouble, startSlugApi, TestSlug, TOKEN } from "./slug-api-double";

describe("slug fetch (local Heroku API double, schema-validated)", () => {
  let api: SlugApiDouble;
  let slug: TestSlug;
  let dir: string;
  const ID = "11111111-2222-4333-8444-555555555555";

  before(async () => {
    slug = await makeSlug("acme-api", ID, { Procfile: "web: echo hi\n" }, { web: "echo hi" });
    api = await startSlugApi([slug]);
  });
  after(async () => api?.close());
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "h2h-slugctx-"));
    api.requests.length = 0;
    api.blobStatus = 200;
  });
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  const input = () => ({
    app: "acme-api",
    slugId: slug.id,
    stack: "heroku-22",
    baseImage: null,
    port: 5000,
    processTypes: slug.processTypes,
  });
  const src = (checksum: string | null = slug.checksum, token = TOKEN) => ({
    token: SecretString.of(token),
    apiUrl: api.apiUrl,
    checksum,
  });

  it("returns the blob URL as a SecretString", async () => {
    const url = await fetchSlugBlobUrl("acme-api", ID, src());
    assert.equal(String(url), "[secret]");
    assert.ok(url.reveal().includes(api.blobSecret));
  });

  it("downloads and verifies the archive during up, then reuses it without another request", async () => {
    const first = await prepareSlugContext(dir, input(), src(), true);
    assert.deepEqual(first, { dir, hasSlug: true });
    assert.deepEqual(await fs.readFile(path.join(dir, "slug.tgz")), slug.archive);
    assert.equal(api.requests.length, 2);
    assert.deepEqual(await prepareSlugContext(dir, input(), src(), true), { dir, hasSlug: true });
    assert.equal(api.requests.length, 2, "a verified cached archive is not fetched again");
    assert.deepEqual((await fs.readdir(dir)).sort(), [
      ".dockerignore",
      "Dockerfile",
      "heroku-slug-entrypoint.sh",
      "slug.id",
      "slug.tgz",
    ]);
  });

  it("fetches nothing during preview", async () => {
    assert.deepEqual(await prepareSlugContext(dir, input(), src(), false), { dir, hasSlug: false });
    assert.deepEqual(api.requests, []);
    assert.ok((await fs.readdir(dir)).includes("Dockerfile"));
  });

  it("refuses an archive whose checksum differs and leaves no archive behind", async () => {
    const wrong = "SHA256:" + "0".repeat(64);
    await assert.rejects(
      prepareSlugContext(dir, input(), src(wrong), true),
      /app acme-api: slug archive checksum mismatch/,
    );
    assert.deepEqual(
      (await fs.readdir(dir)).filter((f) => f.startsWith("slug.tgz")),
      [],
    );
  });

  it("without a checksum, reuses an archive only for the same slug id", async () => {
    await prepareSlugContext(dir, input(), src(null), true);
    await prepareSlugContext(dir, input(), src(null), true);
    assert.equal(api.requests.length, 2);
    await fs.writeFile(path.join(dir, "slug.id"), "another-slug\n");
    await prepareSlugContext(dir, input(), src(null), true);
    assert.equal(api.requests.length, 4);
  });

  it("errors name the app and status but never the signed URL or the token", async () => {
    api.blobStatus = 403;
    const e1 = await prepareSlugContext(dir, input(), src(), true).catch((e: Error) => e);
    assert.ok(e1 instanceof Error);
    assert.equal(e1.message, "app acme-api: slug download failed: HTTP 403");
    const e2 = await prepareSlugContext(dir, input(), src(slug.checksum, "wrong"), true).catch(
      (e: Error) => e,
    );
    assert.ok(e2 instanceof Error);
    assert.equal(
      e2.message,
      `app acme-api: Heroku API refused GET /apps/acme-api/slugs/${ID}: HTTP 401 (unauthorized)`,
    );
    const e3 = await prepareSlugContext(dir, { ...input(), slugId: "nope" }, src(), true).catch(
      (e: Error) => e,
    );
    assert.match(String(e3), /HTTP 404 \(not_found\)/);
    for (const e of [e1, e2, e3]) {
      assert.ok(!String(e).includes(api.blobSecret) && !String(e).includes(TOKEN));
    }
  });
});
