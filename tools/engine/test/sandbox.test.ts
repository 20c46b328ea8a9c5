/** How the language-host tests find the Pulumi CLI: PULUMI_CLI, else this checkout's engine, never another's. */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { locatePulumiCli } from "./support/sandbox";

describe("sandbox: locatePulumiCli", () => {
  let root: string;
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), "lh-cli-"))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const fakeCli = (dir: string): string => {
    const cli = path.join(root, dir, "pulumi");
    fs.mkdirSync(path.dirname(cli), { recursive: true });
    fs.writeFileSync(cli, "");
    return cli;
  };
  const noEngine = (): never => assert.fail("the engine must not be consulted when PULUMI_CLI is set");

  it("takes the CLI in the bin/ this checkout's ensure.sh reports", () => {
    const cli = fakeCli("bin");
    assert.strictEqual(
      locatePulumiCli({}, () => ({ bin: path.dirname(cli) })),
      cli,
    );
  });

  it("fails, naming the path, when the reported bin/ holds no CLI", () => {
    assert.throws(
      () => locatePulumiCli({}, () => ({ bin: path.join(root, "empty") })),
      new RegExp(`ensure.sh reported ${path.join(root, "empty", "pulumi")}, which does not exist`),
    );
  });

  it("prefers PULUMI_CLI, and rejects one that does not exist", () => {
    const cli = fakeCli("custom");
    assert.strictEqual(locatePulumiCli({ PULUMI_CLI: cli }, noEngine), cli);
    assert.throws(
      () => locatePulumiCli({ PULUMI_CLI: path.join(root, "missing") }, noEngine),
      /PULUMI_CLI=.*missing does not exist/,
    );
  });
});
