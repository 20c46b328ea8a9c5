/**
 * Every package the code imports is declared by the package.json it belongs to: the program's
 * runtime code (index.ts, components/) in `dependencies`, its scripts and tests in either list, and
 * each npm workspace (tools/engine) likewise in its own manifest, never through the root's.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

import {
  importedPackages,
  Manifest,
  packageOf,
  sourceFiles,
  undeclaredImports,
} from "../support/declared-imports";

const REPO = path.resolve(__dirname, "..", "..");
const manifestOf = (dir: string): Manifest =>
  JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Manifest;
const names = (...lists: (Record<string, string> | undefined)[]): Set<string> =>
  new Set(lists.flatMap((l) => Object.keys(l ?? {})));

describe("declared dependencies", () => {
  const root = manifestOf(REPO);
  const workspaces = (root.workspaces ?? []).map((w) => path.join(REPO, w));

  it("the scanner finds imports, requires and dynamic imports, not relative paths or built-ins", () => {
    const found = importedPackages(
      [
        'import * as grpc from "@grpc/grpc-js";',
        'import { Empty } from "google-protobuf/google/protobuf/empty_pb";',
        'import type { Client } from "pg";',
        'export { x } from "./local";',
        'const fs = require("fs"); const p = require("node:path");',
        'const y = require.resolve("ts-node");',
        'const sdkOwn = require.resolve("require-from-string", { paths: [sdkDir] });',
        'const z = await import("yaml");',
        'import "mocha";',
        'const greeting = config.require("greeting");',
        'const program = `import * as aws from "@pulumi/aws";`;',
      ].join("\n"),
    );
    assert.deepStrictEqual([...found].sort(), [
      "@grpc/grpc-js",
      "google-protobuf",
      "mocha",
      "pg",
      "ts-node",
      "yaml",
    ]);
    assert.strictEqual(packageOf("@pulumi/pulumi/proto/language_pb"), "@pulumi/pulumi");
  });

  it("has the language host and engine tooling as a workspace of its own", () => {
    assert.deepStrictEqual(root.workspaces, ["tools/engine"]);
    assert.strictEqual(manifestOf(path.join(REPO, "tools", "engine")).name, "@heroku-to-hasura/engine");
  });

  it("the program's runtime code imports only its dependencies", () => {
    const files = [path.join(REPO, "index.ts"), ...sourceFiles(path.join(REPO, "components"))];
    assert.deepStrictEqual(undeclaredImports(REPO, files, names(root.dependencies)), []);
  });

  it("the program's scripts and tests import only what the root package.json declares", () => {
    const files = ["scripts", "test"].flatMap((d) => sourceFiles(path.join(REPO, d)));
    assert.ok(files.length > 50, `found only ${files.length} files`);
    assert.deepStrictEqual(
      undeclaredImports(REPO, files, names(root.dependencies, root.devDependencies)),
      [],
    );
  });

  for (const ws of workspaces) {
    const rel = path.relative(REPO, ws);
    it(`${rel}: its code imports only its dependencies, its tests only what it declares`, () => {
      const manifest = manifestOf(ws);
      const code = sourceFiles(ws, [path.join(ws, "test")]);
      const tests = sourceFiles(path.join(ws, "test"));
      assert.ok(
        code.length > 5 && tests.length > 5,
        `${rel}: ${code.length} source, ${tests.length} test files`,
      );
      assert.deepStrictEqual(undeclaredImports(REPO, code, names(manifest.dependencies)), []);
      assert.deepStrictEqual(
        undeclaredImports(REPO, tests, names(manifest.dependencies, manifest.devDependencies)),
        [],
      );
    });
  }
});
