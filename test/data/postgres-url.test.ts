import { strict as assert } from "assert";
import {
  buildPostgresUrl,
  checkSslMode,
  describeIdentity,
  effectiveSslMode,
  identityOf,
  maskUrl,
  parsePostgresUrl,
  redactor,
  sameIdentity,
  secretsOf,
  SSL_MODES,
} from "../../components/data/postgres-url";
import { ADMIN_SSL_MODES } from "../../components/data/target-database";
import { parseUrl } from "../../components/data/engine/connection";
import { ImportError } from "../../components/data/engine/types";
import { redactWith } from "../../components/data/postgres-import-provider";

describe("postgres URLs: one parser, one mask, one identity for the engine, the provider and the CLI", () => {
  it("identity is host (lower-cased), port and database; credentials and params do not count", () => {
    const a = identityOf("postgres://u1:pw1@EC2-1-2-3-4.compute-1.amazonaws.com:5432/d8k?sslmode=require");
    const b = identityOf("postgresql://u2:pw2@ec2-1-2-3-4.compute-1.amazonaws.com/d8k");
    assert.deepEqual(a, { host: "ec2-1-2-3-4.compute-1.amazonaws.com", port: 5432, database: "d8k" });
    assert.ok(sameIdentity(a, b));
    assert.ok(!sameIdentity(a, identityOf("postgres://u1:pw1@ec2-1-2-3-4.compute-1.amazonaws.com:5433/d8k")));
    assert.ok(!sameIdentity(a, identityOf("postgres://u1:pw1@ec2-1-2-3-4.compute-1.amazonaws.com/other")));
    // The engine's marker identity comes from the same parser.
    const e = parseUrl({ url: "postgres://u1:pw1@EC2-1-2-3-4.compute-1.amazonaws.com/d8k" });
    assert.deepEqual([e.host, e.port, e.database], [a.host, a.port, a.database]);
  });

  it("decodes every part and builds URLs that parse back, encoding awkward passwords", () => {
    const url = buildPostgresUrl({
      host: "db",
      database: "my db",
      user: "owner",
      password: "p@ss:/wörd?#",
      sslMode: "require",
    });
    const p = parsePostgresUrl(url);
    assert.deepEqual(
      [p.host, p.port, p.database, p.user, p.password, p.sslMode, p.params.sslmode],
      ["db", 5432, "my db", "owner", "p@ss:/wörd?#", "require", "require"],
    );
    assert.equal(describeIdentity(identityOf("postgres://u:p@[::1]:6543/x")), "[::1]:6543/x");
  });

  it("one sslmode vocabulary: libpq's six (node-postgres's no-verify read as require); the admin provider's derives from it (the config's is the same list)", () => {
    assert.deepEqual([...SSL_MODES], ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]);
    assert.deepEqual([...ADMIN_SSL_MODES], ["disable", "require", "verify-ca", "verify-full"]);
    assert.equal(checkSslMode("no-verify"), "require");
    assert.throws(
      () => parsePostgresUrl("postgres://u:p@x/d?sslmode=bogus", "sourceUrl"),
      /sslmode of sourceUrl is "bogus": use one of disable, allow/,
    );
    const at = (url: string, explicit?: string) => effectiveSslMode(parsePostgresUrl(url), explicit);
    assert.equal(at("postgres://u:p@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d"), "require");
    assert.equal(at("postgres://u:p@localhost/d"), "prefer");
    assert.equal(at("postgres://u:p@x.amazonaws.com/d?sslmode=verify-full"), "verify-full");
    assert.equal(at("postgres://u:p@x/d?sslmode=disable", "require"), "require");
  });

  it("errors name the property and never show a password, whatever the shape of the string", () => {
    const bad: [string, RegExp][] = [
      [
        "mysql://u:hunter22@h/db",
        /sourceUrl must start with postgres:\/\/ or postgresql:\/\/, got mysql:\/\/…/,
      ],
      ["postgres://u:hunter22@h:5432/", /sourceUrl names no database: postgres:\/\/u:\*\*\*@h:5432\//],
      // No scheme: the whole string may be a secret; nothing of it is echoed.
      [
        "user:hunter22@db.example.com:5432/app",
        /sourceUrl has no scheme: it must be a URL like postgres:\/\/USER@HOST:5432\/DATABASE \(the password after USER and a colon\)$/,
      ],
      [":hunter22@h/db", /sourceUrl has no scheme/],
      ["postgres://u:hun ter22@h:99999/db", /sourceUrl is not a valid URL/],
    ];
    for (const [url, re] of bad) {
      assert.throws(
        () => parsePostgresUrl(url, "sourceUrl"),
        (e: Error) =>
          re.test(e.message) && !e.message.includes("hunter22") && !e.message.includes("hun ter22"),
        url,
      );
      // The engine says the same, as an ImportError("config").
      assert.throws(
        () => parseUrl({ url }, "source URL"),
        (e: unknown) => e instanceof ImportError && e.code === "config" && !e.message.includes("hunter22"),
      );
    }
  });

  it("masks passwords in any text: URLs of any scheme, scheme-less user:password@host, password=, secret query parameters", () => {
    assert.equal(
      maskUrl("postgres://alice:s3cr%40t@db.example.com:5433/app?sslmode=require"),
      "postgres://alice:***@db.example.com:5433/app?sslmode=require",
    );
    assert.equal(maskUrl("postgres://alice@db/app"), "postgres://alice@db/app");
    assert.equal(maskUrl("at postgres://me:hunter22@h/db now"), "at postgres://me:***@h/db now");
    assert.equal(maskUrl("redis://:hunter22@h:6379"), "redis://:***@h:6379");
    assert.equal(maskUrl("user:hunter22@db.example.com:5432/app"), "user:***@db.example.com:5432/app");
    assert.equal(maskUrl("got 'user:hunter22@h/db' here"), "got 'user:***@h/db' here");
    assert.equal(maskUrl("host=h password=hunter22 dbname=d"), "host=h password=*** dbname=d");
    assert.equal(
      maskUrl("postgres://u@h/d?password=hunter22&sslmode=require"),
      "postgres://u@h/d?password=***&sslmode=require",
    );
    const once = maskUrl("x postgres://me:hunter22@h/db and me:pw2@h2/db");
    assert.equal(maskUrl(once), once, "idempotent");
    assert.ok(!once.includes("hunter22") && !once.includes("pw2"), once);
  });

  it("redacts given URLs and their raw and decoded passwords from any text, scheme-less ones included", () => {
    assert.deepEqual(secretsOf("postgres://u:p%40ssw0rd@h/db"), ["p%40ssw0rd", "p@ssw0rd"]);
    assert.deepEqual(secretsOf("u:hunter22@h/db"), ["hunter22"]);
    const r = redactor(["postgres://u:p%40ssw0rd@h/db", "u:hunter22@h/db", undefined]);
    assert.equal(
      r("failed for postgres://u:p%40ssw0rd@h/db with p@ssw0rd; then hunter22 (u:hunter22@h/db)"),
      "failed for postgres://u:***@h/db with ***; then *** (u:***@h/db)",
    );
    // The provider's redaction is this one (skipping preview placeholders).
    assert.equal(
      redactWith(["postgres://me:hunter22@h/db"])("password hunter22 leaked"),
      "password *** leaked",
    );
  });
});
