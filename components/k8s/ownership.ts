/**
 * The fields a component declares are the stack's: `pulumi up` takes them back when someone changed
 * them by hand (`kubectl scale`, `kubectl edit`). With server-side apply a field another manager
 * changed is that manager's, and Pulumi's next apply would stop on a field conflict; the
 * `pulumi.com/patchForce` annotation makes it apply with force, as `kubectl apply
 * --server-side --force-conflicts` does. Fields the program does not declare stay their managers'.
 */
export const PATCH_FORCE = "pulumi.com/patchForce";

/** Annotations every object the program declares carries, merged with the object's own. */
export function ownedAnnotations(own: Record<string, string> = {}): Record<string, string> {
  return { ...own, [PATCH_FORCE]: "true" };
}

/** Pulumi's annotation: create or update the object without waiting for it to become ready. */
export const SKIP_AWAIT = "pulumi.com/skipAwait";

/**
 * A ClusterIP Service's annotations. `up` does not wait for its endpoints: they are the pods of the
 * Deployment it selects, whose availability `up` already waits for, and the provider's Service wait
 * adds ~10 s of "settling" per Service (with 8 resource operations at once, 100 Services cost
 * 2 minutes of a 50-app `up`).
 */
export function serviceAnnotations(): Record<string, string> {
  return ownedAnnotations({ [SKIP_AWAIT]: "true" });
}
