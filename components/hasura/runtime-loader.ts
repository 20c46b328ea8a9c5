/**
 * Loads ./runtime at call time inside the HasuraMetadata provider, from the project root, as
 * ../data/engine-loader does for the copy engine (the serialized provider runs in another process
 * whose `require` resolves against its working directory and has no TypeScript loader).
 */
import { loadFromRoot } from "../data/engine-loader";
import type * as Runtime from "./runtime";

const RUNTIME_FROM_ROOT = "components/hasura/runtime";

export async function loadHasuraRuntime(): Promise<typeof Runtime> {
  return loadFromRoot<typeof Runtime>(RUNTIME_FROM_ROOT);
}
