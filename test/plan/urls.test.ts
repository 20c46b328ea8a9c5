import assert from "assert";
import { decodeComponent, parseConnectionUrl, requireConnectionUrl } from "../../components/plan/urls";

describe("connection URLs", () => {
  it("parses a Postgres URL", () => {
    assert.deepStrictEqual(parseConnectionUrl("postgres://u:p%40ss@host:5432/db?sslmode=require"), {
      scheme: "postgres",
      user: "u",
      password: "p%40ss",
      hosts: "host:5432",
      path: "/db",
      query: "?sslmode=require",
    });
  });

  it("parses Redis URLs with and without a user", () => {
    assert.deepStrictEqual(parseConnectionUrl("rediss://:pw@h:6380"), {
      scheme: "rediss",
      user: "",
      password: "pw",
      hosts: "h:6380",
      path: "",
      query: "",
    });
    assert.strictEqual(parseConnectionUrl("redis://h:6379")?.password, null);
  });

  it("parses a MongoDB URL with several hosts", () => {
    const url = parseConnectionUrl("mongodb://u:p@h1:27017,h2:27017/app?replicaSet=rs0");
    assert.deepStrictEqual(
      [url?.hosts, url?.path, url?.query],
      ["h1:27017,h2:27017", "/app", "?replicaSet=rs0"],
    );
  });

  it("returns null for a non-URL and throws an error naming the key, not the value", () => {
    assert.strictEqual(parseConnectionUrl("just-a-token"), null);
    assert.throws(
      () => requireConnectionUrl("s3cr3t-value", "config var X of app a"),
      (e: Error) => /config var X of app a/.test(e.message) && !e.message.includes("s3cr3t"),
    );
  });

  it("decodes percent-escapes and keeps malformed ones", () => {
    assert.strictEqual(decodeComponent("a%2Fb"), "a/b");
    assert.strictEqual(decodeComponent("a%zzb"), "a%zzb");
  });
});
