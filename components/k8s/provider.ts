import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../config/stack-config";

/**
 * The stack's one Kubernetes provider, from validated config. Every Kubernetes object of the program
 * is created with it (the ambient default provider is disabled in Pulumi.yaml).
 *
 * - `render`: manifests are written to `directory` instead of applied (the dev stack's embedded
 *   default, no cluster needed). Secrets are then written in plaintext, so use it with test data only.
 * - `kubeconfig`: the kubeconfig contents (a secret) and an optional context.
 *
 * Server-side apply (the default since provider 4.0) is kept on: it merges with fields other managers
 * own (e.g. an HPA's replicas) instead of overwriting them. `clusterIdentifier` names the cluster (its
 * API server URL when the kubeconfig has one, else the context) so that rotating the kubeconfig's
 * credentials updates the provider instead of replacing it — a replacement would replace every object
 * under it, protected PVCs included — while pointing it at another cluster still replaces.
 */
export function createKubernetesProvider(
  name: string,
  cluster: ClusterConfig,
  opts?: pulumi.CustomResourceOptions,
): k8s.Provider {
  const common: k8s.ProviderArgs = {
    namespace: cluster.namespace,
    enableServerSideApply: true,
    // Objects we render carry their own apiVersions; a deprecation warning is actionable, so keep it.
    suppressDeprecationWarnings: false,
  };
  if (cluster.target.kind === "render") {
    pulumi.log.warn(
      `Kubernetes manifests are rendered to ${cluster.target.directory}, Secrets included in plaintext: ` +
        "keep that folder out of version control and off shared disks.",
    );
    return new k8s.Provider(name, { ...common, renderYamlToDirectory: cluster.target.directory }, opts);
  }
  const { kubeconfig, context } = cluster.target;
  const plaintext = kubeconfig.reveal("kubeconfig");
  const clusterIdentifier = clusterIdentity(plaintext, context);
  return new k8s.Provider(
    name,
    {
      ...common,
      kubeconfig: pulumi.secret(plaintext),
      ...(context !== null ? { context } : {}),
      ...(clusterIdentifier !== null ? { clusterIdentifier } : {}),
    },
    opts,
  );
}

/**
 * The API server URL when the kubeconfig names exactly one (no YAML parser needed), else the context,
 * else null (the provider's own heuristics).
 */
export function clusterIdentity(kubeconfig: string, context: string | null): string | null {
  const servers = new Set(
    [...kubeconfig.matchAll(/(?:^|[\s{,])"?server"?\s*:\s*"?([^"\s,}]+)/g)].map((m) => m[1]),
  );
  if (servers.size === 1) return [...servers][0];
  return context;
}
