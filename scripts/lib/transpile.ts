/**
 * Transpiles a TypeScript entry point and every project module it imports (relative imports,
 * static or dynamic) to CommonJS JavaScript under `outDir`, keeping paths relative to `root`, so
 * `node` runs it without a TypeScript compiler in its memory. Package imports (`pg`, …) resolve
 * from `root`'s node_modules as long as `outDir` lies inside `root`.
 */
import * as fs from "fs";
import * as path from "path";

/** Returns the path of the compiled entry point. */
export function transpileTree(entry: string, root: string, outDir: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require("typescript") as typeof import("typescript");
  const seen = new Set<string>();
  const todo = [path.resolve(entry)];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = fs.readFileSync(file, "utf8");
    for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
      if (!ref.fileName.startsWith(".")) continue;
      const base = path.resolve(path.dirname(file), ref.fileName);
      const found = [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(f));
      if (found) todo.push(found);
    }
    const out = ts.transpileModule(text, {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    const dest = path.join(outDir, path.relative(root, file)).replace(/\.ts$/, ".js");
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, out.outputText);
  }
  return path.join(outDir, path.relative(root, path.resolve(entry))).replace(/\.ts$/, ".js");
}
