import * as pulumi from "@pulumi/pulumi";
import { CredentialPlan } from "../plan/types";
import { GeneratedSecret } from "./generated-secret";

/**
 * One GeneratedSecret per credential the plan names (the migration's new passwords), as secret
 * Outputs by credential name: what StatefulAddon, TargetDatabase and the apps' Secrets fill in.
 * The resource name is the credential's, so a value stays the same across `up`s until its
 * `rotation` changes.
 */
export function createCredentials(
  credentials: readonly CredentialPlan[],
  opts?: pulumi.CustomResourceOptions,
): Record<string, pulumi.Output<string>> {
  return Object.fromEntries(
    credentials.map((c) => [c.name, new GeneratedSecret(c.name, { rotation: c.rotation }, opts).value]),
  );
}
