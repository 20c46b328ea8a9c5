import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { importDatabase, preflight } from "../../../components/data/engine";
import { ImportError } from "../../../components/data/engine/types";
import { freePort } from "../../../scripts/lib/pg-cluster";
import { engineFixture, EngineFixture, query } from "../../support/postgres/clusters";

const isImportError = (code: ImportError["code"], re?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof ImportError, String(e));
  assert.equal(e.code, code, e.message);
  if (re) assert.match(e.message, re);
  return true;
};

describe("copy engine: preflight (real PostgreSQL)", function () {
  this.timeout(60000);
  let fx: EngineFixture;
  before(async () => {
    fx = await engineFixture();
  });

  it("reports versions, Heroku's heroku_ext extensions, tables and an estimate without writing", async () => {
    const url = fx.newTarget("pf");
    const r = await preflight({ source: { url: fx.sourceUrl }, target: { url }, jobs: 2 });
    assert.match(r.sourceServerVersion, /^15\./);
    assert.match(r.pgDumpVersion, /^1[5-9]/);
    assert.deepEqual(
      r.extensions.map((e) => `${e.name}@${e.schema}:${e.availableOnTarget}`),
      ["btree_gist@heroku_ext:true", "citext@heroku_ext:true", "hstore@heroku_ext:true"],
    );
    assert.equal(r.tables.length, 16);
    assert.equal(r.tables[0].table, "public.big_events");
    assert.ok(r.estimatedBytes > 1_000_000 && r.estimatedSeconds >= 1);
    assert.equal(r.action, "fresh");
    assert.ok(!r.source.includes(fx.source.password) && r.source.includes(":***@"));
    const [{ n }] = await query<{ n: string }>(
      url,
      "SELECT count(*) AS n FROM pg_namespace WHERE nspname = '_heroku_to_hasura'",
    );
    assert.equal(n, "0");
  });

  it("refuses a non-empty target and lists what is there", async () => {
    const url = fx.newTarget("nonempty");
    await query(
      url,
      "CREATE TABLE public.existing (id int); CREATE VIEW public.existing_v AS SELECT 1 AS one",
    );
    await assert.rejects(
      importDatabase({ source: { url: fx.sourceUrl }, target: { url } }),
      isImportError(
        "non-empty-target",
        /not empty[\s\S]*table public\.existing[\s\S]*view public\.existing_v/,
      ),
    );
    const [{ n }] = await query<{ n: string }>(
      url,
      "SELECT count(*) AS n FROM pg_namespace WHERE nspname IN ('_heroku_to_hasura', 'heroku_ext')",
    );
    assert.equal(n, "0", "nothing was written");
  });

  it("refuses a target whose extension lives in another schema than Heroku's heroku_ext", async () => {
    const url = fx.newTarget("extschema");
    await query(url, "CREATE EXTENSION citext WITH SCHEMA public");
    await assert.rejects(
      preflight({ source: { url: fx.sourceUrl }, target: { url } }),
      isImportError("extension", /citext \(source: heroku_ext, target: public\)/),
    );
  });

  it("reports a pg_dump older than the source server and names the version needed", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "old-pgdump-"));
    try {
      for (const tool of ["pg_dump", "pg_restore"]) {
        fs.writeFileSync(path.join(dir, tool), `#!/bin/sh\necho "${tool} (PostgreSQL) 12.3"\n`, {
          mode: 0o755,
        });
      }
      await assert.rejects(
        importDatabase({
          source: { url: fx.sourceUrl },
          target: { url: fx.newTarget("oldtools") },
          pgBinDir: dir,
        }),
        isImportError(
          "version",
          /pg_dump 12\.3 .* older than the source server \(PostgreSQL 15\.[\s\S]*PostgreSQL 15 client tools/,
        ),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says when authentication fails, without the password", async () => {
    const bad = fx.source.url("rich", "postgres", "wrong-secret-pw");
    await assert.rejects(
      preflight({ source: { url: bad }, target: { url: fx.newTarget("auth") } }),
      (e: unknown) => {
        isImportError(
          "auth",
          /source postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/rich.*authentication failed/,
        )(e);
        assert.ok(!(e as Error).message.includes("wrong-secret-pw"));
        return true;
      },
    );
  });

  it("says when the server requires TLS", async () => {
    const plain = fx.sourceUrl.replace("sslmode=require", "sslmode=disable");
    await assert.rejects(
      preflight({ source: { url: plain }, target: { url: fx.newTarget("tls") } }),
      isImportError("tls", /requires TLS/),
    );
  });

  it("says when a server is unreachable", async () => {
    const port = await freePort();
    await assert.rejects(
      preflight({
        source: { url: fx.sourceUrl },
        target: { url: `postgres://u:secretpw@127.0.0.1:${port}/db?sslmode=disable` },
      }),
      (e: unknown) =>
        isImportError("unreachable", /target postgres:\/\/u:\*\*\*@127\.0\.0\.1:\d+\/db.*cannot reach/)(e) &&
        !(e as Error).message.includes("secretpw"),
    );
  });
});
