import { strict as assert } from "assert";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { readAppSnapshots } from "../../components/heroku/reader";
import { isSecretString } from "../../components/heroku/secret-string";
import { SnapshotSet } from "../../components/heroku/snapshot";
import {
  parseSnapshotSet,
  readSnapshotFile,
  serializeSnapshotSet,
  SnapshotFileError,
  writeSnapshotFile,
} from "../../components/heroku/snapshot-file";
import { rejection, testClient, withDouble } from "./support";

/** Plain data with each secret replaced by `f(secret)`, for deep comparison. */
function plain(v: unknown, f: (s: { reveal(): string; isRedacted: boolean }) => unknown): unknown {
  if (isSecretString(v)) return f(v);
  if (Array.isArray(v)) return v.map((x) => plain(x, f));
  if (typeof v === "object" && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x, f)]));
  return v;
}
const revealed = (v: unknown) => plain(v, (s) => ({ plaintext: s.reveal() }));
const markers = (v: unknown) => plain(v, (s) => (s.isRedacted ? "REDACTED" : "SECRET"));

describe("snapshot files", () => {
  const h = withDouble();
  let dir: string;
  let fromApi: SnapshotSet;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "h2h-snapshot-"));
    fromApi = await readAppSnapshots(testClient(h.double).client, ["acme-api", "acme-admin"]);
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("round trip API → redacted file → program input: same snapshot, every secret redacted", async () => {
    const file = path.join(dir, "snap.json");
    await writeSnapshotFile(file, fromApi);
    const back = await readSnapshotFile(file);
    assert.equal(back.redacted, true);
    assert.deepEqual(
      plain(back, () => "SECRET"),
      plain({ ...fromApi, redacted: true }, () => "SECRET"),
    );
    const secrets = back.apps.flatMap((a) => [
      ...Object.values(a.configVars),
      ...a.logDrains.map((d) => d.url),
    ]);
    assert.equal(secrets.length, 8 + 1 + 4 + 1);
    assert.ok(secrets.every((s) => s.isRedacted));
    assert.throws(
      () => back.apps[0].configVars.DATABASE_URL.reveal("DATABASE_URL of acme-api"),
      /DATABASE_URL of acme-api is redacted in its snapshot file: re-create the file with --include-secrets/,
    );
    const text = await fs.readFile(file, "utf8");
    assert.match(text, /"DATABASE_URL": \{\s*"\$redacted": true\s*\}/);
    for (const app of fromApi.apps) {
      for (const v of Object.values(app.configVars)) {
        if (v.reveal().length > 3)
          assert.ok(!text.includes(v.reveal()), "a config var value is in the redacted file");
      }
    }
  });

  it("round trip with --include-secrets keeps every value", async () => {
    const file = path.join(dir, "snap.json");
    await writeSnapshotFile(file, fromApi, { includeSecrets: true });
    const back = await readSnapshotFile(file);
    assert.equal(back.redacted, false);
    assert.deepEqual(revealed(back), revealed(fromApi));
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await fs.readdir(dir), ["snap.json"]);
  });

  it("writes an already-redacted value as redacted even with --include-secrets", async () => {
    const redactedOnce = parseSnapshotSet(serializeSnapshotSet(fromApi), "first");
    const again = parseSnapshotSet(serializeSnapshotSet(redactedOnce, { includeSecrets: true }), "second");
    assert.equal(again.redacted, false);
    assert.deepEqual(markers(again.apps), markers(redactedOnce.apps));
  });

  it("reads a file written before attachmentsFrom existed as complete add-on lists, and refuses a bad value", () => {
    const doc = JSON.parse(serializeSnapshotSet(fromApi, { includeSecrets: true }));
    for (const app of doc.apps) for (const a of app.addons) delete a.attachmentsFrom;
    const back = parseSnapshotSet(JSON.stringify(doc), "old.json");
    assert.ok(back.apps.every((a) => a.addons.every((x) => x.attachmentsFrom === "addon")));
    doc.apps[0].addons[0].attachmentsFrom = "somewhere";
    assert.throws(
      () => parseSnapshotSet(JSON.stringify(doc), "old.json"),
      /addons\[0\]\.attachmentsFrom: expected one of addon, app, hidden/,
    );
  });

  describe("refuses bad files with the file, app and field at fault", () => {
    const text = () => JSON.parse(serializeSnapshotSet(fromApi, { includeSecrets: true }));
    const parseErr = (o: unknown, src = "snap.json") => {
      try {
        parseSnapshotSet(typeof o === "string" ? o : JSON.stringify(o), src);
      } catch (e) {
        assert.ok(e instanceof SnapshotFileError, String(e));
        return e.message;
      }
      throw new Error("expected a SnapshotFileError");
    };

    it("invalid JSON", () => {
      assert.match(parseErr("{nope", "x/snap.json"), /^Snapshot file x\/snap\.json is not valid JSON/);
    });

    it("another format version", () => {
      assert.match(
        parseErr({ ...text(), formatVersion: 2 }),
        /^Snapshot file snap\.json has formatVersion 2; this program reads version 1\. Re-create it with `npm run snapshot`/,
      );
      const o = text();
      o.apps[1].formatVersion = 0;
      assert.match(
        parseErr(o),
        /^Snapshot file snap\.json, app "acme-admin" has formatVersion 0; this program reads version 1/,
      );
    });

    it("a missing or mistyped field", () => {
      const o = text();
      delete o.apps[0].formation[1].size;
      assert.equal(parseErr(o), 'Snapshot file snap.json, app "acme-api": field formation[1].size: missing');
      const p = text();
      p.apps[1].addons[0].state = "gone";
      assert.match(
        parseErr(p),
        /app "acme-admin": field addons\[0\]\.state: expected one of provisioning, provisioned, deprovisioned/,
      );
    });

    it("a plain string where a secret belongs, without echoing it", () => {
      const o = text();
      o.apps[0].configVars.SESSION_SECRET = "hunter2-plaintext";
      const m = parseErr(o);
      assert.match(
        m,
        /app "acme-api": field configVars\.SESSION_SECRET: expected a secret \(\{"\$secret": "…"\} or \{"\$redacted": true\}\), got a string/,
      );
      assert.ok(!m.includes("hunter2"));
    });

    it("plaintext in a file marked redacted", () => {
      const o = text();
      o.redacted = true;
      assert.match(
        parseErr(o),
        /app "acme-api": field configVars\.DATABASE_URL holds a plaintext value but the file says "redacted": true/,
      );
    });

    it("a malformed secret object", () => {
      const o = text();
      o.apps[0].logDrains[0].url = { $secret: "x", extra: 1 };
      assert.match(
        parseErr(o),
        /field logDrains\[0\]\.url must be \{"\$secret": "<string>"\} or \{"\$redacted": true\}/,
      );
    });

    it("the same app twice, or no apps", () => {
      const o = text();
      o.apps.push(o.apps[0]);
      assert.match(parseErr(o), /app "acme-api": the app appears twice in the file/);
      assert.match(parseErr({ ...text(), apps: [] }), /"apps" must be a non-empty array/);
    });

    it("a file that does not exist", async () => {
      const e = await rejection(readSnapshotFile(path.join(dir, "missing.json")));
      assert.ok(e instanceof SnapshotFileError);
      assert.match(e.message, /^Snapshot file .*missing\.json cannot be read: ENOENT/);
    });
  });
});
