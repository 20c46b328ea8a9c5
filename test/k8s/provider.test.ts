import * as assert from "assert";
import { SecretString } from "../../components/heroku/secret-string";
import { clusterIdentity, createKubernetesProvider } from "../../components/k8s/provider";
import { Resource } from "@pulumi/pulumi";
import { validateK8sObject } from "../support/k8s-schema";
import { settle, unwrap } from "../support/pulumi-mocks";

const NS = "kubernetes:core/v1:Namespace";
import { T, useMockHarness } from "./harness";

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
  - name: acme
    cluster:
      server: https://10.0.0.1:6443
contexts:
  - name: acme-admin
    context: { cluster: acme, user: admin }
current-context: acme-admin
users:
  - name: admin
    user: { token: t0ken }
`;

describe("Kubernetes provider from config (mock-based)", () => {
  const h = useMockHarness();

  it("mock: render target → manifests to a folder, in the configured namespace", async () => {
    createKubernetesProvider("kubernetes", {
      namespace: "apps",
      createNamespace: false,
      region: null,
      target: { kind: "render", directory: "out/dev" },
    });
    await settle();
    const p = h.rec.get(T.provider, "kubernetes");
    assert.deepStrictEqual(p.inputs, {
      namespace: "apps",
      renderYamlToDirectory: "out/dev",
      enableServerSideApply: "true",
      suppressDeprecationWarnings: "false",
    });
  });

  it("mock: kubeconfig target → kubeconfig as a secret, context, cluster identified by its API server", async () => {
    createKubernetesProvider("kubernetes", {
      namespace: "default",
      createNamespace: false,
      region: null,
      target: { kind: "kubeconfig", kubeconfig: SecretString.of(KUBECONFIG), context: "acme-admin" },
    });
    await settle();
    const p = h.rec.get(T.provider, "kubernetes");
    assert.strictEqual(p.inputs.kubeconfig, KUBECONFIG);
    assert.deepStrictEqual(p.secretPaths, ["kubeconfig"], "the kubeconfig is sent as a secret");
    assert.strictEqual(p.inputs.context, "acme-admin");
    assert.strictEqual(p.inputs.clusterIdentifier, "https://10.0.0.1:6443");
    assert.ok(!("renderYamlToDirectory" in p.inputs));
  });

  it("mock: createNamespace → a retained Namespace, through its own provider, that the returned provider waits for", async () => {
    createKubernetesProvider(
      "kubernetes",
      {
        namespace: "acme",
        createNamespace: true,
        region: null,
        target: { kind: "kubeconfig", kubeconfig: SecretString.of(KUBECONFIG) },
      },
      { transformations: [h.rec.recordOptions] },
    );
    await settle();
    assert.deepStrictEqual(h.rec.children(), [
      [T.provider, "kubernetes-namespace"],
      [NS, "acme"],
      [T.provider, "kubernetes"],
    ]);
    const ns = h.rec.get(NS, "acme");
    assert.deepStrictEqual(ns.inputs, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: "acme",
        labels: { "app.kubernetes.io/managed-by": "heroku-to-hasura" },
        annotations: { "pulumi.com/patchForce": "true" },
      },
    });
    validateK8sObject(ns.inputs);
    assert.match(String(ns.provider), /::kubernetes-namespace::/);
    assert.deepStrictEqual(
      h.rec.ofType(T.provider).map((p) => [p.name, p.inputs.kubeconfig, p.inputs.namespace]),
      [
        ["kubernetes-namespace", KUBECONFIG, "acme"],
        ["kubernetes", KUBECONFIG, "acme"],
      ],
    );
    assert.strictEqual(h.rec.optionsOf(NS, "acme").retainOnDelete, true, "never deletes what it holds");
    const dependsOn = h.rec.optionsOf(T.provider, "kubernetes").dependsOn as Resource[];
    assert.deepStrictEqual(await Promise.all(dependsOn.map((r) => unwrap(r.urn))), [
      `urn:pulumi:test::heroku-to-hasura::${NS}::acme`,
    ]);
  });

  it("mock: without createNamespace → one provider and no Namespace", async () => {
    createKubernetesProvider("kubernetes", {
      namespace: "default",
      createNamespace: false,
      region: null,
      target: { kind: "render", directory: "out/dev" },
    });
    await settle();
    assert.deepStrictEqual(h.rec.children(), [[T.provider, "kubernetes"]]);
  });

  it("identifies the cluster by its one API server, else by the context, else not at all (YAML or JSON)", () => {
    assert.strictEqual(clusterIdentity(KUBECONFIG, null), "https://10.0.0.1:6443");
    const two = KUBECONFIG + "  - name: other\n    cluster:\n      server: https://10.0.0.2:6443\n";
    assert.strictEqual(clusterIdentity(two, "acme-admin"), "acme-admin");
    assert.strictEqual(clusterIdentity(two, null), null);
    assert.strictEqual(
      clusterIdentity('{"clusters":[{"cluster":{"server":"https://k.test","tls-server-name":"k"}}]}', null),
      "https://k.test",
    );
  });
});
