/**
 * GeneratedSecret: the provider as Pulumi runs it (serialized, in a plain node process over gRPC),
 * and the resource's registration under mocks.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
  generatedSecretProvider,
  randomString,
  URL_SAFE_ALPHABET,
} from "../../components/secrets/generated-secret-provider";
import { DynamicProviderHost } from "../support/dynamic-provider-host";
import { installMocks, recorder, unwrap } from "../support/pulumi-mocks";

describe("GeneratedSecret provider (serialized, real dynamic-provider process)", function () {
  let host: DynamicProviderHost;
  before(async () => {
    host = await DynamicProviderHost.serve(generatedSecretProvider);
  });
  after(() => host?.stop());

  const inputs = { length: 40, alphabet: URL_SAFE_ALPHABET, rotation: "" };

  it("creates a value of the asked length from the alphabet, different each create", async () => {
    const a = await host.create(inputs);
    const b = await host.create(inputs);
    for (const r of [a, b]) {
      assert.strictEqual((r.outs.value as string).length, 40);
      assert.match(r.outs.value as string, /^[A-Za-z0-9]{40}$/);
    }
    assert.notStrictEqual(a.outs.value, b.outs.value);
    assert.notStrictEqual(a.id, b.id);
  });

  it("is stable: the same inputs are no change, and update keeps the value", async () => {
    const { id, outs } = await host.create(inputs);
    const d = await host.diff(id, outs, { ...inputs });
    assert.deepStrictEqual(d, { changes: "none", replaces: [], deleteBeforeReplace: false });
    const kept = await host.update(id, outs, { ...inputs });
    assert.strictEqual(kept.value, outs.value);
    const read = await host.read(id, outs);
    assert.strictEqual(read.props.value, outs.value);
  });

  it("rotates only on an explicit change of rotation, length or alphabet (replacement)", async () => {
    const { id, outs } = await host.create(inputs);
    assert.deepStrictEqual((await host.diff(id, outs, { ...inputs, rotation: "2026-12" })).replaces, [
      "rotation",
    ]);
    assert.deepStrictEqual((await host.diff(id, outs, { ...inputs, length: 41 })).replaces, ["length"]);
    assert.deepStrictEqual(
      (await host.diff(id, outs, { ...inputs, alphabet: "0123456789abcdef" })).replaces,
      ["alphabet"],
    );
  });

  it("refuses a short length or a small alphabet", async () => {
    const short = await host.check({}, { ...inputs, length: 8 });
    assert.deepStrictEqual(
      short.failures.map((f) => f.property),
      ["length"],
    );
    const small = await host.check({}, { ...inputs, alphabet: "ab" });
    assert.deepStrictEqual(
      small.failures.map((f) => f.property),
      ["alphabet"],
    );
  });
});

describe("randomString", () => {
  it("draws every character of the alphabet, and only those", () => {
    const s = randomString(4000, "abcdefghijklmnop");
    assert.strictEqual(s.length, 4000);
    assert.deepStrictEqual([...new Set(s)].sort().join(""), "abcdefghijklmnop");
  });
});

describe("GeneratedSecret resource (mock)", () => {
  before(() => installMocks());

  it("registers the real type token, with value as an additional secret output", async () => {
    const { GeneratedSecret } = await import("../../components/secrets/generated-secret");
    const type = "pulumi-nodejs:dynamic/heroku-to-hasura/secrets:GeneratedSecret";
    const s = new GeneratedSecret(
      "admin-secret",
      { rotation: "r1" },
      { transformations: [recorder.recordOptions] },
    );
    await unwrap(s.urn);
    assert.deepStrictEqual(recorder.children(), [[type, "admin-secret"]]);
    const opts = recorder.optionsOf(type, "admin-secret") as pulumi.CustomResourceOptions;
    assert.deepStrictEqual(opts.additionalSecretOutputs, ["value"]);
  });
});
