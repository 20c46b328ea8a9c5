/**
 * What an end-to-end suite applying the real program to the local control plane starts: a
 * sandbox, the Heroku API double serving the example account, the tests' cluster with a namespace
 * of the suite's own, and a target Postgres whose database exists (the data is not imported: the
 * suites that import render to a folder).
 */
import type { Stack } from "@pulumi/pulumi/automation";

import type { KubeCluster } from "../../scripts/lib/kube-cluster";
import type { PgCluster } from "../../scripts/lib/pg-cluster";
import { createSandbox, Sandbox } from "./engine";
import { buildAccountFixtures, HerokuDouble, startHerokuDouble } from "./heroku-double";
import { createNamespace, testCluster } from "./kube";
import { existingTarget } from "./postgres/existing-target";
import { programStack } from "./program-stack";

export interface ClusterSuite {
  sb: Sandbox;
  double: HerokuDouble;
  cluster: KubeCluster;
  /** The target Postgres server (the stack sets its owner role's new password there). */
  target: PgCluster;
  namespace: string;
  /**
   * A stack of the program deploying acme-api (with `image`) into the namespace, with the cluster
   * admin's kubeconfig unless another is given, and `sections` added to the default config.
   */
  stack(
    name: string,
    o: { image: string; kubeconfig?: string; sections?: Record<string, unknown> },
  ): Promise<Stack>;
  /** Stops everything; rejects afterwards when the double served or was sent what the API schema forbids. */
  stop(): Promise<void>;
}

/** Starts a suite's parts; the namespace is created (or adopted) on the tests' cluster. */
export async function startClusterSuite(namespace: string): Promise<ClusterSuite> {
  const sb = await createSandbox();
  let double: HerokuDouble | undefined;
  let target: PgCluster | undefined;
  const stop = async () => {
    const closed = double?.close();
    sb.log.flush();
    sb.cleanup();
    target?.stop();
    await closed;
  };
  try {
    double = await startHerokuDouble(buildAccountFixtures());
    const cluster = await testCluster();
    target = await existingTarget();
    await createNamespace(cluster.api, namespace);
    const [d, t] = [double, target];
    return {
      sb,
      double: d,
      cluster,
      target: t,
      namespace,
      stack: (name, o) =>
        programStack(sb, name, {
          heroku: { apiUrl: d.url },
          cluster: { namespace },
          postgresPort: t.port,
          postgresPassword: t.password,
          kubeconfig: o.kubeconfig ?? cluster.kubeconfig,
          image: o.image,
          sections: o.sections,
        }),
      stop,
    };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}
