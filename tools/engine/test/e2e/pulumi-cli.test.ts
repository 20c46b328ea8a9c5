/**
 * The real Pulumi CLI running a TypeScript project through our language host: preview, up, a no-op
 * second up, a config change, destroy, and a program that throws.
 */
import * as assert from "assert";

import { FAILURE_MARKER, STDOUT_MARKER, programFiles } from "../support/program";
import { Sandbox, createSandbox, ok } from "../support/sandbox";
import { hostPin, programPin } from "../support/pins";

const SECRET = "tok-8d61f0-never-in-state";

describe("pulumi CLI with our Node.js language host", function () {
  this.timeout(600_000);
  let sandbox: Sandbox;
  let dir: string;
  const pulumi = (...args: string[]) => sandbox.pulumi(args, dir);

  before(() => {
    sandbox = createSandbox();
    dir = sandbox.project("lh-cli", programFiles("lh-cli"));
    ok(pulumi("stack", "init", "dev"), "stack init");
    ok(pulumi("config", "set", "greeting", "hello"), "config set");
    ok(pulumi("config", "set", "--secret", "token", SECRET), "config set --secret");
    ok(pulumi("config", "set", "shared:region", "eu-west"), "config set shared:region");
  });
  after(() => sandbox?.dispose());

  it("uses the shim next to the CLI as its nodejs language plugin", () => {
    const about = ok(pulumi("about"), "about").stdout;
    const v = (pin: string) => pin.replace(/\./g, "\\.");
    assert.match(about, new RegExp(`language\\s+nodejs\\s+${v(hostPin("@pulumi/pulumi"))}`));
    // The program runs on the Node.js the suite runs on (a supported one: scripts/node/ensure.sh).
    assert.match(
      about,
      new RegExp(`This project is written in nodejs: executable='[^']*node' version='${process.version}'`),
    );
    // GetRequiredPackages found the resource plugins the repo's node_modules pins.
    assert.match(about, new RegExp(`resource\\s+kubernetes\\s+${v(programPin("@pulumi/kubernetes"))}`));
    assert.match(about, new RegExp(`resource\\s+postgresql\\s+${v(programPin("@pulumi/postgresql"))}`));
  });

  it("previews the program: config read, dynamic resource planned", () => {
    const out = ok(pulumi("preview", "--diff"), "preview").output;
    assert.match(out, /\+ pulumi:pulumi:Stack/);
    assert.match(out, /\+ pulumi-nodejs:dynamic:Resource: \(create\)[\s\S]*message\s*: "hello"/);
    assert.ok(!out.includes(SECRET), "preview output shows the secret");
  });

  it("up creates the dynamic resource and exports outputs; the secret stays secret", () => {
    const out = ok(pulumi("up", "--yes"), "up").output;
    assert.match(out, /\+ 2 created/);
    assert.ok(out.includes(STDOUT_MARKER), "the program's console.log output is not shown");
    assert.ok(!out.includes(SECRET), "up output shows the secret");
    const outputs = JSON.parse(
      ok(pulumi("stack", "output", "--json", "--show-secrets"), "stack output").stdout,
    );
    assert.deepStrictEqual(outputs, {
      shout: "HELLO",
      region: "eu-west",
      secretToken: SECRET,
      tokenLength: SECRET.length,
      stack: "dev",
      project: "lh-cli",
    });
    const masked = JSON.parse(ok(pulumi("stack", "output", "--json"), "stack output").stdout);
    assert.strictEqual(masked.secretToken, "[secret]");
    const state = ok(pulumi("stack", "export"), "stack export").stdout;
    assert.ok(!state.includes(SECRET), "the state holds the secret in plaintext");
    assert.match(state, /pulumi-nodejs:dynamic:Resource/);
  });

  it("a second up has no changes", () => {
    const out = ok(pulumi("up", "--yes", "--expect-no-changes"), "up --expect-no-changes").output;
    assert.match(out, /\b2 unchanged\b/);
  });

  it("a config change reaches the program and updates the dynamic resource in place", () => {
    ok(pulumi("config", "set", "greeting", "bonjour"), "config set");
    const out = ok(pulumi("up", "--yes"), "up").output;
    assert.match(out, /~ 1 updated/);
    const outputs = JSON.parse(ok(pulumi("stack", "output", "--json"), "stack output").stdout);
    assert.strictEqual(outputs.shout, "BONJOUR");
  });

  it("destroy removes every resource", () => {
    const out = ok(pulumi("destroy", "--yes"), "destroy").output;
    assert.match(out, /- 2 deleted/);
    const state = JSON.parse(ok(pulumi("stack", "export"), "stack export").stdout);
    assert.deepStrictEqual(state.deployment.resources ?? [], []);
  });

  it("a program that throws fails the update with its message shown once", () => {
    ok(pulumi("stack", "init", "broken"), "stack init broken");
    ok(pulumi("config", "set", "fail", "true", "--stack", "broken"), "config set fail");
    const r = pulumi("up", "--yes", "--stack", "broken");
    assert.notStrictEqual(r.code, 0, `up of a throwing program succeeded:\n${r.output}`);
    assert.strictEqual(
      r.output.split(FAILURE_MARKER).length - 1,
      1,
      `message not shown exactly once:\n${r.output}`,
    );
    // Exit code 32 means "already reported": the host must not add its own generic error.
    assert.ok(!r.output.includes("non-zero exit code"), r.output);
  });
});
