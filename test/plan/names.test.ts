import assert from "assert";
import {
  assignUniqueNames,
  dnsLabel,
  isDnsLabel,
  nameKey,
  objectLabels,
  shortHash,
  sqlIdentifier,
  withHash,
} from "../../components/plan/names";

describe("names", () => {
  describe("dnsLabel", () => {
    const cases: [string, number, string][] = [
      ["acme-api", 30, "acme-api"],
      ["web", 21, "web"],
      // Pinned: a different hash would rename, so replace, every object a stack already has.
      ["my.app", 30, "my-app-13d7e3"],
      ["Worker_1", 21, "worker-1-67009c"],
      ["9lives", 30, "x-9lives-bc8673"],
      ["--a--b--", 30, "a-b-8a45dd"],
      ["a".repeat(40), 30, `${"a".repeat(23)}-e33cdf`],
    ];
    for (const [raw, max, expected] of cases) {
      it(`${JSON.stringify(raw)} (max ${max}) → ${expected}`, () => {
        const got = dnsLabel(raw, max);
        assert.strictEqual(got, expected);
        assert.ok(isDnsLabel(got, max));
      });
    }

    it("never returns the same label for different inputs that clean to the same text", () => {
      const inputs = ["my-app", "my.app", "my_app", "MY-APP", "my--app"];
      const labels = inputs.map((i) => dnsLabel(i, 30));
      assert.strictEqual(new Set(labels).size, inputs.length);
    });

    it("cuts at a dash boundary without leaving a trailing dash before the hash", () => {
      const got = withHash("abcdefghij-klm", "k", 18);
      assert.strictEqual(got, "abcdefghij-8254c3");
    });

    it("the hash is the first 6 hex digits of the SHA-256 of the text (pinned: names must not move)", () => {
      // SHA-256 of the empty string is e3b0c442…, of "k" 8254c329…
      assert.strictEqual(shortHash(""), "e3b0c4");
      assert.strictEqual(shortHash("k"), "8254c3");
    });
  });

  describe("assignUniqueNames", () => {
    it("keeps unique names and hashes every claimant of a shared one, independently of order", () => {
      const reqs = [
        { key: nameKey("w", "acme", "web-x"), preferred: "acme-web-x", maxLength: 52 },
        { key: nameKey("w", "acme-web", "x"), preferred: "acme-web-x", maxLength: 52 },
        { key: nameKey("w", "other", "web"), preferred: "other-web", maxLength: 52 },
      ];
      const a = assignUniqueNames(reqs);
      const b = assignUniqueNames([...reqs].reverse());
      assert.deepStrictEqual([...a.entries()].sort(), [...b.entries()].sort());
      assert.strictEqual(a.get(nameKey("w", "other", "web")), "other-web");
      assert.strictEqual(a.get(nameKey("w", "acme", "web-x")), "acme-web-x-5d5a1e");
      assert.strictEqual(a.get(nameKey("w", "acme-web", "x")), "acme-web-x-c5eec1");
    });

    it("throws naming both objects when a hashed name meets an identical preferred name", () => {
      const k1 = nameKey("w", "a");
      const hashed = "dup-c8d156";
      assert.throws(
        () =>
          assignUniqueNames([
            { key: k1, preferred: "dup", maxLength: 52 },
            { key: nameKey("w", "b"), preferred: "dup", maxLength: 52 },
            { key: nameKey("w", "c"), preferred: hashed, maxLength: 52 },
          ]),
        new RegExp(`Kubernetes name ${hashed} would be used by both`),
      );
    });
  });

  it("objectLabels: recommended labels, selector is name + component only", () => {
    assert.deepStrictEqual(objectLabels({ name: "a", component: "web", instance: "a-web", partOf: "p" }), {
      labels: {
        "app.kubernetes.io/name": "a",
        "app.kubernetes.io/instance": "a-web",
        "app.kubernetes.io/component": "web",
        "app.kubernetes.io/part-of": "p",
        "app.kubernetes.io/managed-by": "heroku-to-hasura",
      },
      selector: { "app.kubernetes.io/name": "a", "app.kubernetes.io/component": "web" },
    });
  });

  it("sqlIdentifier: lowercase with underscores, ≤ 63 bytes, suffix kept", () => {
    assert.strictEqual(sqlIdentifier("postgresql-concave-52656"), "postgresql_concave_52656");
    assert.strictEqual(sqlIdentifier("postgresql-concave-52656", "_owner"), "postgresql_concave_52656_owner");
    const long = sqlIdentifier("p".repeat(80), "_owner");
    assert.ok(long.length <= 63 && long.endsWith("_owner") && /^[a-z][a-z0-9_]*$/.test(long), long);
  });

  it("isDnsLabel rejects upper case, dots, leading digits, trailing dashes and long names", () => {
    for (const bad of ["Abc", "a.b", "1ab", "ab-", "a".repeat(64), ""])
      assert.strictEqual(isDnsLabel(bad), false, bad);
    assert.strictEqual(isDnsLabel("a-1"), true);
  });
});
