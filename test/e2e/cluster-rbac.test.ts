/**
 * Least privilege on a real API server: the program deploys with the kubeconfig of a ServiceAccount
 * bound to the namespace-scoped Role published in examples/kubernetes/deployer-rbac.yaml (the file
 * itself is applied), and with one of its rules removed `up` fails with the API server's error
 * naming the missing permission.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import { Stack } from "@pulumi/pulumi/automation";
import { parseAllDocuments } from "yaml";

import { KubeApi } from "../../scripts/lib/kube-api";
import { KubeCluster, kubeconfigYaml } from "../../scripts/lib/kube-cluster";
import { ClusterSuite, startClusterSuite } from "../support/cluster-suite";
import { REPO_ROOT, Sandbox, unprotectAll } from "../support/engine";
import { HerokuDouble } from "../support/heroku-double";
import { APP, appImage, NIGHTLY_CLEANUP, PROJECT } from "../support/program-stack";

const IMAGE = appImage("3");
export const RBAC_FILE = path.join(REPO_ROOT, "examples", "kubernetes", "deployer-rbac.yaml");
const SA = "heroku-to-hasura-deployer";

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

/** The published objects, moved into `ns`. */
export function publishedRbac(ns: string): Record<string, unknown>[] {
  return parseAllDocuments(fs.readFileSync(RBAC_FILE, "utf8")).map((d) => {
    const o = d.toJS() as Record<string, unknown> & { metadata: { namespace?: string } };
    o.metadata.namespace = ns;
    const subjects = o.subjects as { namespace?: string }[] | undefined;
    for (const s of subjects ?? []) s.namespace = ns;
    return o;
  });
}

/** Applies the published ServiceAccount, Role and RoleBinding in `ns`; returns a token kubeconfig. */
export async function deployerKubeconfig(admin: KubeApi, cluster: KubeCluster, ns: string): Promise<string> {
  for (const o of publishedRbac(ns)) {
    const kind = String(o.kind);
    const collection =
      kind === "ServiceAccount"
        ? `/api/v1/namespaces/${ns}/serviceaccounts`
        : `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/${kind === "Role" ? "roles" : "rolebindings"}`;
    await admin.create(collection, o);
  }
  const tr = await admin.create(`/api/v1/namespaces/${ns}/serviceaccounts/${SA}/token`, {
    apiVersion: "authentication.k8s.io/v1",
    kind: "TokenRequest",
    spec: { expirationSeconds: 7200 },
  });
  const token = (tr.status as { token: string }).token;
  return kubeconfigYaml("deployer", cluster.server, admin.creds.ca, { token }, ns);
}

describe("least privilege on a real API server: the published namespace Role is enough, and a missing rule is named (server-side apply creates with PATCH; Heroku API double)", function () {
  let suite: ClusterSuite;
  let sb: Sandbox;
  let double: HerokuDouble;
  let cluster: KubeCluster;
  let stack: Stack;
  const ns = `h2h-rbac-${process.pid}`;
  const rolePath = () => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles/${SA}`;

  before(async function () {
    this.timeout(0);
    suite = await startClusterSuite(ns);
    ({ sb, double, cluster } = suite);
    stack = await suite.stack(`e2e-rbac-${process.pid}`, {
      image: IMAGE,
      kubeconfig: await deployerKubeconfig(cluster.api, cluster, ns),
      sections: { schedules: NIGHTLY_CLEANUP },
    });
  });

  after(async function () {
    this.timeout(120_000);
    await suite?.stop();
  });

  it("the ServiceAccount can do nothing outside its namespace (control)", async function () {
    const kubeconfig = await stack.getConfig(`${PROJECT}:kubeconfig`);
    const sa = KubeApi.fromKubeconfig(kubeconfig.value);
    const r = await sa.request("GET", "/api/v1/namespaces/default/secrets");
    assert.strictEqual(r.status, 403);
  });

  it("up with the published Role deploys every kind of object the program declares", async function () {
    const res = await stack.up({ ...sb.ops() });
    assert.strictEqual(res.summary.result, "succeeded");
    const names = async (p: string) =>
      (await cluster.api.list(p)).map((o) => (o.metadata as { name: string }).name).sort();
    assert.strictEqual((await names(`/apis/apps/v1/namespaces/${ns}/deployments`)).length, 3);
    assert.strictEqual((await names(`/apis/batch/v1/namespaces/${ns}/cronjobs`)).length, 1);
    assert.ok(
      (await names(`/apis/batch/v1/namespaces/${ns}/jobs`)).some((n) => n.startsWith(`${APP}-release-`)),
    );
    assert.ok((await names(`/api/v1/namespaces/${ns}/secrets`)).some((n) => n.startsWith(`${APP}-env-`)));
    assert.ok((await names(`/api/v1/namespaces/${ns}/services`)).includes(`${APP}-web`));
    assert.ok((await names(`/api/v1/namespaces/${ns}/persistentvolumeclaims`)).length >= 1);
    assert.deepStrictEqual(await names(`/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`), [
      `${APP}-web`,
    ]);
  });

  it("with the Jobs rule removed, the next release fails naming the missing permission, and works once it is back", async function () {
    const role = await cluster.api.get(rolePath());
    const rules = role.rules as Rule[];
    const without = rules.filter((r) => !(r.apiGroups.includes("batch") && r.resources.includes("jobs")));
    assert.strictEqual(without.length, rules.length - 1);
    await cluster.api.patch(rolePath(), { rules: without });
    double.setConfigVar(APP, "LOG_LEVEL", `rbac-${process.pid}`);
    const out: string[] = [];
    const ops = sb.ops();
    await assert.rejects(stack.up({ ...ops, onOutput: (t) => (out.push(t), ops.onOutput(t)) }));
    const forbidden = out
      .join("")
      .split("\n")
      .filter((l) => l.includes("forbidden"));
    const expected = `User "system:serviceaccount:${ns}:${SA}" cannot patch resource "jobs" in API group "batch" in the namespace "${ns}"`;
    assert.ok(
      forbidden.some((l) => l.includes(expected)),
      `expected an error naming the permission; the errors were:\n${forbidden.join("\n")}`,
    );
    await cluster.api.patch(rolePath(), { rules });
    const res = await stack.up({ ...sb.ops() });
    assert.strictEqual(res.summary.result, "succeeded");
  });

  it("destroy (after unprotecting) works with the same Role", async function () {
    unprotectAll(sb, stack);
    const res = await stack.destroy({ ...sb.ops() });
    assert.strictEqual(res.summary.result, "succeeded");
    assert.deepStrictEqual(await cluster.api.list(`/apis/apps/v1/namespaces/${ns}/deployments`), []);
  });
});
