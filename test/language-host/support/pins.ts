import * as fs from "fs";
import * as path from "path";

/**
 * The exact versions this repository pins in package.json: what the host must report, read from the
 * manifest (the declaration) rather than from node_modules (what the host under test reads).
 */
const manifest = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "..", "..", "package.json"), "utf8"),
) as {
  dependencies: Record<string, string>;
};

export function pinned(pkg: string): string {
  const v = manifest.dependencies[pkg];
  if (!v || !/^\d+\.\d+\.\d+$/.test(v)) throw new Error(`package.json does not pin ${pkg} exactly (${v})`);
  return v;
}
