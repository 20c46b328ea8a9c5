/**
 * Data flows one way between the folders of `components/` (config → plan → components): no folder
 * may import, even for a type, a folder that imports it back. The graph is read from the source with
 * the TypeScript parser (imports, `export … from`, `require`, `import()`), one node per folder under
 * `components/` (a file directly in `components/` is its own node), and every cycle is named with the
 * files that make its edges.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import * as ts from "typescript";

import { sourceFiles } from "../support/declared-imports";

const REPO = path.resolve(__dirname, "..", "..");
const COMPONENTS = path.join(REPO, "components");

/** Relative module specifiers a source file loads (type-only imports included: they are knowledge too). */
export function relativeSpecifiers(source: string, fileName = "source.ts"): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    let spec: string | undefined;
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) spec = node.moduleSpecifier.text;
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const e = node.moduleReference.expression;
      if (ts.isStringLiteral(e)) spec = e.text;
    } else if (ts.isCallExpression(node) && node.arguments.length > 0) {
      const callee = node.expression;
      const loads =
        callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === "require");
      const [first] = node.arguments;
      if (loads && ts.isStringLiteralLike(first)) spec = first.text;
    }
    if (spec !== undefined && spec.startsWith(".")) found.push(spec);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The file a relative specifier names (`x`, `x.ts`, `x/index.ts`), or undefined outside the tree. */
function resolve(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, path.join(base, "index.ts")]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** The node of a file: its first folder under `root`, or the file itself when it sits in `root`. */
export function nodeOf(root: string, file: string): string {
  const rel = path.relative(root, file).split(path.sep);
  return rel.length === 1 ? rel[0] : `${rel[0]}/`;
}

/** from node → to node → the "file → file" imports making that edge. */
export type FolderGraph = Map<string, Map<string, string[]>>;

export function folderGraph(root: string, files: readonly string[]): FolderGraph {
  const graph: FolderGraph = new Map();
  for (const file of files) {
    const from = nodeOf(root, file);
    if (!graph.has(from)) graph.set(from, new Map());
    for (const spec of relativeSpecifiers(fs.readFileSync(file, "utf8"), file)) {
      const target = resolve(file, spec);
      if (target === undefined || path.relative(root, target).startsWith("..")) continue;
      const to = nodeOf(root, target);
      if (to === from) continue;
      const edges = graph.get(from) as Map<string, string[]>;
      const why = `${path.relative(root, file)} → ${path.relative(root, target)}`;
      edges.set(to, [...(edges.get(to) ?? []), why]);
    }
  }
  return graph;
}

/** Strongly connected components with more than one node (Tarjan), each sorted, in a stable order. */
export function cycles(graph: FolderGraph): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    indexOf.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of [...(graph.get(v)?.keys() ?? [])].sort()) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, indexOf.get(w) as number));
      }
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indexOf.has(v)) visit(v);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

/** One readable report per cycle: its nodes, then every edge inside it with the imports behind it. */
export function describeCycles(graph: FolderGraph): string[] {
  return cycles(graph).map((nodes) => {
    const lines = [`cycle between ${nodes.join(", ")}:`];
    for (const from of nodes) {
      for (const [to, why] of [...(graph.get(from) ?? new Map<string, string[]>())].sort()) {
        if (nodes.includes(to)) lines.push(`  ${from} → ${to}: ${why.join("; ")}`);
      }
    }
    return lines.join("\n");
  });
}

describe("folder dependencies of components/", () => {
  it("the check finds a two-folder cycle and names the files making it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "folder-cycles-"));
    const write = (rel: string, text: string): string => {
      const full = path.join(dir, rel);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, text);
      return full;
    };
    try {
      const files = [
        write("a/one.ts", 'import { b } from "../b/two";\nexport const a = 1;'),
        write("b/two.ts", 'import type { A } from "../a";\nexport const b = `import "../c/x"`;'),
        write("a/index.ts", 'export * from "./one";\nexport type A = number;'),
        write("c/x.ts", 'const lazy = () => require("../a/one");\nexport {};'),
        write("top.ts", 'import { a } from "./a/one";\nexport { a };'),
      ];
      const graph = folderGraph(dir, files);
      assert.deepStrictEqual(cycles(graph), [["a/", "b/"]]);
      assert.deepStrictEqual(describeCycles(graph), [
        "cycle between a/, b/:\n  a/ → b/: a/one.ts → b/two.ts\n  b/ → a/: b/two.ts → a/index.ts",
      ]);
      // c → a and top → a are one-way: no cycle. Adding a → c closes a three-folder one.
      files.push(write("a/three.ts", 'export { x } from "../c/x";'));
      assert.deepStrictEqual(cycles(folderGraph(dir, files)), [["a/", "b/", "c/"]]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("no two folders of components/ import each other, directly or round a longer loop", () => {
    const graph = folderGraph(COMPONENTS, sourceFiles(COMPONENTS));
    // The graph is really read: the layers' one-way edges are there (config → plan → formats).
    for (const [from, to] of [
      ["config/", "plan/"],
      ["config/", "images/"],
      ["plan/", "formats/"],
      ["images/", "plan/"],
      ["k8s/", "plan/"],
    ]) {
      assert.ok(graph.get(from)?.has(to), `expected the edge ${from} → ${to}`);
    }
    const found = describeCycles(graph);
    if (found.length > 0) assert.fail(`\n${found.join("\n")}`);
  });
});
