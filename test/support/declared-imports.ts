/**
 * Which npm packages a package's files import, and which of those its package.json does not
 * declare: the check that keeps each package (the root program, each workspace) honest about its
 * dependencies instead of borrowing another package's.
 */
import * as fs from "fs";
import { isBuiltin } from "module";
import * as path from "path";

import * as ts from "typescript";

/** The package a bare specifier names (`@scope/name/deep/path` → `@scope/name`), or undefined for a relative path or a built-in. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("/") || isBuiltin(specifier)) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** The module a node loads, when it is an import, an export…from, `require("x")`, `require.resolve("x")` or `import("x")`. */
function moduleSpecifier(node: ts.Node): string | undefined {
  if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
    return ts.isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text : undefined;
  }
  if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
    const e = node.moduleReference.expression;
    return ts.isStringLiteral(e) ? e.text : undefined;
  }
  if (!ts.isCallExpression(node) || node.arguments.length === 0) return undefined;
  const [first] = node.arguments;
  if (!ts.isStringLiteralLike(first)) return undefined;
  const callee = node.expression;
  const loads =
    callee.kind === ts.SyntaxKind.ImportKeyword ||
    (ts.isIdentifier(callee) && callee.text === "require") ||
    // require.resolve(x) alone; with a `paths` option it resolves on behalf of another package.
    (ts.isPropertyAccessExpression(callee) &&
      ts.isIdentifier(callee.expression) &&
      callee.expression.text === "require" &&
      callee.name.text === "resolve" &&
      node.arguments.length === 1);
  return loads ? first.text : undefined;
}

/** The packages a source file imports, re-exports or requires (parsed, so fixture text in strings is not code). */
export function importedPackages(source: string, fileName = "source.ts"): Set<string> {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false);
  const found = new Set<string>();
  const visit = (node: ts.Node): void => {
    const spec = moduleSpecifier(node);
    const pkg = spec === undefined ? undefined : packageOf(spec);
    if (pkg !== undefined) found.add(pkg);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** Source files (.ts, .js) under `dir`, skipping installed and generated trees and the `skip` paths. */
export function sourceFiles(dir: string, skip: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (skip.includes(full)) continue;
    if (entry.isDirectory()) {
      if (["node_modules", ".git", ".build", ".dev", "bin", "out"].includes(entry.name)) continue;
      out.push(...sourceFiles(full, skip));
    } else if (/\.(ts|js)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
      out.push(full);
    }
  }
  return out;
}

export interface Manifest {
  name?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  workspaces?: string[];
}

/** "file: package" for every import in `files` that `declared` lacks. */
export function undeclaredImports(
  root: string,
  files: readonly string[],
  declared: ReadonlySet<string>,
): string[] {
  const missing: string[] = [];
  for (const file of files) {
    for (const pkg of importedPackages(fs.readFileSync(file, "utf8"), file)) {
      if (!declared.has(pkg)) missing.push(`${path.relative(root, file)}: ${pkg}`);
    }
  }
  return missing;
}
