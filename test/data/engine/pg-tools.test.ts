import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkToolVersion, findPgTools, splitSql } from "../../../components/data/engine/pg-tools";
import { ImportError } from "../../../components/data/engine/types";

describe("copy engine: pg_dump/pg_restore tooling", () => {
  it("finds the newest installed client tools", () => {
    const t = findPgTools();
    assert.ok(fs.existsSync(t.pgDump) && fs.existsSync(t.pgRestore));
    assert.ok(t.major >= 15, t.version);
  });

  it("rejects a pg_dump older than the source major and names the version needed", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pg-"));
    try {
      for (const tool of ["pg_dump", "pg_restore"])
        fs.writeFileSync(path.join(dir, tool), `#!/bin/sh\necho "${tool} (PostgreSQL) 13.2 (Debian)"\n`, {
          mode: 0o755,
        });
      const tools = findPgTools(dir);
      assert.equal(tools.version, "13.2");
      assert.throws(
        () => checkToolVersion(tools, 160004, "16.4"),
        (e: unknown) =>
          e instanceof ImportError &&
          e.code === "version" &&
          /install the PostgreSQL 16 client tools/.test(e.message),
      );
      assert.doesNotThrow(() => checkToolVersion(tools, 130010, "13.10"));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names a pgBinDir without the tools", () => {
    assert.throws(
      () => findPgTools("/nonexistent-bin"),
      (e: unknown) => e instanceof ImportError && e.code === "tools" && /\/nonexistent-bin/.test(e.message),
    );
  });

  it("splits pg_restore's SQL into a preamble and one item per TOC entry", () => {
    const sql = [
      "SET statement_timeout = 0;",
      "SELECT pg_catalog.set_config('search_path', '', false);",
      "",
      "--",
      "-- Name: t_pkey; Type: CONSTRAINT; Schema: public; Owner: -",
      "--",
      "",
      "ALTER TABLE ONLY public.t",
      "    ADD CONSTRAINT t_pkey PRIMARY KEY (id);",
      "",
      "",
      "--",
      '-- Name: Weird; Name"x; Type: INDEX; Schema: Sales Dept; Owner: -',
      "--",
      "",
      'CREATE INDEX "Weird; Name""x" ON "Sales Dept".t USING btree (id);',
      "",
    ].join("\n");
    const r = splitSql(sql);
    assert.equal(
      r.preamble,
      "SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);",
    );
    assert.deepEqual(
      r.items.map((i) => [i.type, i.schema, i.name]),
      [
        ["CONSTRAINT", "public", "t_pkey"],
        ["INDEX", "Sales Dept", 'Weird; Name"x'],
      ],
    );
    assert.equal(r.items[0].sql, "ALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (id);");
  });
});
