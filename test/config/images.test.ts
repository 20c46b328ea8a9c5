import { strict as assert } from "assert";
import { Fields } from "../../components/config/fields";
import { parsePromoteFrom } from "../../components/config/images";
import { IssueList } from "../../components/config/issues";
import { parseImages } from "./parse-images";

const D = "sha256:" + "cd".repeat(32);

describe("images config", () => {
  it("defaults every app to the slug strategy", () => {
    const r = parseImages({ registry: "registry.example.com/acme" }, ["acme-api", "acme-admin"]);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.value, {
      registry: "registry.example.com/acme",
      registryUsername: null,
      baseImage: null,
      pinnedOnly: false,
      builder: "docker",
      buildah: { storageDriver: null, root: null, runroot: null, isolation: null },
      upstreamApps: {},
      apps: {
        "acme-api": { strategy: "slug", baseImage: null },
        "acme-admin": { strategy: "slug", baseImage: null },
      },
    });
  });

  it("parses the three strategies, inferring the strategy from its settings", () => {
    const r = parseImages(
      {
        registry: "127.0.0.1:5000/acme",
        registryUsername: "robot",
        baseImage: "mirror.example.com/heroku/heroku:{stackVersion}",
        apps: {
          a: {
            context: "../a",
            args: { NODE_ENV: "production", RETRIES: 3 },
            target: "app",
            platform: "linux/arm64",
          },
          b: { strategy: "slug", baseImage: "mirror.example.com/heroku:24" },
          c: { image: `ghcr.io/acme/c@${D}` },
        },
      },
      ["a", "b", "c"],
    );
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.value.apps, {
      a: {
        strategy: "dockerfile",
        context: "../a",
        dockerfile: null,
        args: { NODE_ENV: "production", RETRIES: "3" },
        target: "app",
        platform: "linux/arm64",
      },
      b: { strategy: "slug", baseImage: "mirror.example.com/heroku:24" },
      c: { strategy: "image", image: `ghcr.io/acme/c@${D}` },
    });
    assert.equal(r.value.registryUsername, "robot");
  });

  it("reports one error per mistake, naming the key", () => {
    const r = parseImages(
      {
        registry: "registry.example.com/acme:v1",
        colour: "blue",
        port: 70000,
        apps: {
          ghost: {},
          a: { strategy: "dockerfile", image: "x" },
          b: { strategy: "image" },
          c: { strategy: "rocket" },
          d: { image: "Not/Valid" },
          e: { context: "x", platform: "amd64" },
        },
      },
      ["a", "b", "c", "d", "e"],
    );
    assert.deepEqual(r.errors, [
      'heroku-to-hasura:images.colour: unknown key "colour"; allowed keys: registry, registryUsername, baseImage, pinnedOnly, builder, buildah, upstreamApps, apps',
      "heroku-to-hasura:images.port: no longer supported: web processes always listen on $PORT, which the cluster sets to 5000 (image, probes and Service alike); remove the key",
      'heroku-to-hasura:images.registry: "registry.example.com/acme:v1" must be a repository prefix such as registry.example.com/acme (lowercase, no tag or digest)',
      "heroku-to-hasura:images.apps.ghost: no such app in this stack (apps: a, b, c, d, e)",
      "heroku-to-hasura:images.apps.a.image: not a setting of strategy dockerfile (allowed: strategy, context, dockerfile, args, target, platform)",
      "heroku-to-hasura:images.apps.a.context: required for strategy dockerfile",
      "heroku-to-hasura:images.apps.b.image: required for strategy image",
      'heroku-to-hasura:images.apps.c.strategy: must be one of slug, dockerfile, image (got "rocket")',
      'heroku-to-hasura:images.apps.d.image: "Not/Valid" is not a valid image reference (the repository must be lowercase path components)',
      'heroku-to-hasura:images.apps.e.platform: must be an os/arch[/variant] platform such as linux/amd64 (got "amd64")',
    ]);
  });

  it("requires a registry only when an app builds", () => {
    assert.deepEqual(parseImages(undefined, ["a", "b"]).errors, [
      "heroku-to-hasura:images.registry: required because a, b build an image (strategy slug or dockerfile) that must be pushed; or pin prebuilt images with strategy: image",
    ]);
    assert.deepEqual(parseImages({ apps: { a: { image: `x/a@${D}` } } }, ["a"]).errors, []);
    assert.deepEqual(parseImages(undefined, ["a"], { promoteFrom: "organization/p/dev" }).errors, []);
  });

  it("refuses per-app images in a stack that promotes from another", () => {
    const r = parseImages({ apps: { a: { image: `x/a@${D}` } } }, ["a"], {
      promoteFrom: "organization/p/dev",
    });
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0], /images\.apps: this stack has promoteFrom organization\/p\/dev/);
  });

  it("with pinnedOnly, refuses any app not pinned to a digest instead of building it", () => {
    const r = parseImages(
      {
        registry: "r.example.com/acme",
        pinnedOnly: true,
        apps: { a: { image: `x/a@${D}` }, b: { image: "x/b:1" } },
      },
      ["a", "b", "c"],
    );
    assert.deepEqual(r.errors, [
      "heroku-to-hasura:images.apps.b: not pinned to a digest, and this stack has pinnedOnly: true; pin it with `npm run promote -- <upstream stack> <this stack>`",
      "heroku-to-hasura:images.apps.c: not pinned to a digest, and this stack has pinnedOnly: true; pin it with `npm run promote -- <upstream stack> <this stack>`",
    ]);
    assert.deepEqual(parseImages({ pinnedOnly: "yes" }, []).errors, [
      'heroku-to-hasura:images.pinnedOnly: must be true or false (got "yes")',
    ]);
  });

  it("with pinnedOnly, an image whose digest is malformed is not pinned (the former check took any `@sha256:`)", () => {
    const r = parseImages(
      { registry: "r.example.com/acme", pinnedOnly: true, apps: { a: { image: "x/a@sha256:zz" } } },
      ["a"],
    );
    assert.deepEqual(r.errors, [
      'heroku-to-hasura:images.apps.a.image: "x/a@sha256:zz" is not a valid image reference (the digest must be sha256: and 64 lowercase hex digits)',
      "heroku-to-hasura:images.apps.a: not pinned to a digest, and this stack has pinnedOnly: true; pin it with `npm run promote -- <upstream stack> <this stack>`",
    ]);
  });

  it("reports structured issues (key, message) under the caller's project", () => {
    const r = parseImages(
      {
        registry: "r.example.com/acme",
        baseImage: "Mirror/heroku:{stackVersion}",
        apps: { a: { image: "x: y" } },
      },
      ["a"],
      { project: "acme-migration" },
    );
    assert.deepEqual(r.issues, [
      {
        key: "acme-migration:images.baseImage",
        message:
          '"Mirror/heroku:24" is not a valid image reference (the repository must be lowercase path components)',
      },
      {
        key: "acme-migration:images.apps.a.image",
        message: '"x: y" is not a valid image reference (bad tag " y")',
      },
    ]);
  });

  it("selects the buildah builder and its storage flags", () => {
    const r = parseImages(
      {
        registry: "r.example.com/a",
        builder: "buildah",
        buildah: { storageDriver: "vfs", isolation: "chroot" },
      },
      ["a"],
    );
    assert.deepEqual(r.errors, []);
    assert.equal(r.value.builder, "buildah");
    assert.deepEqual(r.value.buildah, {
      storageDriver: "vfs",
      root: null,
      runroot: null,
      isolation: "chroot",
    });
    assert.deepEqual(
      parseImages({ registry: "r.example.com/a", builder: "kaniko", buildah: { driver: "vfs" } }, []).errors,
      [
        'heroku-to-hasura:images.builder: must be one of docker, buildah (got "kaniko")',
        'heroku-to-hasura:images.buildah.driver: unknown key "driver"; allowed keys: storageDriver, root, runroot, isolation',
      ],
    );
  });

  it("maps this stack's apps to upstream app names", () => {
    const r = parseImages(
      { upstreamApps: { "acme-api-staging": "acme-api", ghost: "x", "acme-admin": "Bad Name" } },
      ["acme-api-staging", "acme-admin"],
      { promoteFrom: "organization/p/dev" },
    );
    assert.deepEqual(r.value.upstreamApps, { "acme-api-staging": "acme-api" });
    assert.deepEqual(r.errors, [
      "heroku-to-hasura:images.upstreamApps.ghost: no such app in this stack (apps: acme-api-staging, acme-admin)",
      `heroku-to-hasura:images.upstreamApps.acme-admin: must be a Heroku app name (^[a-z][a-z0-9-]{1,28}[a-z0-9]$: 3 to 30 lowercase letters, digits and '-', not ending in '-') (got "Bad Name")`,
    ]);
  });

  it("rejects a non-object", () => {
    assert.deepEqual(parseImages("slug", []).errors, [
      'heroku-to-hasura:images: must be an object (got "slug")',
    ]);
  });

  it("parses promoteFrom as a fully qualified stack name", () => {
    const promoteFrom = (raw: unknown) => {
      const issues = new IssueList("heroku-to-hasura");
      const value = parsePromoteFrom(new Fields(issues), raw);
      return { errors: issues.issues.map((i) => `${i.key}: ${i.message}`), value };
    };
    assert.deepEqual(promoteFrom("organization/heroku-to-hasura/dev"), {
      errors: [],
      value: "organization/heroku-to-hasura/dev",
    });
    assert.deepEqual(promoteFrom(undefined), { errors: [], value: null });
    assert.equal(promoteFrom("dev").errors.length, 1);
    assert.match(
      promoteFrom(3).errors[0],
      /heroku-to-hasura:promoteFrom: must be a fully qualified stack name/,
    );
  });
});
