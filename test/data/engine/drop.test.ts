/**
 * dropImport (PostgresImport dropTargetOnDelete) against a real TLS-only server reached with
 * `sslmode=require`, as a Heroku-like or cloud target with a self-signed certificate would be.
 */
import { strict as assert } from "assert";
import { dropImport } from "../../../components/data/engine";
import { ImportError } from "../../../components/data/engine/types";
import { engineFixture, EngineFixture, query } from "../../support/postgres/clusters";

describe("copy engine: dropImport (real PostgreSQL, TLS)", function () {
  this.timeout(120000);
  let fx: EngineFixture;
  const password = "drop-owner-pw-7f3";
  let n = 0;

  before(async () => {
    fx = await engineFixture();
    fx.source.psql(
      `DO $$ BEGIN CREATE ROLE h2h_drop_owner LOGIN PASSWORD '${password}'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    );
  });

  /** A database on the TLS cluster owned by a non-superuser, holding a table and a marker of `importId`. */
  async function targetWithMarker(importId: string | null): Promise<string> {
    const db = `drop_${process.pid}_${++n}`;
    fx.source.createDatabase(db, "h2h_drop_owner");
    const url = fx.source.url(db, "h2h_drop_owner", password);
    assert.match(url, /sslmode=require/);
    await query(url, "CREATE TABLE public.orders (id int PRIMARY KEY); INSERT INTO public.orders VALUES (1)");
    if (importId !== null) {
      await query(
        url,
        `CREATE SCHEMA "_heroku_to_hasura";
         CREATE TABLE "_heroku_to_hasura".import_state (id int PRIMARY KEY, state jsonb NOT NULL);
         INSERT INTO "_heroku_to_hasura".import_state VALUES (1, jsonb_build_object('importId', '${importId}'))`,
      );
    }
    return url;
  }

  const tables = async (url: string) =>
    (
      await query<{ t: string }>(
        url,
        "SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog','information_schema') ORDER BY 1",
      )
    ).map((r) => r.t);

  it("drops the import's objects over TLS with sslmode=require (self-signed certificate) when the marker names it", async () => {
    const url = await targetWithMarker("imp-1");
    assert.deepStrictEqual(await dropImport({ url }, "imp-1"), { dropped: true });
    assert.deepStrictEqual(await tables(url), []);
  });

  it("keeps everything when the marker names another import, or there is none", async () => {
    const other = await targetWithMarker("imp-2");
    assert.deepStrictEqual(await dropImport({ url: other }, "imp-1"), {
      dropped: false,
      reason: "the target holds the marker of import imp-2",
    });
    assert.deepStrictEqual(await tables(other), ["_heroku_to_hasura.import_state", "public.orders"]);
    const none = await targetWithMarker(null);
    assert.deepStrictEqual(await dropImport({ url: none }, "imp-1"), {
      dropped: false,
      reason: "the target has no import marker",
    });
    assert.deepStrictEqual(await tables(none), ["public.orders"]);
  });

  it("a failed connection is an ImportError without the password", async () => {
    const url = fx.source.url("postgres", "h2h_drop_owner", "wrong-secret-pw");
    await assert.rejects(dropImport({ url }, "imp-1"), (e: Error) => {
      assert.ok(e instanceof ImportError);
      assert.ok(!e.message.includes("wrong-secret-pw"), e.message);
      assert.match(e.message, /authentication failed/);
      return true;
    });
  });
});
