import assert from "assert";
import { inspect } from "util";
import { SecretString } from "../../components/heroku/secret-string";
import { SecretTemplate } from "../../components/heroku/secret-template";

describe("SecretTemplate (secret text with generated credentials filled in later)", () => {
  const url = SecretTemplate.join(
    "postgres://owner:",
    SecretTemplate.credential("db-owner", { uriEncoded: true }),
    "@db.svc:5432/app",
  );

  it("renders each credential in its slot, percent-encoded where asked", () => {
    assert.strictEqual(
      url.render({ "db-owner": "p/ss+w" }, "DATABASE_URL"),
      "postgres://owner:p%2Fss%2Bw@db.svc:5432/app",
    );
    const raw = SecretTemplate.join("pw=", SecretTemplate.credential("x"));
    assert.strictEqual(raw.render({ x: "p/ss" }, "X"), "pw=p/ss");
    assert.deepStrictEqual(url.credentials, ["db-owner"]);
  });

  it("never prints a value: toString, JSON and inspect show [secret]", () => {
    const t = SecretTemplate.join(SecretString.of("redis://:"), SecretTemplate.credential("c"), "@h:6379");
    assert.strictEqual(`${t}`, "[secret]");
    assert.strictEqual(JSON.stringify({ t }), '{"t":"[secret]"}');
    assert.strictEqual(inspect({ t }), "{ t: [secret] }");
  });

  it("a missing credential or a redacted part fails naming what, never a value", () => {
    assert.throws(
      () => url.render({}, "DATABASE_URL of app a"),
      /^Error: DATABASE_URL of app a needs credential db-owner, which was not created$/,
    );
    const redacted = SecretTemplate.of(SecretString.redacted());
    assert.strictEqual(redacted.isRedacted, true);
    assert.throws(
      () => redacted.render({}, "config var K of app a"),
      /config var K of app a is redacted in its snapshot file/,
    );
    assert.throws(
      () => redacted.requireAvailable("config var K of app a"),
      /config var K of app a is redacted/,
    );
    assert.doesNotThrow(() => url.requireAvailable("x"));
  });

  it("a template without credentials is its SecretString; equality compares parts without revealing", () => {
    const lit = SecretTemplate.of(SecretString.of("plain"));
    assert.strictEqual(lit.literal()?.reveal(), "plain");
    assert.strictEqual(url.literal(), null);
    assert.ok(lit.equals(SecretTemplate.of(SecretString.of("plain"))));
    assert.ok(!lit.equals(SecretTemplate.of(SecretString.of("other"))));
    assert.ok(
      !url.equals(
        SecretTemplate.join("postgres://owner:", SecretTemplate.credential("db-owner"), "@db.svc:5432/app"),
      ),
    );
  });
});
