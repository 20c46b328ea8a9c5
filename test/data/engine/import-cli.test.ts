import { strict as assert } from "assert";
import { parseArgs, progressLine } from "../../../scripts/import";

describe("import command: arguments and progress line", () => {
  it("parses URLs, repeated filters and flags; URLs may come from the environment", () => {
    const cli = parseArgs(
      [
        "--jobs",
        "3",
        "--include-schema",
        "public",
        "--include-schema",
        "Sales Dept",
        "--exclude-table",
        "public.logs",
        "--allow-non-empty-target",
        "--verify-only",
      ],
      { SOURCE_DATABASE_URL: "postgres://a:b@s/db", TARGET_DATABASE_URL: "postgres://c:d@t/db" },
    );
    assert.equal(cli.opts.jobs, 3);
    assert.deepEqual(cli.opts.includeSchemas, ["public", "Sales Dept"]);
    assert.deepEqual(cli.opts.excludeTables, ["public.logs"]);
    assert.equal(cli.opts.allowNonEmptyTarget, true);
    assert.equal(cli.verifyOnly, true);
    assert.equal(cli.opts.source.url, "postgres://a:b@s/db");
  });

  it("rejects bad usage without echoing a URL's password", () => {
    assert.throws(() => parseArgs(["--jobs", "0", "--source", "x", "--target", "y"], {}), /positive integer/);
    assert.throws(
      () => parseArgs(["--target", "postgres://u:pw@h/d"], {}),
      /--source and --target are required/,
    );
    assert.throws(
      () => parseArgs(["postgres://u:topsecret@h/d"], {}),
      (e: Error) => !e.message.includes("topsecret") && /u:\*\*\*@h/.test(e.message),
    );
  });

  it("shows tables, rows, MB, MB/s and ETA while copying", () => {
    const line = progressLine({
      phase: "data",
      tablesDone: 3,
      tablesTotal: 10,
      rows: 12345,
      bytes: 50 * 1048576,
      estimatedBytes: 100 * 1048576,
      elapsedSeconds: 10,
      bytesPerSecond: 5 * 1048576,
      etaSeconds: 10,
      active: [{ table: "public.big", rows: 999, bytes: 1048576, estimatedBytes: 0, done: false }],
    });
    assert.equal(
      line,
      "[data] [############------------] 3/10 tables 12345 rows 50.0/100.0 MB 5.0 MB/s ETA 10s | public.big 999 rows 1.0MB",
    );
  });
});
