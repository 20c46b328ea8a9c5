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
