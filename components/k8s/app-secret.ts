import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SecretEntry } from "../plan/types";
import { ownedAnnotations } from "./ownership";

export interface AppSecretArgs {
  /** Heroku app name, used only in error messages (a redacted value names its app and key). */
  app: string;
  /** Namespace of the Secret. Changing it replaces the Secret. */
  namespace: string;
  /** Labels for the Secret's metadata. Default none. */
  labels?: Record<string, string>;
  /**
   * The app's config vars (runtime vars already excluded by the planner). Any change of a key or value
   * replaces the Secret, and since it is auto-named the replacement has a new name: the pod templates
   * referencing it change and the workloads roll, as a Heroku config change restarts dynos.
   */
  entries: readonly SecretEntry[];
}

/**
 * The app's config vars as a Secret. `metadata.name` is deliberately unset: the provider auto-names it
 * `<name>-<random>`, so a changed Secret is a new object (create-before-delete) and the new name flows
 * through `metadata.name` into every pod template that loads it. Marked `immutable` because it never
 * changes in place: the kubelet then stops watching it, and nobody can edit it behind Pulumi's back.
 */
export function createAppSecret(
  name: string,
  args: AppSecretArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
  const stringData: Record<string, string> = {};
  for (const e of args.entries) stringData[e.key] = e.value.reveal(`config var ${e.key} of app ${args.app}`);
  return new k8s.core.v1.Secret(
    name,
    {
      metadata: {
        namespace: args.namespace,
        ...(args.labels ? { labels: args.labels } : {}),
        annotations: ownedAnnotations(),
      },
      type: "Opaque",
      immutable: true,
      stringData: pulumi.secret(stringData),
    },
    opts,
  );
}
