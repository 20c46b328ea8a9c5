import * as fs from "fs";
import * as path from "path";

/**
 * Exact versions as a manifest declares them (the declaration), never read from node_modules (what
 * the host under test reads).
 */
function pinsOf(manifestFile: string): (pkg: string) => string {
  const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as {
    dependencies: Record<string, string>;
  };
  return (pkg) => {
    const v = manifest.dependencies[pkg];
    if (!v || !/^\d+\.\d+\.\d+$/.test(v))
      throw new Error(`${manifestFile} does not pin ${pkg} exactly (${v})`);
    return v;
  };
}

/** What the program this repository holds pins (its SDKs, hence the plugins it needs). */
export const programPin = pinsOf(path.join(__dirname, "..", "..", "..", "..", "package.json"));
/** What this package pins (the @pulumi/pulumi the host reports as its own version). */
export const hostPin = pinsOf(path.join(__dirname, "..", "..", "package.json"));
