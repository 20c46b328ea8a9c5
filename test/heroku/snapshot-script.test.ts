import { strict as assert } from "assert";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { readSnapshotFile } from "../../components/heroku/snapshot-file";
import { main, parseArgs } from "../../scripts/snapshot";
import { FULL_TOKEN, READ_ONLY_TOKEN } from "../support/heroku-double";
import { withDouble } from "./support";

describe("npm run snapshot (scripts/snapshot.ts)", () => {
  const h = withDouble();
  let dir: string;
  let out: string[];
  let err: string[];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "h2h-snapshot-cli-"));
    out = [];
    err = [];
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("writes a redacted snapshot file of the named apps and reports API calls per app", async () => {
    const file = path.join(dir, "snap.json");
    const code = await main(
      ["acme-api", "acme-admin", "--out", file, "--api-url", h.double.url],
      { HEROKU_API_KEY: FULL_TOKEN },
      io,
    );
    assert.equal(code, 0, err.join("\n"));
    assert.deepEqual(out, [
      `Wrote 2 app(s) to ${file} (values redacted).`,
      "API calls: acme-api 17, acme-admin 14, shared 2; RateLimit-Remaining 4467.",
    ]);
    const set = await readSnapshotFile(file);
    assert.equal(set.redacted, true);
    assert.deepEqual(
      set.apps.map((a) => a.app.name),
      ["acme-api", "acme-admin"],
    );
    assert.ok(set.apps[0].configVars.DATABASE_URL.isRedacted);
  });

  it("writes plaintext values with --include-secrets and says so", async () => {
    const file = path.join(dir, "snap.json");
    const code = await main(
      ["acme-api", "-o", file, "--include-secrets"],
      { HEROKU_API_KEY: FULL_TOKEN, HEROKU_API_URL: h.double.url },
      io,
    );
    assert.equal(code, 0, err.join("\n"));
    assert.match(out[0], /WITH plaintext config var values: keep this file private/);
    const set = await readSnapshotFile(file);
    assert.equal(set.apps[0].configVars.NODE_ENV.reveal(), "production");
  });

  it("exits 1 with the reader's message when the token lacks a scope, writing nothing", async () => {
    const file = path.join(dir, "snap.json");
    const code = await main(
      ["acme-api", "--out", file, "--api-url", h.double.url],
      { HEROKU_API_KEY: READ_ONLY_TOKEN },
      io,
    );
    assert.equal(code, 1);
    assert.match(err.join("\n"), /token lacks read-protected scope: config vars cannot be read/);
    assert.deepEqual(await fs.readdir(dir), []);
  });

  it("exits 1 without a token, saying how to provide one", async () => {
    const code = await main(["acme-api", "--api-url", h.double.url], {}, io);
    assert.equal(code, 1);
    assert.match(err[0], /No Heroku API token: .*HEROKU_API_KEY/);
  });

  it("exits 2 on usage errors", async () => {
    assert.equal(await main([], {}, io), 2);
    assert.match(err[0], /name at least one app/);
    assert.equal(await main(["acme-api", "--frobnicate"], {}, io), 2);
    assert.equal(await main(["Not An App"], {}, io), 2);
    assert.throws(() => parseArgs(["acme-api", "--out"], {}), /--out needs a value/);
  });
});
