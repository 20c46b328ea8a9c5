/**
 * What a hostile database or bad input does to the import: row-level security forced on a
 * table's owner, a connection string without a scheme, source and target being one database.
 */
import { strict as assert } from "assert";
import { importDatabase, readImportMarker } from "../../../components/data/engine";
import { ImportError, ImportOptions } from "../../../components/data/engine/types";
import { parseArgs } from "../../../scripts/import";
import { PgCluster, startPgCluster } from "../../../scripts/lib/pg-cluster";
import { engineFixture, EngineFixture, query } from "../../support/postgres/clusters";

const isImportError =
  (code: ImportError["code"], ...res: RegExp[]) =>
  (e: unknown) => {
    assert.ok(e instanceof ImportError, String(e));
    assert.equal(e.code, code, e.message);
    for (const re of res) assert.match(e.message, re);
    return true;
  };

const markerSchemaCount = async (url: string) =>
  (
    await query<{ n: string }>(
      url,
      "SELECT count(*) AS n FROM pg_namespace WHERE nspname = '_heroku_to_hasura'",
    )
  )[0].n;

describe("copy engine: hostile databases and bad input (real PostgreSQL)", function () {
  this.timeout(180000);
  let fx: EngineFixture;
  before(async () => {
    fx = await engineFixture();
  });

  describe("a table with FORCE ROW LEVEL SECURITY", () => {
    const ownerPw = "src-owner-pw-7c1";
    const hasuraPw = "hasura-pw-2f9";
    const db = `forcerls_${process.pid}`;
    before(() => {
      fx.source.psql(
        `DO $$ BEGIN CREATE ROLE h2h_src_owner LOGIN PASSWORD '${ownerPw}'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
      );
      fx.source.createDatabase(db, "h2h_src_owner");
      fx.source.psql(
        `SET ROLE h2h_src_owner;
         CREATE TABLE public.docs (id int PRIMARY KEY, tenant int NOT NULL, body text);
         INSERT INTO public.docs SELECT g, g % 3, 'doc ' || g FROM generate_series(1, 300) g;
         ALTER TABLE public.docs ENABLE ROW LEVEL SECURITY;
         ALTER TABLE public.docs FORCE ROW LEVEL SECURITY;
         CREATE POLICY tenant_one ON public.docs USING (tenant = 1);
         CREATE TABLE public.plain (id int PRIMARY KEY);
         INSERT INTO public.plain SELECT generate_series(1, 10);`,
        db,
      );
      fx.target.psql(
        `DO $$ BEGIN CREATE ROLE h2h_hasura LOGIN PASSWORD '${hasuraPw}'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
      );
    });
    const hasuraTarget = (name: string) => {
      fx.target.createDatabase(name, "h2h_hasura");
      return fx.target.url(name, "h2h_hasura", hasuraPw);
    };

    it("superuser source into a non-superuser target owner (the Hasura setup): every row copied and verified, also by a re-run after the policies are in place", async () => {
      const url = hasuraTarget(`rls_t_${process.pid}`);
      const opts: ImportOptions = { source: { url: fx.source.url(db) }, target: { url }, jobs: 2 };
      // First run stops once the policies are restored on the target (post-data done): the
      // re-run then verifies a table whose policies apply to its owner, the target user.
      await assert.rejects(
        importDatabase({
          ...opts,
          onProgress: (p) => {
            if (p.phase === "verify") throw new Error("stop before verifying");
          },
        }),
        /stop before verifying/,
      );
      const [flags] = await query<{ rls: boolean; forced: boolean; owner: string }>(
        fx.target.url(`rls_t_${process.pid}`),
        "SELECT relrowsecurity AS rls, relforcerowsecurity AS forced, relowner::regrole::text AS owner FROM pg_class WHERE oid = 'public.docs'::regclass",
      );
      assert.deepEqual(flags, { rls: true, forced: true, owner: "h2h_hasura" });
      // As its owner, a plain session sees only the policy's rows: what verification must not do.
      const [{ visible }] = await query<{ visible: string }>(
        url,
        "SELECT count(*) AS visible FROM public.docs",
      );
      assert.equal(visible, "100");

      const r = await importDatabase(opts);
      assert.equal(r.resumed, true);
      const docs = r.verification.find((v) => v.table === "public.docs")!;
      assert.deepEqual([docs.sourceRows, docs.targetRows, docs.equal], [300, 300, true]);
      assert.equal((await readImportMarker({ url }))?.phase, "complete");
      // The table keeps its policies, forced, after the import.
      const [after] = await query<{ forced: boolean }>(
        url,
        "SELECT relforcerowsecurity AS forced FROM pg_class WHERE oid = 'public.docs'::regclass",
      );
      assert.equal(after.forced, true);

      // And in one uninterrupted run.
      const fresh = await importDatabase({ ...opts, target: { url: hasuraTarget(`rls_u_${process.pid}`) } });
      assert.ok(fresh.verification.every((v) => v.equal));
      assert.equal(fresh.verification.find((v) => v.table === "public.docs")!.targetRows, 300);
    });

    it("the tables' owner as source user is refused up front, saying that FORCE applies to owners and what would work", async () => {
      const url = hasuraTarget(`rls_o_${process.pid}`);
      await assert.rejects(
        importDatabase({ source: { url: fx.source.url(db, "h2h_src_owner", ownerPw) }, target: { url } }),
        (e: unknown) => {
          isImportError(
            "privileges",
            /source user cannot read everything in scope, so the copy would be partial/,
            /public\.docs: FORCE ROW LEVEL SECURITY applies its policies to the table's owner too, and this user is its owner/,
            /connect as a role with BYPASSRLS, or as a superuser/,
            /ALTER TABLE … NO FORCE ROW LEVEL SECURITY/,
            /leave them out/,
          )(e);
          // Not the advice that cannot help: this user already is the owner.
          assert.doesNotMatch((e as Error).message, /owner credential|public\.plain/);
          assert.ok(!(e as Error).message.includes(ownerPw));
          return true;
        },
      );
      assert.equal(await markerSchemaCount(url), "0", "nothing written");
    });
  });

  it("columns of reg* types (object references) are copied by name, resolve to the target's own objects and verify equal", async () => {
    const db = `regrefs_${process.pid}`;
    fx.source.createDatabase(db);
    fx.source.psql(
      `CREATE SCHEMA app; CREATE TYPE app.kind AS ENUM ('a', 'b'); CREATE TABLE app.things (id int PRIMARY KEY, k app.kind);
       CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
       CREATE TABLE public.refs (id int PRIMARY KEY, tbl regclass, typ regtype, fn regprocedure, arr regclass[]);
       INSERT INTO public.refs VALUES (1, 'app.things', 'app.kind', 'app.f()', ARRAY['app.things'::regclass, 'pg_class'::regclass]),
                                      (2, 'public.refs', 'int4', 'pg_catalog.now()', NULL);`,
      db,
    );
    const url = fx.newTarget("regrefs");
    const r = await importDatabase({ source: { url: fx.source.url(db) }, target: { url }, jobs: 1 });
    assert.ok(r.verification.every((v) => v.equal));
    // The target's values point at the target's objects (other oids than the source's).
    const [row] = await query<Record<string, boolean>>(
      url,
      `SELECT tbl = 'app.things'::regclass AS t, typ = 'app.kind'::regtype AS k, fn = 'app.f()'::regprocedure AS f,
              arr[1] = 'app.things'::regclass AS a FROM public.refs WHERE id = 1`,
    );
    assert.deepEqual(row, { t: true, k: true, f: true, a: true });
  });

  it("a connection string without a scheme is refused without a word of it (engine and command)", async () => {
    const bad = `h2h_user:hunter2-secret@127.0.0.1:${fx.source.port}/rich`;
    await assert.rejects(
      importDatabase({ source: { url: bad }, target: { url: fx.newTarget("noscheme") } }),
      (e: unknown) =>
        isImportError(
          "config",
          /^source URL has no scheme: it must be a URL like postgres:\/\/USER@HOST:5432\/DATABASE \(the password after USER and a colon\)$/,
        )(e) && !(e as Error).message.includes("hunter2-secret"),
    );
    assert.throws(
      () => parseArgs(["--source", bad, "--target", fx.newTarget("noscheme2")], {}),
      (e: Error) =>
        /--source \(or SOURCE_DATABASE_URL\) has no scheme/.test(e.message) &&
        !e.message.includes("hunter2-secret"),
    );
    assert.throws(
      () => parseArgs([], { SOURCE_DATABASE_URL: fx.sourceUrl, TARGET_DATABASE_URL: `:hunter2-secret@h/db` }),
      (e: Error) =>
        /--target \(or TARGET_DATABASE_URL\) has no scheme/.test(e.message) &&
        !e.message.includes("hunter2-secret"),
    );
  });

  describe("source and target being one database", () => {
    let c: PgCluster;
    const ownerPw = "app-owner-pw-51x";
    before(async () => {
      c = await startPgCluster();
      c.psql(`CREATE ROLE app_owner LOGIN PASSWORD '${ownerPw}'`);
      c.createDatabase("app", "app_owner");
      c.createDatabase("app_copy", "app_owner");
      c.psql(
        "SET ROLE app_owner; CREATE TABLE public.t (id int PRIMARY KEY); INSERT INTO public.t SELECT generate_series(1, 50);",
        "app",
      );
    });
    after(() => c?.stop());

    it("is refused before anything is written, even with allowNonEmptyTarget and through another user's URL (same server identifier, same database)", async () => {
      const source = { url: c.url("app", "app_owner", ownerPw) };
      for (const target of [{ url: c.url("app") }, source]) {
        await assert.rejects(
          importDatabase({ source, target, allowNonEmptyTarget: true, jobs: 1 }),
          (e: unknown) =>
            isImportError(
              "same-database",
              /^source and target are the same database \(postgres:\/\/\w+:\*\*\*@127\.0\.0\.1:\d+\/app\?sslmode=disable: server system identifier \d+, database app\): the import would write into the database it reads/,
            )(e) && !(e as Error).message.includes(ownerPw),
        );
      }
      assert.equal(
        await markerSchemaCount(c.url("app")),
        "0",
        "no bookkeeping schema written into the source",
      );
    });

    it("is refused too when the server's identifier is not readable (the target's session is found on the source server); another database of the same server imports fine", async () => {
      // Function privileges are per database.
      for (const d of ["app", "app_copy"])
        c.psql("REVOKE EXECUTE ON FUNCTION pg_catalog.pg_control_system() FROM PUBLIC", d);
      try {
        const source = { url: c.url("app", "app_owner", ownerPw) };
        await assert.rejects(
          importDatabase({ source, target: source, allowNonEmptyTarget: true, jobs: 1 }),
          isImportError(
            "same-database",
            /the target's session is visible on the source server, database app/,
          ),
        );
        assert.equal(await markerSchemaCount(c.url("app")), "0");
        const r = await importDatabase({
          source,
          target: { url: c.url("app_copy", "app_owner", ownerPw) },
          jobs: 1,
        });
        assert.deepEqual(
          r.verification.map((v) => [v.table, v.targetRows, v.equal]),
          [["public.t", 50, true]],
        );
      } finally {
        for (const d of ["app", "app_copy"])
          c.psql("GRANT EXECUTE ON FUNCTION pg_catalog.pg_control_system() TO PUBLIC", d);
      }
    });
  });
});
