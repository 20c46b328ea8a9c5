import * as assert from "assert";
import { kubeconfigContextProblem } from "../../components/config/kubeconfig";

const TOKEN = "eyJhbGciOiJSUzI1NiJ9.s3cr3t-token";
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
  - name: acme-prod
    cluster: { server: "https://k8s.acme.example:6443" }
users:
  - name: admin
    user: { token: "${TOKEN}" }
contexts:
  - name: acme-prod-admin
    context: { cluster: acme-prod, user: admin }
  - name: acme-staging-admin
    context: { cluster: acme-prod, user: admin }
`;

describe("kubeconfig checks before the provider runs", () => {
  it("accepts a named context the kubeconfig has, or its current-context", () => {
    assert.strictEqual(kubeconfigContextProblem(KUBECONFIG, "acme-staging-admin"), null);
    assert.strictEqual(
      kubeconfigContextProblem(`${KUBECONFIG}current-context: acme-prod-admin\n`, null),
      null,
    );
  });

  it("names a missing context with a hint and the contexts there are, never the credentials", () => {
    const problem = kubeconfigContextProblem(KUBECONFIG, "acme-prod-admn");
    assert.strictEqual(
      problem,
      'the kubeconfig has no context "acme-prod-admn" (did you mean "acme-prod-admin"?); its contexts: ' +
        "acme-prod-admin, acme-staging-admin",
    );
  });

  it("asks for cluster.context when the kubeconfig has no usable current-context", () => {
    assert.match(
      kubeconfigContextProblem(KUBECONFIG, null) ?? "",
      /^is required: the kubeconfig has no usable current-context; set cluster.context to one of: acme-prod-admin, acme-staging-admin$/,
    );
    assert.match(
      kubeconfigContextProblem(`${KUBECONFIG}current-context: gone\n`, null) ?? "",
      /\("gone" is not among its contexts\)/,
    );
  });

  it("leaves what it cannot read to the provider, without quoting it", () => {
    for (const text of ["12345", "apiVersion: v1\nkind: Config", `{ token: "${TOKEN}"`, "contexts: []"]) {
      assert.strictEqual(kubeconfigContextProblem(text, "any"), null, text);
    }
  });
});
