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

  it("refuses a target database of another encoding, and warns when only the collation differs", async () => {
    const n = `${process.pid}_${Date.now()}`;
    fx.target.psql(
      `CREATE DATABASE latin_${n} ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`,
    );
    fx.target.psql(
      `CREATE DATABASE ccoll_${n} ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`,
    );
    await assert.rejects(
      preflight({ source: { url: fx.sourceUrl }, target: { url: fx.target.url(`latin_${n}`) } }),
      isImportError("encoding", /target database's encoding is LATIN1, the source's UTF8.*ENCODING 'UTF8'/),
    );
    const r = await preflight({
      source: { url: fx.sourceUrl },
      target: { url: fx.target.url(`ccoll_${n}`) },
    });
    assert.ok(
      r.warnings.some((w) => /collation \(C\/C\) differs from the source's \(C\.UTF-8\/C\.UTF-8\)/.test(w)),
      r.warnings.join("\n"),
    );
    const same = await preflight({ source: { url: fx.sourceUrl }, target: { url: fx.newTarget("coll") } });
    assert.ok(!same.warnings.some((w) => /collation/.test(w)), same.warnings.join("\n"));
  });

  describe("a source user who cannot read everything in scope", () => {
    const readerPw = "reader-pw-5q8";
    let srcUrl: string;
    before(() => {
      const db = `priv_${process.pid}`;
      fx.source.psql(
        `DO $$ BEGIN CREATE ROLE h2h_reader LOGIN PASSWORD '${readerPw}'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
      );
      fx.source.createDatabase(db);
      fx.source.psql(
        `CREATE TABLE public.docs (id int PRIMARY KEY, tenant int NOT NULL);
         INSERT INTO public.docs SELECT g, g % 2 FROM generate_series(1, 10) g;
         ALTER TABLE public.docs ENABLE ROW LEVEL SECURITY;
         CREATE POLICY tenant0 ON public.docs FOR SELECT USING (tenant = 0);
         CREATE TABLE public.items (id bigserial PRIMARY KEY, name text);
         INSERT INTO public.items (name) SELECT 'x' FROM generate_series(1, 5);
         CREATE TABLE public.secret_notes (id int);
         GRANT SELECT ON public.docs, public.items TO h2h_reader;`,
        db,
      );
      srcUrl = fx.source.url(db, "h2h_reader", readerPw);
    });

    it("is refused before anything is written, naming each table/sequence and why (RLS, no SELECT, unreadable sequence)", async () => {
      const url = fx.newTarget("priv");
      await assert.rejects(
        importDatabase({ source: { url: srcUrl }, target: { url }, jobs: 1 }),
        isImportError(
          "privileges",
          /public\.docs: row-level security hides rows[\s\S]*public\.items_id_seq: sequence without SELECT privilege[\s\S]*public\.secret_notes: table without SELECT privilege/,
        ),
      );
      const [{ n }] = await query<{ n: string }>(
        url,
        "SELECT count(*) AS n FROM pg_namespace WHERE nspname = '_heroku_to_hasura'",
      );
      assert.equal(n, "0");
      // Excluding what cannot be read is a way out (the sequence lives in the same schema, so not here).
      await assert.rejects(
        preflight({ source: { url: srcUrl }, target: { url }, excludeTables: ["docs", "secret_notes"] }),
        (e: Error) => !/docs|secret_notes/.test(e.message) && /items_id_seq/.test(e.message),
      );
    });

    it("engine sessions run with row_security off: a filtered table errors instead of yielding only its visible rows", async () => {
      const { connect } = await import("../../../components/data/engine/connection");
      const c = await connect({ url: srcUrl }, "source");
      try {
        await assert.rejects(c.query("SELECT count(*) FROM public.docs"), /row-level security/);
      } finally {
        await c.end();
      }
      const [{ n }] = await query<{ n: string }>(srcUrl, "SELECT count(*) AS n FROM public.docs");
      assert.equal(n, "5", "a default session sees only the visible half: the hole this closes");
    });
  });
});
