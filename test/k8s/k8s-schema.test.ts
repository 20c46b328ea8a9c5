import * as assert from "assert";
import { validateK8sObject } from "../support/k8s-schema";

// The component tests rely on this validator; these cases show it rejects what the API server would.
describe("Kubernetes schema validator (kubernetes-models)", () => {
  const deployment = () => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: {
      selector: { matchLabels: { a: "b" } },
      template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "app", image: "i" }] } },
    },
  });

  it("accepts a valid Deployment", () => {
    validateK8sObject(deployment());
  });

  it("refuses a Deployment without a selector", () => {
    const d: Record<string, any> = deployment(); // eslint-disable-line @typescript-eslint/no-explicit-any
    delete d.spec.selector;
    assert.throws(() => validateK8sObject(d), /apps\/v1\/Deployment web is not valid: .*selector/);
  });

  it("refuses a string container port", () => {
    const d: Record<string, any> = deployment(); // eslint-disable-line @typescript-eslint/no-explicit-any
    d.spec.template.spec.containers[0].ports = [{ containerPort: "5000" }];
    assert.throws(() => validateK8sObject(d), /containerPort must be integer/);
  });

  it("refuses a malformed container securityContext (the fields the components set)", () => {
    const d: Record<string, any> = deployment(); // eslint-disable-line @typescript-eslint/no-explicit-any
    d.spec.template.spec.containers[0].securityContext = { allowPrivilegeEscalation: "no" };
    assert.throws(() => validateK8sObject(d), /allowPrivilegeEscalation must be boolean/);
    d.spec.template.spec.containers[0].securityContext = { capabilities: { drop: "ALL" } };
    assert.throws(() => validateK8sObject(d), /drop must be array/);
    d.spec.template.spec.containers[0].securityContext = {};
    d.spec.template.spec.securityContext = { seccompProfile: {} };
    assert.throws(() => validateK8sObject(d), /seccompProfile must have required property type/);
  });

  it("refuses a kind it has no validator for", () => {
    assert.throws(
      () => validateK8sObject({ apiVersion: "v1", kind: "Pod" }),
      /no schema validator registered for v1\/Pod/,
    );
  });
});
