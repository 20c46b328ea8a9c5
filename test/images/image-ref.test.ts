import { strict as assert } from "assert";
import {
  digestRef,
  parseImageRef,
  registryHost,
  repositoryOf,
  toDigestRef,
} from "../../components/images/image-ref";

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
});
