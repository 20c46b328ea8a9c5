import * as assert from "assert";
import {
  buildPostgresUrl,
  describeIdentity,
  identityOf,
  maskUrl,
  parsePostgresUrl,
  sameIdentity,
} from "../../../components/data/connection-identity";
import { redactWith } from "../../../components/data/postgres-import-provider";

describe("connection identity", () => {
  it("identity is host, port and database; credentials and params do not count", () => {
    const a = identityOf("postgres://u1:pw1@EC2-1-2-3-4.compute-1.amazonaws.com:5432/d8k?sslmode=require");
    const b = identityOf("postgresql://u2:pw2@ec2-1-2-3-4.compute-1.amazonaws.com/d8k");
    assert.deepStrictEqual(a, { host: "ec2-1-2-3-4.compute-1.amazonaws.com", port: 5432, database: "d8k" });
    assert.ok(sameIdentity(a, b));
    assert.ok(!sameIdentity(a, identityOf("postgres://u1:pw1@ec2-1-2-3-4.compute-1.amazonaws.com:5433/d8k")));
    assert.ok(!sameIdentity(a, identityOf("postgres://u1:pw1@ec2-1-2-3-4.compute-1.amazonaws.com/other")));
  });

  it("builds URLs that parse back, encoding awkward passwords", () => {
    const url = buildPostgresUrl({
      host: "db",
      database: "app",
      user: "owner",
      password: "p@ss:/wörd?#",
      sslMode: "require",
    });
    const p = parsePostgresUrl(url);
    assert.deepStrictEqual(
      [p.host, p.port, p.database, p.user, p.params.sslmode],
      ["db", 5432, "app", "owner", "require"],
    );
    assert.strictEqual(decodeURIComponent(new URL(url).password), "p@ss:/wörd?#");
    assert.strictEqual(describeIdentity(identityOf("postgres://u:p@[::1]:6543/x")), "[::1]:6543/x");
  });

  it("errors name the property and never show the password", () => {
    assert.throws(
      () => parsePostgresUrl("mysql://u:hunter22@h/db", "sourceUrl"),
      (e: Error) => /sourceUrl must start with postgres/.test(e.message) && !e.message.includes("hunter22"),
    );
    assert.throws(
      () => parsePostgresUrl("postgres://u:hunter22@h:5432/", "targetUrl"),
      (e: Error) => /targetUrl names no database/.test(e.message) && !e.message.includes("hunter22"),
    );
    assert.strictEqual(maskUrl("at postgres://me:hunter22@h/db now"), "at postgres://me:***@h/db now");
    assert.strictEqual(
      redactWith(["postgres://me:hunter22@h/db"])("password hunter22 leaked"),
      "password *** leaked",
    );
  });
});
