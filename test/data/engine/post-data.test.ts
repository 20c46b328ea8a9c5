import { strict as assert } from "assert";
import { itemTable, planPostData } from "../../../components/data/engine/post-data";

const item = (type: string, sql: string) => ({ type, name: "n", schema: "public", sql });

describe("copy engine: post-data planning", () => {
  it("orders items in waves: keys and indexes, attachments, foreign keys and triggers, then comments and refreshes", () => {
    const items = planPostData([
      item(
        "FK CONSTRAINT",
        "ALTER TABLE ONLY public.a ADD CONSTRAINT a_fk FOREIGN KEY (b) REFERENCES public.b(id);",
      ),
      item("INDEX", "CREATE INDEX a_idx ON public.a USING btree (x);"),
      item("INDEX ATTACH", "ALTER INDEX public.p_pkey ATTACH PARTITION public.p1_pkey;"),
      item("MATERIALIZED VIEW DATA", "REFRESH MATERIALIZED VIEW public.mv;"),
      item("TRIGGER", "CREATE TRIGGER t BEFORE INSERT ON public.a FOR EACH ROW EXECUTE FUNCTION public.f();"),
      item("INDEX", "CREATE INDEX a_idx2 ON public.a USING btree (y);"),
    ]);
    assert.deepEqual(
      items.map((i) => [i.type, i.wave]),
      [
        ["FK CONSTRAINT", 3],
        ["INDEX", 1],
        ["INDEX ATTACH", 2],
        ["MATERIALIZED VIEW DATA", 4],
        ["TRIGGER", 3],
        ["INDEX", 1],
      ],
    );
    // Same type, schema and name twice (e.g. two tables' constraints) still get distinct keys.
    const dup = planPostData([item("INDEX", "x"), item("INDEX", "y")]);
    assert.deepEqual(
      dup.map((i) => i.key),
      ["post:INDEX:public:n", "post:INDEX:public:n#2"],
    );
  });

  it("finds the table an index or key is built on, quoted names included; a parent's ON ONLY index has none", () => {
    assert.equal(
      itemTable(item("INDEX", 'CREATE UNIQUE INDEX "My Idx" ON "Sales Dept"."Order Lines" USING btree (x);')),
      '"Sales Dept"."Order Lines"',
    );
    assert.equal(
      itemTable(item("CONSTRAINT", "ALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (id);")),
      "public.t",
    );
    assert.equal(
      itemTable(item("INDEX", "CREATE INDEX m_idx ON ONLY public.measurements USING btree (value);")),
      undefined,
    );
    assert.equal(
      itemTable(
        item("TRIGGER", "CREATE TRIGGER x AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION f();"),
      ),
      undefined,
    );
  });
});
