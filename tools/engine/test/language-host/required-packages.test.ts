/**
 * Plugin discovery over real directory trees: the rules Pulumi's official Node.js host applies to
 * node_modules, and the answer for this repository's own dependencies.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { scanRequiredPackages, sdkVersionClash } from "../../language-host/required-packages";
import { REPO_ROOT } from "../support/sandbox";
import { programPin } from "../support/pins";

function tree(files: Record<string, unknown>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "lh-packages-"));
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(root, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, typeof content === "string" ? content : JSON.stringify(content));
  }
  return root;
}

describe("required-packages: scanRequiredPackages", () => {
  const dirs: string[] = [];
  const make = (files: Record<string, unknown>): string => {
    const d = tree(files);
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("lists this repository's resource plugins at the versions its SDKs pin", () => {
    const scan = scanRequiredPackages(REPO_ROOT);
    const byName = new Map(scan.packages.map((p) => [p.name, p.version]));
    assert.strictEqual(byName.get("kubernetes"), `v${programPin("@pulumi/kubernetes")}`);
    assert.strictEqual(byName.get("postgresql"), `v${programPin("@pulumi/postgresql")}`);
    assert.strictEqual(byName.get("docker"), `v${programPin("@pulumi/docker")}`);
    assert.ok(!byName.has("pulumi"), "@pulumi/pulumi is not a resource plugin");
    assert.ok([...scan.sdkVersions.values()].includes(programPin("@pulumi/pulumi")));
  });

  it("derives names and versions like the official host", () => {
    const dir = make({
      "package.json": { name: "program", pulumi: { resource: true } },
      "node_modules/@pulumi/random/package.json": {
        name: "@pulumi/random",
        version: "4.1.0",
        pulumi: { resource: true },
      },
      "node_modules/acme-things/package.json": {
        name: "acme-things",
        version: "0.1.0",
        pulumi: { resource: true, name: "things", version: "v9.9.9", server: "https://plugins.example.test" },
      },
      "node_modules/plain/package.json": { name: "plain", version: "1.0.0" },
      "node_modules/not-a-plugin/package.json": {
        name: "not-a-plugin",
        version: "1.0.0",
        pulumi: { resource: false },
      },
    });
    const scan = scanRequiredPackages(dir);
    const found = scan.packages.map((p) => [p.name, p.version, p.server]).sort();
    assert.deepStrictEqual(found, [
      ["random", "v4.1.0", ""],
      ["things", "v9.9.9", "https://plugins.example.test"],
    ]);
    assert.deepStrictEqual(scan.problems, []);
  });

  it("reports a third-party plugin without pulumi.name, and unreadable package.json, as problems", () => {
    const dir = make({
      "node_modules/thirdparty/package.json": {
        name: "thirdparty",
        version: "1.0.0",
        pulumi: { resource: true },
      },
      "node_modules/broken/package.json": "{ not json",
      "node_modules/@pulumi/ok/package.json": {
        name: "@pulumi/ok",
        version: "1.0.0",
        pulumi: { resource: true },
      },
    });
    const scan = scanRequiredPackages(dir);
    assert.deepStrictEqual(
      scan.packages.map((p) => p.name),
      ["ok"],
    );
    assert.strictEqual(scan.problems.length, 2);
    assert.ok(
      scan.problems.some((p) =>
        p.includes("Missing property \"name\" for the third-party plugin 'thirdparty'"),
      ),
    );
    assert.ok(scan.problems.some((p) => p.includes(path.join("broken", "package.json"))));
  });

  it("decodes a parameterized package's value", () => {
    const dir = make({
      "node_modules/@pulumi/tf-thing/package.json": {
        name: "@pulumi/tf-thing",
        version: "0.0.1",
        pulumi: {
          resource: true,
          name: "terraform-provider",
          version: "0.3.0",
          parameterization: {
            name: "thing",
            version: "0.0.1",
            value: Buffer.from('{"a":1}').toString("base64"),
          },
        },
      },
    });
    const [pkg] = scanRequiredPackages(dir).packages;
    assert.strictEqual(pkg.name, "terraform-provider");
    assert.strictEqual(pkg.version, "v0.3.0");
    assert.deepStrictEqual(
      { ...pkg.parameterization, value: pkg.parameterization?.value.toString() },
      { name: "thing", version: "0.0.1", value: '{"a":1}' },
    );
  });

  it("skips nested policy packs and survives symlink loops", () => {
    const dir = make({
      "node_modules/@pulumi/a/package.json": {
        name: "@pulumi/a",
        version: "1.0.0",
        pulumi: { resource: true },
      },
      "policy/PulumiPolicy.yaml": "runtime: nodejs\n",
      "policy/node_modules/@pulumi/b/package.json": {
        name: "@pulumi/b",
        version: "1.0.0",
        pulumi: { resource: true },
      },
    });
    fs.symlinkSync(dir, path.join(dir, "node_modules", "loop"));
    fs.symlinkSync(path.join(dir, "missing"), path.join(dir, "node_modules", "dangling"));
    const scan = scanRequiredPackages(dir);
    assert.deepStrictEqual(
      scan.packages.map((p) => p.name),
      ["a"],
    );
    assert.strictEqual(scan.problems.length, 1, scan.problems.join("\n"));
    assert.match(scan.problems[0], /resolving link in plugin dir .*dangling/);
  });
});

describe("required-packages: sdkVersionClash", () => {
  it("accepts equal majors after 2.x and rejects differing ones", () => {
    assert.strictEqual(sdkVersionClash("3.248.0", "3.100.1"), undefined);
    assert.strictEqual(sdkVersionClash("3.248.0", "2.25.0"), "Differing major versions are not supported.");
    assert.strictEqual(sdkVersionClash("1.2.0", "2.0.0"), undefined);
    assert.strictEqual(
      sdkVersionClash("0.16.0", "0.17.0"),
      "Differing major or minor versions are not supported.",
    );
    assert.strictEqual(sdkVersionClash("1.0.0", "0.17.3"), undefined);
  });
});
