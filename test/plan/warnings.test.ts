import assert from "assert";
import {
  Findings,
  mergeLedger,
  sortWarnings,
  WARNING_CODES,
  WarningCode,
} from "../../components/plan/warnings";

describe("warnings and ledger merging", () => {
  it("sortWarnings orders by app, code, subject and drops duplicates", () => {
    const w = (app: string | null, code: WarningCode, subject: string) => ({
      app,
      code,
      subject,
      message: "m",
    });
    assert.deepStrictEqual(
      sortWarnings([
        w("b", "log-drain", "1"),
        w(null, "rediss-url", "1"),
        w("a", "wildcard-domain", "2"),
        w("a", "wildcard-domain", "1"),
        w("b", "log-drain", "1"),
      ]),
      [
        w(null, "rediss-url", "1"),
        w("a", "wildcard-domain", "1"),
        w("a", "wildcard-domain", "2"),
        w("b", "log-drain", "1"),
      ],
    );
  });

  it("mergeLedger keeps one entry per fact, the strongest outcome and every distinct detail", () => {
    const f = new Findings();
    f.record("a", "domain", "x.example", "mapped", "Ingress rule");
    f.record("a", "domain", "x.example", "mapped", "repoint DNS");
    f.warned("a", "domain", "x.example", "wildcard-domain", "needs DNS-01");
    f.record("a", "domain", "x.example", "mapped", "Ingress rule");
    f.record("a", "config-var", "PATH", "not-needed", "runtime");
    assert.deepStrictEqual(mergeLedger(f.ledger), [
      { app: "a", kind: "config-var", subject: "PATH", outcome: "not-needed", detail: "runtime" },
      {
        app: "a",
        kind: "domain",
        subject: "x.example",
        outcome: "warned",
        detail: "Ingress rule; repoint DNS; needs DNS-01",
      },
    ]);
    assert.deepStrictEqual(f.warnings, [
      { code: "wildcard-domain", app: "a", subject: "x.example", message: "needs DNS-01" },
    ]);
  });

  it("every warning code is documented", () => {
    for (const [code, meaning] of Object.entries(WARNING_CODES)) {
      assert.match(code, /^[a-z0-9-]+$/);
      assert.ok(meaning.length > 10, code);
    }
  });
});
