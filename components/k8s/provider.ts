import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../config/stack-config";
import { MANAGED_BY } from "../plan/names";
import { ownedAnnotations } from "./ownership";

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
 *
 * With `createNamespace`, the namespace is declared first, through a provider of its own (`<name>-
 * namespace`, same target), and the returned provider depends on it: every object created with the
 * returned provider then waits for the namespace without each component having to be told.
 */
export function createKubernetesProvider(
  name: string,
  cluster: ClusterConfig,
  opts?: pulumi.CustomResourceOptions,
): k8s.Provider {
  if (cluster.target.kind === "render") {
    void pulumi.log.warn(
      `Kubernetes manifests are rendered to ${cluster.target.directory}, Secrets included in plaintext: ` +
        "keep that folder out of version control and off shared disks.",
    );
  }
  if (!cluster.createNamespace) return providerFor(name, cluster, opts);
  const nsProvider = providerFor(`${name}-namespace`, cluster, opts);
  const namespace = createNamespace(cluster.namespace, nsProvider, opts);
  const dependsOn = [...asArray(opts?.dependsOn), namespace];
  return providerFor(name, cluster, { ...opts, dependsOn });
}

function asArray<T>(v: pulumi.Input<T> | pulumi.Input<pulumi.Input<T>[]> | undefined): pulumi.Input<T>[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v as pulumi.Input<T>];
}

/**
 * The namespace every object goes to. `retainOnDelete`: removing `createNamespace` (or destroying the
 * stack) must never delete it, since Kubernetes would delete every object in it, protected PVCs and
 * their data included. Server-side apply adopts a namespace that already exists instead of failing.
 */
export function createNamespace(
  namespace: string,
  provider: k8s.Provider,
  opts?: pulumi.CustomResourceOptions,
): k8s.core.v1.Namespace {
  return new k8s.core.v1.Namespace(
    namespace,
    {
      metadata: {
        name: namespace,
        labels: { "app.kubernetes.io/managed-by": MANAGED_BY },
        annotations: ownedAnnotations(),
      },
    },
    { ...opts, provider, retainOnDelete: true },
  );
}

function providerFor(
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
    return new k8s.Provider(name, { ...common, renderYamlToDirectory: cluster.target.directory }, opts);
  }
  const { kubeconfig, context } = cluster.target;
  const plaintext = kubeconfig.reveal("kubeconfig");
  const clusterIdentifier = clusterIdentity(plaintext, context ?? null);
  return new k8s.Provider(
    name,
    {
      ...common,
      kubeconfig: pulumi.secret(plaintext),
      context,
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
