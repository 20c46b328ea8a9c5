/**
 * Loads the Redis copy engine at call time inside the RedisImport provider, from the project root,
 * for the reasons ../engine-loader gives (the provider runs as serialized text in another process,
 * where a relative `require` would resolve against that process's working directory). The engine
 * in turn requires `ioredis` only when it connects.
 */
import { findProjectRoot } from "../engine-loader";
import type * as RedisEngine from "./engine";

/** Path of the Redis engine module from the project root, without extension. */
const REDIS_ENGINE_FROM_ROOT = "components/data/redis/engine/index";

export async function loadRedisEngine(): Promise<typeof RedisEngine> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require("fs") as typeof import("fs");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const path = require("path") as typeof import("path");
  const root = findProjectRoot();
  const load = (file: string) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(require.resolve(file, { paths: [root] })) as typeof RedisEngine;
  };
  const js = path.join(root, `${REDIS_ENGINE_FROM_ROOT}.js`);
  if (fs.existsSync(js)) return load(js);
  // Only the TypeScript sources: make `require` understand them unless a loader already does.
  if (!require.extensions[".ts"]) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tsNode = require(require.resolve("ts-node", { paths: [root] })) as { register(o: object): unknown };
    tsNode.register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
  }
  return load(path.join(root, `${REDIS_ENGINE_FROM_ROOT}.ts`));
}
