import { strict as assert } from "assert";
import { libpqEnv, parseUrl, scrub } from "../../../components/data/engine/connection";

describe("copy engine: connection specs", () => {
  it("scrubs a URL and its raw and decoded password from any text", () => {
    const spec = { url: "postgres://u:p%40ssw0rd@h/db" };
    assert.equal(
      scrub("failed for postgres://u:p%40ssw0rd@h/db with p@ssw0rd", spec),
      "failed for postgres://u:***@h/db with ***",
    );
  });

  it("resolves sslmode (explicit, else the URL's, else require for Heroku hosts, else prefer) and the default user", () => {
    assert.equal(
      parseUrl({ url: "postgres://u:p@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d" }).sslMode,
      "require",
    );
    assert.equal(parseUrl({ url: "postgres://u:p@localhost/d" }).sslMode, "prefer");
    assert.equal(
      parseUrl({ url: "postgres://u:p@x/d?sslmode=disable", sslMode: "require" }).sslMode,
      "require",
    );
    assert.equal(parseUrl({ url: "postgres://h/d" }).user, "postgres");
    assert.throws(() => parseUrl({ url: "postgres://u:p@x/d?sslmode=bogus" }), /sslmode of URL is "bogus"/);
  });

  it("decodes credentials and passes them to pg_dump by environment, never argv", () => {
    const env = libpqEnv({ url: "postgres://us%20er:p%2Fw@h:6543/my%20db?sslmode=no-verify" });
    assert.deepEqual(
      [env.PGUSER, env.PGPASSWORD, env.PGHOST, env.PGPORT, env.PGDATABASE, env.PGSSLMODE],
      ["us er", "p/w", "h", "6543", "my db", "require"],
    );
  });
});
