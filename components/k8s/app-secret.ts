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
  /**
   * The values of the generated credentials the entries name (see SecretTemplate), by credential
   * name. Default none (an entry naming one then fails as a wiring error). A rotated credential
   * changes the Secret like any config change.
   */
  credentials?: Readonly<Record<string, pulumi.Input<string>>>;
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
  for (const e of args.entries) {
    // Now, not later inside the apply: a redacted value must fail before anything registers.
    e.value.requireAvailable(`config var ${e.key} of app ${args.app}`);
  }
  const needed = [...new Set(args.entries.flatMap((e) => e.value.credentials))].sort();
  const credentials = args.credentials ?? {};
  for (const n of needed) {
    if (credentials[n] === undefined) {
      throw new Error(`app ${args.app}: its Secret needs credential ${n}, which was not created`);
    }
  }
  // Rendered in one apply over the credentials it needs (none: the values are known at once).
  const stringData = pulumi
    .all(Object.fromEntries(needed.map((n) => [n, credentials[n]])) as Record<string, pulumi.Input<string>>)
    .apply((values) => {
      const data: Record<string, string> = {};
      for (const e of args.entries)
        data[e.key] = e.value.render(values, `config var ${e.key} of app ${args.app}`);
      return data;
    });
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
