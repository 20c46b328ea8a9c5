/**
 * What `pulumi up` waits for, on a real API server (the local control plane), where a cluster
 * misbehaves: an ingress controller that never reports an address must fail `up` at the stack's
 * bound (ingress.addressTimeoutSeconds, not Pulumi's 10 minutes) naming the Ingress, or not be
 * waited for at all with 0; a PVC of a `WaitForFirstConsumer` StorageClass (bound only once its pod
 * is scheduled) must not deadlock the add-on's Deployment that consumes it.
 */
import * as assert from "assert";
import { Stack } from "@pulumi/pulumi/automation";

import {
  KubeCluster,
  NO_CONTROLLER_INGRESS_CLASS,
  WAIT_FOR_CONSUMER_STORAGE_CLASS,
} from "../../scripts/lib/kube-cluster";
import { ClusterSuite, startClusterSuite } from "../support/cluster-suite";
import { Sandbox, unprotectAll } from "../support/engine";
import { appImage, editStackConfig, PROJECT, REDIS_ADDON as REDIS } from "../support/program-stack";

const IMAGE = appImage("6");
const ADDRESS_TIMEOUT = 20;

type Obj = {
  metadata: { name: string; annotations?: Record<string, string> };
  status?: Record<string, unknown>;
};

describe("what up waits for on a real API server: an ingress controller that reports no address, a WaitForFirstConsumer PVC (Heroku API double)", function () {
  let suite: ClusterSuite;
  let sb: Sandbox;
  let cluster: KubeCluster;
  let stack: Stack;
  const ns = `h2h-await-${process.pid}`;

  before(async function () {
    this.timeout(0);
    suite = await startClusterSuite(ns);
    ({ sb, cluster } = suite);
    stack = await suite.stack(`e2e-await-${process.pid}`, {
      image: IMAGE,
      sections: {
        addons: { [REDIS]: { disposition: "in-cluster", startEmpty: true } },
        storageClass: WAIT_FOR_CONSUMER_STORAGE_CLASS,
        ingress: { className: NO_CONTROLLER_INGRESS_CLASS, addressTimeoutSeconds: ADDRESS_TIMEOUT },
      },
    });
  });

  after(async function () {
    this.timeout(120_000);
    if (stack) {
      unprotectAll(sb, stack);
      await stack.destroy({ ...sb.ops() }).catch(() => undefined);
    }
    await suite?.stop();
  });

  it(`no address from the controller: up fails after the stack's ${ADDRESS_TIMEOUT} s, naming the Ingress; the WaitForFirstConsumer PVC bound meanwhile`, async function () {
    const out: string[] = [];
    const ops = sb.ops();
    const t0 = Date.now();
    await assert.rejects(stack.up({ ...ops, onOutput: (t) => (out.push(t), ops.onOutput(t)) }));
    const seconds = (Date.now() - t0) / 1000;
    assert.ok(seconds >= ADDRESS_TIMEOUT, `waited ${seconds} s`);
    assert.ok(seconds < ADDRESS_TIMEOUT + 90, `gave up after ${seconds} s, not Pulumi's 10 minutes`);
    const errors = out
      .join("")
      .split("\n")
      .filter((l) => /error/.test(l));
    assert.ok(
      errors.some((l) => l.includes("Ingress") && l.includes("acme-api-web")),
      `an error names the Ingress:\n${errors.join("\n")}`,
    );
    const [ing] = (await cluster.api.list(
      `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`,
    )) as unknown as Obj[];
    assert.deepStrictEqual((ing.status as { loadBalancer: unknown }).loadBalancer, {});
    // The PVC bound once the add-on's pod was scheduled: its Deployment was not held behind it.
    const [pvc] = (await cluster.api.list(
      `/api/v1/namespaces/${ns}/persistentvolumeclaims`,
    )) as unknown as Obj[];
    assert.strictEqual(pvc.status?.phase, "Bound");
    const redis = (await cluster.api.get(
      `/apis/apps/v1/namespaces/${ns}/deployments/${REDIS}`,
    )) as unknown as Obj;
    assert.strictEqual((redis.status as { readyReplicas: number }).readyReplicas, 1);
  });

  it("addressTimeoutSeconds 0: the Ingress is marked skipAwait and up succeeds with no address reported", async function () {
    editStackConfig(stack, (c) => (c[`${PROJECT}:ingress`].addressTimeoutSeconds = 0));
    const t0 = Date.now();
    const res = await stack.up({ ...sb.ops() });
    assert.strictEqual(res.summary.result, "succeeded");
    const seconds = (Date.now() - t0) / 1000;
    assert.ok(seconds < ADDRESS_TIMEOUT + 60, `took ${seconds} s`);
    const ing = (await cluster.api.get(
      `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses/acme-api-web`,
    )) as unknown as Obj;
    assert.strictEqual(ing.metadata.annotations?.["pulumi.com/skipAwait"], "true");
    assert.deepStrictEqual((ing.status as { loadBalancer: unknown }).loadBalancer, {});
  });
});
