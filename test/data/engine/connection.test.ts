import { strict as assert } from "assert";
import { libpqEnv, maskUrl, parseUrl, scrub } from "../../../components/data/engine/connection";

describe("copy engine: connection URLs", () => {
  it("masks the password of a URL and of unparsable strings", () => {
    assert.equal(
      maskUrl("postgres://alice:s3cr%40t@db.example.com:5433/app?sslmode=require"),
      "postgres://alice:***@db.example.com:5433/app?sslmode=require",
    );
    assert.equal(maskUrl("postgres://alice@db/app"), "postgres://alice@db/app");
    assert.equal(maskUrl("not a url://bob:pw@x"), "not a url://***@x");
  });

  it("scrubs a URL and its raw and decoded password from any text", () => {
    const spec = { url: "postgres://u:p%40ssw0rd@h/db" };
    assert.equal(
      scrub("failed for postgres://u:p%40ssw0rd@h/db with p@ssw0rd", spec),
      "failed for postgres://u:***@h/db with ***",
    );
  });

  it("defaults sslmode to require for Heroku hosts and prefer elsewhere; the URL's sslmode wins", () => {
    assert.equal(
      parseUrl({ url: "postgres://u:p@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d" }).sslMode,
      "require",
    );
    assert.equal(parseUrl({ url: "postgres://u:p@localhost/d" }).sslMode, "prefer");
    assert.equal(
      parseUrl({ url: "postgres://u:p@x.amazonaws.com/d?sslmode=verify-full" }).sslMode,
      "verify-full",
    );
    assert.equal(
      parseUrl({ url: "postgres://u:p@x/d?sslmode=disable", sslMode: "require" }).sslMode,
      "require",
    );
    assert.throws(() => parseUrl({ url: "postgres://u:p@x/d?sslmode=bogus" }), /unknown sslmode "bogus"/);
    assert.throws(
      () => parseUrl({ url: "mysql://u:secret@x/d" }),
      (e: Error) => /not a postgres/.test(e.message) && !e.message.includes("secret"),
    );
  });

  it("decodes credentials and passes them to pg_dump by environment, never argv", () => {
    const env = libpqEnv({ url: "postgres://us%20er:p%2Fw@h:6543/my%20db?sslmode=no-verify" });
    assert.deepEqual(
      [env.PGUSER, env.PGPASSWORD, env.PGHOST, env.PGPORT, env.PGDATABASE, env.PGSSLMODE],
      ["us er", "p/w", "h", "6543", "my db", "require"],
    );
  });
});
