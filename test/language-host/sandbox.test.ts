/** How the language-host tests find the Pulumi CLI, and that a missing CLI fails them loudly. */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { locatePulumiCli } from "./support/sandbox";

describe("sandbox: locatePulumiCli", () => {
  let root: string;
  let cache: string;
  beforeEach(() => (root = cache = fs.mkdtempSync(path.join(os.tmpdir(), "lh-cache-"))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const fakeCli = (key: string, mtime: number): string => {
    const cli = path.join(cache, key, "bin", "pulumi");
    fs.mkdirSync(path.dirname(cli), { recursive: true });
    fs.writeFileSync(cli, "");
    fs.utimesSync(cli, mtime, mtime);
    return cli;
  };

  it("fails, telling to run scripts/engine/ensure.sh, when no CLI was built", () => {
    assert.throws(
      () => locatePulumiCli({ HEROKU_TO_HASURA_ENGINE_CACHE: cache }),
      /no Pulumi CLI found .*run `bash scripts\/engine\/ensure.sh` first/,
    );
  });

  it("takes the newest build in the engine cache, found through XDG_CACHE_HOME", () => {
    const xdg = path.join(root, "xdg");
    cache = path.join(xdg, "heroku-to-hasura", "engine");
    fakeCli("old", 1_000_000);
    const newest = fakeCli("new", 2_000_000);
    assert.strictEqual(locatePulumiCli({ XDG_CACHE_HOME: xdg }), newest);
  });

  it("prefers PULUMI_CLI, and rejects one that does not exist", () => {
    const cli = fakeCli("any", 1_000_000);
    assert.strictEqual(
      locatePulumiCli({ PULUMI_CLI: cli, HEROKU_TO_HASURA_ENGINE_CACHE: "/nonexistent" }),
      cli,
    );
    assert.throws(() => locatePulumiCli({ PULUMI_CLI: path.join(cache, "missing") }), /does not exist/);
  });
});
