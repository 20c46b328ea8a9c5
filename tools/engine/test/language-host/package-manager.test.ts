/** Package-manager choice and the npm lock file's dependency list, on real files. */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { listNpmDependencies, resolvePackageManager } from "../../language-host/package-manager";
import { REPO_ROOT } from "../support/sandbox";
import { programPin } from "../support/pins";

describe("package-manager", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "lh-pm-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (file: string, value: unknown): void =>
    fs.writeFileSync(path.join(dir, file), typeof value === "string" ? value : JSON.stringify(value));

  it("picks the package manager by option, else by lock file, else npm", () => {
    assert.strictEqual(resolvePackageManager("auto", dir), "npm");
    write("pnpm-lock.yaml", "lockfileVersion: 9\n");
    assert.strictEqual(resolvePackageManager("auto", dir), "pnpm");
    assert.strictEqual(resolvePackageManager("yarn", dir), "yarn");
  });

  it("lists this repository's direct dependencies at their locked versions", () => {
    const direct = listNpmDependencies(REPO_ROOT, false);
    const byName = new Map(direct.map((d) => [d.name, d.version]));
    assert.strictEqual(byName.get("@pulumi/pulumi"), programPin("@pulumi/pulumi"));
    assert.strictEqual(byName.get("@pulumi/kubernetes"), programPin("@pulumi/kubernetes"));
    assert.ok(
      !byName.has("require-from-string"),
      "a transitive dependency (of @pulumi/pulumi) is listed as direct",
    );
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    assert.deepStrictEqual(
      [...byName.keys()].sort(),
      Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }).sort(),
    );
    const all = listNpmDependencies(path.join(REPO_ROOT, "components"), true);
    assert.ok(
      all.some((d) => d.name === "require-from-string"),
      "transitive listing lacks require-from-string",
    );
  });

  it("takes a direct dependency's top-level copy, not a nested one (lockfile v3)", () => {
    write("package.json", { dependencies: { zod: "^3" } });
    write("package-lock.json", {
      lockfileVersion: 3,
      packages: {
        "": { name: "x" },
        "node_modules/@a/b/node_modules/zod": { version: "1.0.0" },
        "node_modules/zod": { version: "3.2.1" },
      },
    });
    assert.deepStrictEqual(listNpmDependencies(dir, false), [{ name: "zod", version: "3.2.1" }]);
    assert.deepStrictEqual(
      listNpmDependencies(dir, true).map((d) => `${d.name}@${d.version}`),
      ["zod@1.0.0", "zod@3.2.1"],
    );
  });

  it("reads a lockfile v1 dependency tree", () => {
    write("package.json", { devDependencies: { a: "1" } });
    write("package-lock.json", {
      lockfileVersion: 1,
      dependencies: { a: { version: "1.0.0", dependencies: { b: { version: "2.0.0" } } } },
    });
    assert.deepStrictEqual(listNpmDependencies(dir, false), [{ name: "a", version: "1.0.0" }]);
    assert.strictEqual(listNpmDependencies(dir, true).length, 2);
  });

  it("says where it looked when there is no lock file, and which file is unreadable", () => {
    assert.throws(() => listNpmDependencies(dir, false), new RegExp(`no package-lock.json found .*${dir}`));
    write("package-lock.json", "{ nope");
    assert.throws(() => listNpmDependencies(dir, false), /could not parse .*package-lock.json/);
  });
});
