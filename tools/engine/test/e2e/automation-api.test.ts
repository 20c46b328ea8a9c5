/**
 * The Automation API driving a local (on-disk) TypeScript program through our language host:
 * `LocalWorkspace` with `PulumiCommand.get({ root })` on the sandbox's CLI, never `install()`.
 */
import * as assert from "assert";

import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";

import { programFiles } from "../support/program";
import { Sandbox, createSandbox } from "../support/sandbox";

const SECRET = "auto-tok-51b9e2";

describe("Automation API local program with our Node.js language host", function () {
  this.timeout(600_000);
  let sandbox: Sandbox;
  let stack: Stack;

  before(async () => {
    sandbox = createSandbox();
    const workDir = sandbox.project("lh-auto", programFiles("lh-auto"));
    const pulumiCommand = await PulumiCommand.get({ root: sandbox.root });
    const envVars: Record<string, string> = {};
    for (const [k, v] of Object.entries(sandbox.env)) if (k.startsWith("PULUMI_") && v) envVars[k] = v;
    envVars.PATH = sandbox.env.PATH ?? "";
    stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "auto", workDir },
      { pulumiCommand, envVars },
    );
    await stack.setAllConfig({
      greeting: { value: "hi there" },
      token: { value: SECRET, secret: true },
    });
  });
  after(async () => {
    try {
      await stack?.destroy();
    } finally {
      sandbox?.dispose();
    }
  });

  it("up runs the program and returns its outputs", async () => {
    let log = "";
    const result = await stack.up({ onOutput: (s) => (log += s) });
    assert.strictEqual(result.summary.result, "succeeded", log);
    assert.deepStrictEqual(result.summary.resourceChanges, { create: 2 });
    assert.strictEqual(result.outputs.shout.value, "HI THERE");
    assert.strictEqual(result.outputs.secretToken.value, SECRET);
    assert.strictEqual(result.outputs.secretToken.secret, true);
    assert.strictEqual(result.outputs.region.value, "unset");
    assert.ok(!log.includes(SECRET), "the update log shows the secret");
  });

  it("preview after up plans no changes", async () => {
    const preview = await stack.preview();
    assert.deepStrictEqual(preview.changeSummary, { same: 2 });
  });
});
