/**
 * `GetRequiredPackages`: the resource plugins a program needs, found the way Pulumi's official Node.js
 * host finds them — every package.json below a `node_modules` directory under the program directory
 * that says `"pulumi": { "resource": true }` names one plugin (name and version). That is how the CLI
 * learns that this project needs the kubernetes, postgresql and docker plugins.
 */
import * as fs from "fs";
import * as path from "path";

/** One plugin the program needs (a PackageDependency of kind "resource"). */
export interface RequiredPackage {
  /** Plugin name, e.g. "kubernetes". */
  readonly name: string;
  /** Plugin version with a leading "v", e.g. "v4.25.0". */
  readonly version: string;
  /** Download server from package.json (`pulumi.server`); "" for Pulumi's default. */
  readonly server: string;
  /** Set for parameterized packages (a base plugin serving a generated SDK). */
  readonly parameterization?: { readonly name: string; readonly version: string; readonly value: Buffer };
}

/** Result of a scan: what was found, plus problems met on the way (the official host only logs them). */
export interface PackageScan {
  readonly packages: RequiredPackage[];
  readonly problems: string[];
  /** Where each copy of @pulumi/pulumi lives and its version; mixed major versions break programs. */
  readonly sdkVersions: Map<string, string>;
}

interface PulumiSection {
  resource?: boolean;
  name?: string;
  version?: string;
  server?: string;
  parameterization?: { name?: string; version?: string; value?: string };
}

interface PackageJson {
  name?: string;
  version?: string;
  pulumi?: PulumiSection;
}

const POLICY_PACK_FILES = ["PulumiPolicy.json", "PulumiPolicy.yaml", "PulumiPolicy.yml"];

/** Walks programDirectory (following symlinks once per real directory) and lists required plugins. */
export function scanRequiredPackages(programDirectory: string): PackageScan {
  const scan: PackageScan = { packages: [], problems: [], sdkVersions: new Map() };
  walk(path.resolve(programDirectory), false, new Set(), scan);
  return scan;
}

function walk(dir: string, inNodeModules: boolean, visited: Set<string>, scan: PackageScan): void {
  if (visited.has(dir)) return;
  visited.add(dir);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    scan.problems.push(`reading plugin dir ${dir}: ${(err as Error).message}`);
    return;
  }
  // Children of a node_modules directory are packages; package.json files are read only below one.
  const childrenInNodeModules = inNodeModules || path.basename(dir) === "node_modules";
  for (const entry of entries) {
    let full = path.join(dir, entry.name);
    let isDir = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      try {
        full = fs.realpathSync(full);
        isDir = fs.statSync(full).isDirectory();
      } catch (err) {
        scan.problems.push(`resolving link in plugin dir ${full}: ${(err as Error).message}`);
        continue;
      }
    }
    if (isDir) {
      // A nested policy pack's plugins belong to the pack, not to the program.
      if (POLICY_PACK_FILES.some((f) => isFile(path.join(full, f)))) continue;
      walk(full, childrenInNodeModules, visited, scan);
    } else if (inNodeModules && entry.name === "package.json") {
      readPackageJson(full, scan);
    }
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function readPackageJson(file: string, scan: PackageScan): void {
  let info: PackageJson;
  try {
    info = JSON.parse(fs.readFileSync(file, "utf8")) as PackageJson;
  } catch (err) {
    scan.problems.push(`unmarshaling package.json ${file}: ${(err as Error).message}`);
    return;
  }
  if (info === null || typeof info !== "object") return;
  if (info.name === "@pulumi/pulumi" && typeof info.version === "string")
    scan.sdkVersions.set(file, info.version);
  const pulumi = info.pulumi;
  if (!pulumi || pulumi.resource !== true) return;
  try {
    const p = pulumi.parameterization;
    scan.packages.push({
      name: pluginName(info),
      version: pluginVersion(info),
      server: pulumi.server ?? "",
      ...(p
        ? { parameterization: { name: p.name ?? "", version: p.version ?? "", value: decodeValue(p.value) } }
        : {}),
    });
  } catch (err) {
    scan.problems.push(`unmarshaling package.json ${file}: ${(err as Error).message}`);
  }
}

/** package.json stores the parameterization value base64-encoded (Go's []byte JSON form). */
function decodeValue(value: string | undefined): Buffer {
  return Buffer.from(value ?? "", "base64");
}

function pluginName(info: PackageJson): string {
  if (info.pulumi?.name) return info.pulumi.name;
  if (!info.name) throw new Error('missing expected "name" property');
  if (info.name.startsWith("@pulumi/")) return info.name.slice("@pulumi/".length);
  throw new Error(
    `Missing property "name" for the third-party plugin '${info.name}' inside package.json under the "pulumi" section.`,
  );
}

function pluginVersion(info: PackageJson): string {
  const version = info.pulumi?.version || info.version;
  if (!version) throw new Error('Missing expected "version" property');
  return version.startsWith("v") ? version : `v${version}`;
}

/**
 * The official host's rule for two copies of @pulumi/pulumi in one program: after 2.x the major
 * versions must match. Returns the reason they clash, or undefined when they can coexist.
 */
export function sdkVersionClash(a: string, b: string): string | undefined {
  const parse = (v: string): [number, number] => {
    const m = /^v?(\d+)\.(\d+)/.exec(v);
    return m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  };
  const [aMajor, aMinor] = parse(a);
  const [bMajor, bMinor] = parse(b);
  if (aMajor === 0 && bMajor === 0) {
    return aMinor === bMinor ? undefined : "Differing major or minor versions are not supported.";
  }
  if (aMajor >= 1 && aMajor <= 2 && bMajor >= 1 && bMajor <= 2) return undefined;
  if (aMajor > 2 || bMajor > 2) {
    return aMajor === bMajor ? undefined : "Differing major versions are not supported.";
  }
  if ((aMajor === 1 && bMajor === 0 && bMinor === 17) || (bMajor === 1 && aMajor === 0 && aMinor === 17)) {
    return undefined;
  }
  return "Differing major or minor versions are not supported.";
}
