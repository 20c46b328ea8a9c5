import { strict as assert } from "assert";
import { DIGEST_IMAGE } from "../../components/formats/formats";
import {
  digestRef,
  imageRefProblem,
  isPinnedRef,
  parseImageRef,
  registryHost,
  repositoryOf,
  toDigestRef,
} from "../../components/formats/image-ref";

const D = "sha256:" + "ab".repeat(32);

describe("image references", () => {
  it("parses registry, repository, tag and digest", () => {
    assert.deepEqual(parseImageRef("registry.example.com:5000/acme/api:v1@" + D), {
      registry: "registry.example.com:5000",
      repository: "acme/api",
      tag: "v1",
      digest: D,
    });
    assert.deepEqual(parseImageRef("heroku/heroku:22"), {
      registry: null,
      repository: "heroku/heroku",
      tag: "22",
      digest: null,
    });
    assert.deepEqual(parseImageRef("busybox"), {
      registry: null,
      repository: "library/busybox",
      tag: null,
      digest: null,
    });
    assert.equal(parseImageRef("localhost/x").registry, "localhost");
  });

  it("rejects malformed references, naming the config key", () => {
    assert.throws(
      () => parseImageRef("Acme/API", "images.apps.a.image"),
      /images\.apps\.a\.image: "Acme\/API" is not a valid/,
    );
    assert.throws(() => parseImageRef("acme/api@sha256:1234"), /64 lowercase hex/);
    assert.throws(() => parseImageRef("acme/api:"), /bad tag/);
    assert.throws(() => parseImageRef(" acme"), /spaces/);
  });

  it("normalises repoDigest-style references to repo@sha256 without tag", () => {
    assert.equal(toDigestRef(`reg.example.com/acme/api:slug-1@${D}`), `reg.example.com/acme/api@${D}`);
    assert.equal(toDigestRef(`busybox@${D}`), `busybox@${D}`);
    assert.equal(repositoryOf(parseImageRef("127.0.0.1:5000/a/b:1")), "127.0.0.1:5000/a/b");
    assert.throws(
      () => toDigestRef("reg.example.com/acme/api:latest", "pushed image of app acme-api"),
      /pushed image of app acme-api: .* not pinned to a digest/,
    );
    assert.throws(() => digestRef("a/b", "sha256:xyz"), /not a sha256 digest/);
  });

  it("takes the registry host from a repository prefix", () => {
    assert.equal(registryHost("registry.example.com/acme"), "registry.example.com");
    assert.equal(registryHost("127.0.0.1:5000"), "127.0.0.1:5000");
  });

  it("isPinnedRef accepts a valid [registry/]repo[:tag]@sha256:<64 hex> only", () => {
    const H = "a".repeat(64);
    for (const ok of [
      `redis@sha256:${H}`,
      `registry.local:5000/x/redis:7@sha256:${"0".repeat(64)}`,
      `localhost/acme/api@sha256:${H}`,
      `[::1]:5000/acme/api:v1@sha256:${H}`,
      `Registry.Example.com/acme/api@sha256:${H}`,
    ]) {
      assert.strictEqual(isPinnedRef(ok), true, ok);
      assert.strictEqual(DIGEST_IMAGE.test(ok), true, ok);
    }
    for (const bad of ["redis:7", `redis@sha256:${"a".repeat(63)}`, `Redis@sha256:${H}`]) {
      assert.strictEqual(isPinnedRef(bad), false, bad);
    }
  });

  // Each of these was accepted by one of the digest regexes this module replaces: `/@sha256:/`
  // (images pinnedOnly), `/@sha256:[a-f0-9]{64}$/` (requireImages), the add-on catalog's
  // `/^[a-z0-9][a-z0-9._/:-]*@sha256:[0-9a-f]{64}$/` and the config's DIGEST_IMAGE pattern.
  const H = "b".repeat(64);
  const formerlyAccepted: [string, RegExp][] = [
    ["x/a@sha256:zz", /digest must be sha256: and 64 lowercase hex/],
    [`x/a@sha256:${H}0`, /digest must be sha256: and 64 lowercase hex/],
    [`x/a@sha256:${H}@sha256:${H}`, /digest must be sha256: and 64 lowercase hex/],
    [`@sha256:${H}`, /repository must be lowercase path components/],
    [`not a ref @sha256:${H}`, /repository must be lowercase path components/],
    [`Upper/Case@sha256:${H}`, /repository must be lowercase path components/],
    [`ACME/api@sha256:${H}`, /repository must be lowercase path components/],
    [`redis:7:4@sha256:${H}`, /repository must be lowercase path components/],
    [`redis//x@sha256:${H}`, /repository must be lowercase path components/],
    [`redis.@sha256:${H}`, /repository must be lowercase path components/],
    [`redis/@sha256:${H}`, /repository must be lowercase path components/],
    [`redis:@sha256:${H}`, /bad tag ""/],
    [`redis:-rc@sha256:${H}`, /bad tag "-rc"/],
    [`registry.local:/redis@sha256:${H}`, /bad registry host "registry.local:"/],
    [`-bad-.com/x@sha256:${H}`, /bad registry host "-bad-.com"/],
    [`../x@sha256:${H}`, /bad registry host ".."/],
    [`a b.com/x@sha256:${H}`, /bad registry host "a b.com"/],
  ];
  for (const [ref, why] of formerlyAccepted) {
    it(`refuses ${JSON.stringify(ref)}, saying why`, () => {
      assert.strictEqual(isPinnedRef(ref), false);
      assert.strictEqual(DIGEST_IMAGE.test(ref), false);
      const problem = imageRefProblem(ref);
      assert.ok(problem !== null);
      assert.ok(problem.startsWith(`"${ref}" is not a valid image reference (`), problem);
      assert.match(problem, why);
      assert.throws(
        () => parseImageRef(ref, "addons.r.image"),
        (e: Error) => e.message === `addons.r.image: ${problem}`,
      );
    });
  }
});
