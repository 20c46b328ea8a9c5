import assert from "assert";
import { tlsSecretName } from "../../components/plan/ingress";
import { app } from "../fixtures/snapshots/builder";
import { settings } from "../fixtures/snapshots/fixtures";
import { planWithEmptyStarts, warningCodes } from "./helpers";

describe("ingress", () => {
  it("a TLS Secret name per host, wildcards spelled out", () => {
    assert.strictEqual(tlsSecretName("WWW.Example.com"), "www.example.com-tls");
    assert.strictEqual(tlsSecretName("*.example.com"), "wildcard.example.com-tls");
  });

  it("a wildcard domain with a cert-manager issuer is routed, with a DNS-01 warning", () => {
    const s = app("a").process("web", "w", 1, "Basic").domain("*.example.com").build();
    const plan = planWithEmptyStarts([s], settings());
    assert.deepStrictEqual(plan.apps[0].ingress?.tls, [
      { hosts: ["*.example.com"], secretName: "wildcard.example.com-tls" },
    ]);
    assert.deepStrictEqual(warningCodes(plan), ["a wildcard-domain *.example.com"]);
  });

  it("custom domains without a web process: no Service, no Ingress, a warning per domain", () => {
    const s = app("a")
      .process("worker", "w", 1, "Basic")
      .domain("a.example.com")
      .domain("a.herokuapp.com")
      .build();
    const plan = planWithEmptyStarts([s], settings());
    assert.deepStrictEqual([plan.apps[0].service, plan.apps[0].ingress], [null, null]);
    assert.deepStrictEqual(warningCodes(plan), ["a domain-without-web a.example.com"]);
    assert.strictEqual(plan.ledger.find((e) => e.subject === "a.herokuapp.com")?.outcome, "not-needed");
  });

  it("only the Heroku domain: a Service but no Ingress, and a warning that nothing outside reaches web", () => {
    const s = app("a").process("web", "w", 1, "Basic").domain("a.herokuapp.com").build();
    const plan = planWithEmptyStarts([s], settings());
    assert.strictEqual(plan.apps[0].service?.name, "a-web");
    assert.strictEqual(plan.apps[0].ingress, null);
    assert.deepStrictEqual(warningCodes(plan), ["a web-not-exposed web"]);
    assert.match(plan.warnings[0].message, /reachable only inside the cluster \(Service a-web\)/);
  });

  it("an ACM certificate with an issuer is mapped (re-issued by cert-manager)", () => {
    const s = app("a")
      .process("web", "w", 1, "Basic")
      .domain("a.example.com")
      .sni("c1", ["a.example.com"], true)
      .app({ acm: true })
      .build();
    const plan = planWithEmptyStarts([s], settings());
    assert.deepStrictEqual(warningCodes(plan), []);
    assert.strictEqual(plan.ledger.find((e) => e.kind === "sni-endpoint")?.outcome, "mapped");
    assert.strictEqual(plan.ledger.find((e) => e.kind === "app" && e.subject === "acm")?.outcome, "mapped");
  });
});
