/**
 * The package manager a program uses (from `runtime.options.packagemanager`, else its lock file) and
 * the dependency list its npm lock file records, for `About`, `InstallDependencies` and
 * `GetProgramDependencies`.
 */
import * as fs from "fs";
import * as path from "path";

import { PackageManager } from "./runtime-options";

export type ConcretePackageManager = Exclude<PackageManager, "auto">;

const LOCK_FILES: ReadonlyArray<[string, ConcretePackageManager]> = [
  ["yarn.lock", "yarn"],
  ["pnpm-lock.yaml", "pnpm"],
  ["bun.lock", "bun"],
  ["bun.lockb", "bun"],
];

/** "auto" picks by the lock file in the program directory; npm when there is none. */
export function resolvePackageManager(choice: PackageManager, dir: string): ConcretePackageManager {
  if (choice !== "auto") return choice;
  for (const [file, pm] of LOCK_FILES) {
    if (fs.existsSync(path.join(dir, file))) return pm;
  }
  return "npm";
}

/** A dependency and the version installed (per the lock file). */
export interface Dependency {
  readonly name: string;
  readonly version: string;
}

interface LockEntry {
  version?: string;
  dependencies?: Record<string, LockEntry>;
}

interface PackageLock {
  packages?: Record<string, LockEntry>;
  dependencies?: Record<string, LockEntry>;
}

/**
 * Dependencies recorded in the nearest package-lock.json at or above `startDir`; only those declared in
 * the package.json beside it unless `transitive`.
 */
export function listNpmDependencies(startDir: string, transitive: boolean): Dependency[] {
  const lockPath = searchUp(path.resolve(startDir), "package-lock.json");
  if (!lockPath) throw new Error(`no package-lock.json found (searching upwards from ${startDir})`);
  let lock: PackageLock;
  try {
    lock = JSON.parse(fs.readFileSync(lockPath, "utf8")) as PackageLock;
  } catch (err) {
    throw new Error(`could not parse ${lockPath}: ${(err as Error).message}`, { cause: err });
  }
  const deps: Dependency[] = [];
  // The copy a direct dependency resolves to is the one right under the root's node_modules.
  const topLevel = new Map<string, Dependency>();
  if (lock.packages) {
    for (const [key, entry] of Object.entries(lock.packages)) {
      const at = key.lastIndexOf("node_modules/");
      if (at < 0 || !entry.version) continue;
      const dep = { name: key.slice(at + "node_modules/".length), version: entry.version };
      deps.push(dep);
      if (at === 0) topLevel.set(dep.name, dep);
    }
  } else {
    const visit = (tree: Record<string, LockEntry> | undefined, depth: number): void => {
      for (const [name, entry] of Object.entries(tree ?? {})) {
        if (!entry.version) continue;
        deps.push({ name, version: entry.version });
        if (depth === 0) topLevel.set(name, { name, version: entry.version });
        visit(entry.dependencies, depth + 1);
      }
    };
    visit(lock.dependencies, 0);
  }
  if (transitive) return deps;

  const manifestPath = path.join(path.dirname(lockPath), "package.json");
  let manifest: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as typeof manifest;
  } catch (err) {
    throw new Error(`could not read ${manifestPath}: ${(err as Error).message}`, { cause: err });
  }
  const direct = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.devDependencies ?? {}),
  ]);
  return [...direct].flatMap((name) => topLevel.get(name) ?? []);
}

function searchUp(dir: string, file: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const candidate = path.join(d, file);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(d) === d) return undefined;
  }
}
