/**
 * Loads ./runtime at call time inside the HasuraMetadata provider, from the project root, the way
 * components/data/engine-loader.ts loads the copy engine (the serialized provider runs in another
 * process whose `require` resolves against its working directory and has no TypeScript loader).
 */
import { findProjectRoot } from "../data/engine-loader";
import type * as Runtime from "./runtime";

const RUNTIME_FROM_ROOT = "components/hasura/runtime";

export async function loadHasuraRuntime(): Promise<typeof Runtime> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require("fs") as typeof import("fs");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const path = require("path") as typeof import("path");
  const root = findProjectRoot();
  const js = path.join(root, `${RUNTIME_FROM_ROOT}.js`);
  if (fs.existsSync(js)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(js) as typeof Runtime;
  }
  if (!require.extensions[".ts"]) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tsNode = require(require.resolve("ts-node", { paths: [root] })) as { register(o: object): unknown };
    tsNode.register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(root, `${RUNTIME_FROM_ROOT}.ts`)) as typeof Runtime;
}
