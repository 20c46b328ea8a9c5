/**
 * The offline-built Pulumi engine runs a real deployment: a dynamic provider and Kubernetes objects
 * rendered to a directory, through preview → up → no-op up → secret change → destroy, with the
 * state and the engine's logs scanned for the secret.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { EngineEvent, Stack } from "@pulumi/pulumi/automation";

import {
  changedResources,
  createSandbox,
  findPlaintext,
  refreshThenPreview,
  REPO_ROOT,
  Sandbox,
  scanForSecrets,
} from "../support/engine";
import { readRendered, validateRendered } from "./support/manifests";
import { smokeProgram } from "./support/smoke-program";

const TOKEN_1 = "tok-first-7d1c5e0a9b3f";
const TOKEN_2 = "tok-second-4a8e62c0d915";

describe("offline Pulumi engine (inline program, dynamic provider, rendered Kubernetes manifests)", function () {
  let sb: Sandbox;
  let stack: Stack;
  let renderDir: string;

  before(async function () {
    this.timeout(0); // the first run builds the engine (tools/engine/ensure.sh)
    sb = await createSandbox();
    renderDir = path.join(sb.dir, "rendered");
    stack = await sb.inlineStack("e2e-smoke", "smoke", smokeProgram, {
      config: {
        apiToken: { value: TOKEN_1, secret: true },
        greeting: { value: "hello" },
        renderDir: { value: renderDir },
      },
    });
  });

  after(function () {
    sb?.cleanup();
  });

  it("runs the CLI version the npm SDK pins (built with the version ldflag)", function () {
    const sdk = (
      JSON.parse(
        fs.readFileSync(path.join(REPO_ROOT, "node_modules/@pulumi/pulumi/package.json"), "utf8"),
      ) as {
        version: string;
      }
    ).version;
    console.log(`      engine: pulumi ${sb.engine.version}; plugins: ${sb.engine.plugins.join(", ")}`);
    assert.strictEqual(sb.pulumiCommand.version?.toString(), sdk);
    assert.strictEqual(sb.engine.version, `v${sdk}`);
  });

  it("previews the creation of every resource", async function () {
    const events: EngineEvent[] = [];
    const res = await stack.preview({ ...sb.ops({ events }) });
    assert.deepStrictEqual(res.changeSummary, { create: 6 });
    assert.ok(!fs.existsSync(renderDir), "preview must not render manifests");
  });

  it("up creates them: a secret digest output and schema-valid manifests on disk", async function () {
    const res = await stack.up({ ...sb.ops() });
    assert.strictEqual(res.summary.result, "succeeded");
    assert.strictEqual(res.outputs.stampId.value, "stamp-smoke");
    assert.strictEqual(
      res.outputs.digest.secret,
      true,
      "the dynamic provider's digest must be a secret output",
    );
    const objects = readRendered(renderDir);
    assert.deepStrictEqual(objects.map((o) => o.kind).sort(), ["Deployment", "Deployment", "Secret"]);
    assert.deepStrictEqual(validateRendered(objects), []);
    const web = objects.find((o) => o.kind === "Deployment" && o.metadata.name?.startsWith("web-"));
    assert.ok(web, "web Deployment rendered with an auto-generated name");
    assert.ok(
      JSON.stringify(web).includes(String(res.outputs.secretName.value)),
      "web references the Secret by its generated name",
    );
    // Control for the plaintext scan below: it does find the token where it must be, in the Secret.
    const secretFile = objects.find((o) => o.kind === "Secret")!.file;
    const found = findPlaintext(
      [{ label: "first token", value: TOKEN_1 }],
      [{ where: "Secret manifest", text: fs.readFileSync(secretFile, "utf8") }],
    );
    assert.deepStrictEqual(found, ["first token in Secret manifest"]);
  });

  it("a second up changes nothing", async function () {
    const events: EngineEvent[] = [];
    const res = await stack.up({ ...sb.ops({ events }), expectNoChanges: true });
    assert.deepStrictEqual(changedResources(events), []);
    assert.deepStrictEqual(res.summary.resourceChanges, { same: 6 });
  });

  it("a changed secret replaces the Secret and updates only the Deployment that uses it", async function () {
    await stack.setConfig("apiToken", { value: TOKEN_2, secret: true });
    const events: EngineEvent[] = [];
    await stack.up({ ...sb.ops({ events }) });
    assert.deepStrictEqual(changedResources(events), [
      "replace kubernetes:core/v1:Secret::env",
      "update kubernetes:apps/v1:Deployment::web",
      "update pulumi-nodejs:dynamic/e2e:Stamp::stamp",
      // Dynamic providers receive the stack config, so the changed secret updates theirs too.
      "update pulumi:providers:pulumi-nodejs::default",
    ]);
    assert.deepStrictEqual(validateRendered(readRendered(renderDir)), []);
  });

  // The Kubernetes provider (v4.25.0) cannot read rendered manifests back without a cluster
  // ("failed to read resource state due to unreachable cluster"), so refresh targets the rest.
  it("refresh reads the dynamic resource back and leaves nothing to change", async function () {
    const resources = (await stack.exportStack()).deployment.resources as { urn: string; type: string }[];
    const stamp = resources.find((r) => r.type === "pulumi-nodejs:dynamic/e2e:Stamp");
    assert.ok(stamp, "the Stamp is in state");
    assert.deepStrictEqual(await refreshThenPreview(sb, stack, [stamp.urn]), {
      result: "succeeded",
      refreshed: [],
      previewed: [],
    });
  });

  it("destroy removes every resource and the rendered manifests", async function () {
    const res = await stack.destroy({ ...sb.ops() });
    assert.strictEqual(res.summary.result, "succeeded");
    assert.deepStrictEqual(readRendered(renderDir), []);
  });

  it("no secret appears in plaintext in the state files or the engine's output and events", function () {
    assert.ok(sb.stateFiles().length > 0, "the file backend wrote state");
    // The sandbox's passphrase is looked for too.
    const hits = scanForSecrets(sb, [
      { label: "first token", value: TOKEN_1 },
      { label: "second token", value: TOKEN_2 },
    ]);
    assert.deepStrictEqual(hits, []);
    assert.ok(sb.log.events().includes("resourcePreEvent"), "the scanned events are the real ones");
  });
});
