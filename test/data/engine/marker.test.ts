/** The import marker in the target (real PostgreSQL). */
import { strict as assert } from "assert";
import { connect } from "../../../components/data/engine/connection";
import {
  ensureMarkerTables,
  markComplete,
  readMarker,
  writeNewMarker,
} from "../../../components/data/engine/marker";
import { ImportResult } from "../../../components/data/engine/types";
import { engineFixture, EngineFixture } from "../../support/postgres/clusters";

describe("copy engine: import marker (real PostgreSQL)", function () {
  this.timeout(120000);
  let fx: EngineFixture;
  before(async () => {
    fx = await engineFixture();
  });

  it("the complete mark commits synchronously (flushing every earlier asynchronous commit) in a session that commits asynchronously", async () => {
    const url = fx.newTarget("marker");
    const c = await connect({ url }, "target");
    try {
      assert.strictEqual((await c.query("SHOW synchronous_commit")).rows[0].synchronous_commit, "off");
      await ensureMarkerTables(c);
      await writeNewMarker(c, "imp-sync", { host: "h", port: 5432, database: "d", systemIdentifier: "" });
      // Records the setting in force when the state row is written (the commit follows it).
      await c.query(`CREATE TABLE public.seen (setting text);
        CREATE FUNCTION public.seen_setting() RETURNS trigger LANGUAGE plpgsql AS
          $$ BEGIN INSERT INTO public.seen VALUES (current_setting('synchronous_commit')); RETURN NEW; END $$;
        CREATE TRIGGER seen AFTER UPDATE ON "_heroku_to_hasura".import_state FOR EACH ROW EXECUTE FUNCTION public.seen_setting();`);
      const result = { importId: "imp-sync", fingerprint: "f" } as ImportResult;
      await markComplete(c, result);
      assert.deepStrictEqual((await c.query("SELECT setting FROM public.seen")).rows, [{ setting: "on" }]);
      // Only that transaction: the session keeps committing asynchronously.
      assert.strictEqual((await c.query("SHOW synchronous_commit")).rows[0].synchronous_commit, "off");
      const m = await readMarker(c);
      assert.strictEqual(m?.phase, "complete");
      assert.ok(m?.completedAt);
    } finally {
      await c.end();
    }
  });
});
