/**
 * Loads the cutover's runtime (./runtime) at call time inside the HerokuFreeze provider, from the
 * project root, as ../data/engine-loader does for the copy engine (same reasons: the provider's
 * code is serialized into the state and runs in another process, whose `require` does not resolve
 * against this file). Nothing here runs at module scope.
 */
import { loadFromRoot } from "../data/engine-loader";
import type * as Runtime from "./runtime";

const RUNTIME_FROM_ROOT = "components/cutover/runtime";

export async function loadCutover(): Promise<typeof Runtime> {
  return loadFromRoot<typeof Runtime>(RUNTIME_FROM_ROOT);
}
