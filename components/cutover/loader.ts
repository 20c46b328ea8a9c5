/**
 * Loads the cutover's runtime (./runtime) at call time inside the dynamic providers, from the
 * project root, as ../data/engine-loader does for the copy engine (same reasons: the provider's
 * code is serialized into the state and runs in another process, whose `require` does not resolve
 * against this file). Nothing here runs at module scope.
 */
import { findProjectRoot } from "../data/engine-loader";
import type * as Runtime from "./runtime";

const RUNTIME_FROM_ROOT = "components/cutover/runtime";

export async function loadCutover(): Promise<typeof Runtime> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require("fs") as typeof import("fs");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const path = require("path") as typeof import("path");
  const root = findProjectRoot();
  const js = path.join(root, `${RUNTIME_FROM_ROOT}.js`);
  const load = (file: string) => {
    const resolved = require.resolve(file, { paths: [root] });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(resolved) as typeof Runtime;
  };
  if (fs.existsSync(js)) return load(js);
  if (!require.extensions[".ts"]) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tsNode = require(require.resolve("ts-node", { paths: [root] })) as {
      register(opts: object): unknown;
    };
    tsNode.register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
  }
  return load(path.join(root, `${RUNTIME_FROM_ROOT}.ts`));
}
