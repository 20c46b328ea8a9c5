import * as assert from "assert";
import {
  checkConfigAgainstApps,
  parseStackConfig,
  selectSnapshots,
  StackConfigError,
} from "../../components/config";
import { AppSnapshot } from "../../components/heroku/snapshot";
import { readSnapshotFile } from "../../components/heroku/snapshot-file";
import { API_IMAGE, BadConfigCase, validConfig } from "./config-cases";

const ctx = { project: "heroku-to-hasura", stack: "test" };

/** The example app under another name, in another pipeline stage. */
function renamed(s: AppSnapshot, name: string, stage: string): AppSnapshot {
  return { ...s, app: { ...s.app, name }, pipeline: s.pipeline && { ...s.pipeline, stage } };
}

function keysOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof StackConfigError, String(e));
    return e.issues.map((i) => i.key);
  }
  assert.fail("expected a StackConfigError");
}

describe("stack config against the snapshots: selectSnapshots / checkConfigAgainstApps", () => {
  let example: AppSnapshot;
  let all: AppSnapshot[];
  before(async () => {
    example = (await readSnapshotFile("examples/snapshot.json")).apps[0];
    all = [example, renamed(example, "acme-admin", "production")];
  });

  const config = (mutate: BadConfigCase["mutate"] = () => undefined) => {
    const raw = validConfig();
    mutate(raw);
    return parseStackConfig(raw, ctx);
  };

  it("selects the listed apps only", () => {
    const c = config();
    assert.deepStrictEqual(
      selectSnapshots(c, all, "f.json").map((s) => s.app.name),
      ["acme-api"],
    );
  });

  it("selects every app of the file when none is listed", () => {
    const c = config((r) => delete r.heroku.apps);
    assert.deepStrictEqual(
      selectSnapshots(c, all, "f.json").map((s) => s.app.name),
      ["acme-api", "acme-admin"],
    );
  });

  it("selects the apps coupled to a pipeline stage", () => {
    const c = config(
      (r) => (r.heroku = { pipeline: { name: "acme", stage: "production" }, snapshotFile: "f.json" }),
    );
    assert.deepStrictEqual(
      selectSnapshots(c, all, "f.json").map((s) => s.app.name),
      ["acme-admin"],
    );
  });

  it("refuses a pipeline stage no app is coupled to, naming heroku.pipeline", () => {
    const c = config(
      (r) => (r.heroku = { pipeline: { name: "acme", stage: "review" }, snapshotFile: "f.json" }),
    );
    assert.deepStrictEqual(
      keysOf(() => selectSnapshots(c, all, "f.json")),
      ["heroku-to-hasura:heroku.pipeline"],
    );
  });

  it("refuses listed apps missing from the file, each by index", () => {
    const c = config((r) => (r.heroku.apps = ["acme-api", "acme-web", "acme-worker"]));
    assert.deepStrictEqual(
      keysOf(() => selectSnapshots(c, all, "f.json")),
      ["heroku-to-hasura:heroku.apps[1]", "heroku-to-hasura:heroku.apps[2]"],
    );
  });

  it("accepts config whose keys match the apps, process types and add-ons, and types its images", () => {
    const { images } = checkConfigAgainstApps(config(), [example], { requireImages: true });
    assert.deepStrictEqual(images.apps, { "acme-api": { strategy: "image", image: API_IMAGE } });
    assert.strictEqual(images.registry, "images.acme.example/acme");
  });

  it("gives every selected app an image spec (slug by default) once the apps are known", () => {
    const c = config((r) => {
      delete r.heroku.apps;
      r.images = { registry: "images.acme.example/acme" };
    });
    const { images } = checkConfigAgainstApps(c, all, { requireImages: false });
    assert.deepStrictEqual(images.apps, {
      "acme-api": { strategy: "slug", baseImage: null },
      "acme-admin": { strategy: "slug", baseImage: null },
    });
  });

  it("refuses images for an app only the snapshots reveal as missing, and a build without a registry", () => {
    const stage = (images: unknown) =>
      config((r) => {
        r.heroku = { pipeline: { name: "acme", stage: "staging" }, snapshotFile: "f.json" };
        r.images = images;
        r.replicas = {};
        r.schedules = {};
      });
    const typo = stage({ registry: "images.acme.example/acme", apps: { "acme-web": { strategy: "slug" } } });
    assert.deepStrictEqual(
      keysOf(() => checkConfigAgainstApps(typo, [example], { requireImages: false })),
      ["heroku-to-hasura:images.apps.acme-web"],
    );
    // Parsing cannot know the stage's apps; once known, acme-api builds its slug and needs a registry.
    const noRegistry = stage(undefined);
    assert.deepStrictEqual(
      keysOf(() => checkConfigAgainstApps(noRegistry, [example], { requireImages: false })),
      ["heroku-to-hasura:images.registry"],
    );
  });

  it("reports every key naming an unknown app, process type or add-on together", () => {
    const c = config((r) => {
      // `release` is a process type of acme-api, but the release phase is a Job: it has no replicas.
      r.replicas = { "acme-api": { web: 1, wrker: 2, release: 1 }, "acme-adm": { web: 1 } };
      r.singletons = { "acme-api": { workr: true }, "acme-adm": { clock: false } };
      r.schedules = { "acme-apix": [{ name: "n", schedule: "@daily", command: "x" }] };
      r.addons = { "papertrail-flat-3333": { disposition: "keep" } };
      r.images.apps["acme-admin"] = { image: r.images.apps["acme-api"].image };
    });
    assert.deepStrictEqual(
      keysOf(() => checkConfigAgainstApps(c, [example], { requireImages: false })).sort(),
      [
        "heroku-to-hasura:addons.papertrail-flat-3333",
        "heroku-to-hasura:images.apps.acme-admin",
        "heroku-to-hasura:replicas.acme-adm",
        "heroku-to-hasura:replicas.acme-api.release",
        "heroku-to-hasura:replicas.acme-api.wrker",
        "heroku-to-hasura:schedules.acme-apix",
        "heroku-to-hasura:singletons.acme-adm",
        "heroku-to-hasura:singletons.acme-api.workr",
      ],
    );
    assert.throws(
      () => checkConfigAgainstApps(c, [example], { requireImages: false }),
      /replicas\.acme-api\.release: the release phase runs as a Job once per release/,
    );
    assert.throws(
      () => checkConfigAgainstApps(c, [example], { requireImages: false }),
      /singletons\.acme-api\.workr: app acme-api has no process type "workr" \(did you mean "worker"\?\)/,
    );
  });

  it("lists the images section's issues under this project's keys", () => {
    const raw = validConfig();
    (raw.images as { apps: Record<string, unknown> }).apps["acme-api"] = { image: "Acme/API:latest" };
    const c = parseStackConfig(
      { ...raw, images: { registry: "images.acme.example/acme" } },
      { project: "acme-migration", stack: "test" },
    );
    const issues = (() => {
      try {
        checkConfigAgainstApps({ ...c, images: raw.images }, [example], { requireImages: false });
      } catch (e) {
        assert.ok(e instanceof StackConfigError, String(e));
        return e.issues;
      }
      assert.fail("expected a StackConfigError");
    })();
    assert.deepStrictEqual(issues, [
      {
        key: "acme-migration:images.apps.acme-api.image",
        message:
          '"Acme/API:latest" is not a valid image reference (the repository must be lowercase path components)',
      },
    ]);
  });

  it("requires a pinned digest per app only when asked to (requireImages)", () => {
    const c = config((r) => (r.images.apps["acme-api"] = { image: "images.acme.example/acme-api:1.0" }));
    assert.deepStrictEqual(
      keysOf(() => checkConfigAgainstApps(c, [example], { requireImages: true })),
      ["heroku-to-hasura:images.apps.acme-api.image"],
    );
    checkConfigAgainstApps(c, [example], { requireImages: false });
  });
});
