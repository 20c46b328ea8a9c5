/**
 * Loads the copy engine (and `pg`), and the modules other dynamic providers run, at call time
 * inside the provider.
 *
 * Why not `await import("./engine")`: Pulumi serializes the provider's methods as text and runs
 * them in a separate `pulumi-resource-pulumi-nodejs` process through `require-from-string`. A
 * relative `require` in that text resolves against the provider process's working directory, not
 * this file, and that process has no TypeScript loader. So the engine is located from the project
 * root (the directory Pulumi runs plugins in, or `HEROKU_TO_HASURA_ROOT`), and when only the
 * TypeScript sources are there, the project's `ts-node` is registered first (transpile-only).
 *
 * Everything here runs inside methods; nothing is read at module scope.
 */
import type * as Engine from "./engine";
import type * as HerokuSource from "./heroku-source";

/** Path of the engine module from the project root, without extension. */
const ENGINE_FROM_ROOT = "components/data/engine/index";
const HEROKU_SOURCE_FROM_ROOT = "components/data/heroku-source";

/**
 * Finds the project root: `HEROKU_TO_HASURA_ROOT`, else the nearest ancestor of the cwd holding
 * the engine, else the project whose `node_modules` the provider process loaded @pulumi/pulumi
 * from (an Automation API inline program runs plugins in a temp dir linking that `node_modules`).
 */
export function findProjectRoot(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require("fs") as typeof import("fs");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const path = require("path") as typeof import("path");
  const hasEngine = (dir: string) =>
    fs.existsSync(path.join(dir, `${ENGINE_FROM_ROOT}.js`)) ||
    fs.existsSync(path.join(dir, `${ENGINE_FROM_ROOT}.ts`));
  const fromEnv = process.env.HEROKU_TO_HASURA_ROOT;
  if (fromEnv) {
    if (!hasEngine(fromEnv)) {
      throw new Error(`HEROKU_TO_HASURA_ROOT=${fromEnv} does not contain ${ENGINE_FROM_ROOT}.{js,ts}`);
    }
    return fromEnv;
  }
  const starts = [process.cwd()];
  try {
    starts.push(fs.realpathSync(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd()] })));
  } catch {
    // no @pulumi/pulumi reachable from the cwd: only the cwd is searched
  }
  for (const start of starts) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      if (hasEngine(dir)) {
        return dir;
      }
      if (path.dirname(dir) === dir) {
        break;
      }
    }
  }
  throw new Error(
    `cannot find the copy engine (${ENGINE_FROM_ROOT}) from ${process.cwd()}: run pulumi from the ` +
      "project directory or set HEROKU_TO_HASURA_ROOT",
  );
}

/** Requires a module by absolute path or by name resolved from the project root. */
function requireFromRoot<T>(root: string, request: string): T {
  const resolved = require.resolve(request, { paths: [root] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(resolved) as T;
}

/**
 * The module at `fromRoot` (a path from the project root, without extension): its compiled `.js`
 * when there is one, else its TypeScript source through the project's `ts-node`.
 */
export function loadFromRoot<T>(fromRoot: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require("fs") as typeof import("fs");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const path = require("path") as typeof import("path");
  const root = findProjectRoot();
  const js = path.join(root, `${fromRoot}.js`);
  if (fs.existsSync(js)) {
    return requireFromRoot<T>(root, js);
  }
  // Only the TypeScript sources: make `require` understand them unless a loader already does.
  if (!require.extensions[".ts"]) {
    const tsNode = requireFromRoot<{ register(opts: object): unknown }>(root, "ts-node");
    tsNode.register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
  }
  return requireFromRoot<T>(root, path.join(root, `${fromRoot}.ts`));
}

/** The copy engine, loaded from the project root. */
export async function loadEngine(): Promise<typeof Engine> {
  return loadFromRoot<typeof Engine>(ENGINE_FROM_ROOT);
}

/** What the import asks Heroku at copy time (./heroku-source), loaded from the project root. */
export async function loadHerokuSource(): Promise<typeof HerokuSource> {
  return loadFromRoot<typeof HerokuSource>(HEROKU_SOURCE_FROM_ROOT);
}
